// Notifications (spec §1.2 "Other", §3.2): what people were told about, spread over the year.
import type { Row } from '../copy-text.ts';
import { cumulative, streamOf } from '../random.ts';
import { copyTable, type SeedSql, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { streams, type Universe } from '../universe.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, userCreated, userId, users } from './auth.ts';
import { posts, postId } from './social.ts';
import { pickTrack, trackCommentFanout, trackId } from './streaming.ts';

const S = streams('notifications.id');

const TYPES = [
  ['like', 35],
  ['message', 20],
  ['follow', 15],
  ['comment', 15],
  ['mention', 10],
  ['system', 5],
] as const;
const TYPE_SUMS = cumulative(TYPES.map(([, weight]) => weight));

/** Two FNV-1a hashes of `text` folded into one 52-bit number: a compact key for a set. */
function groupKey(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return (b & 0xfffff) * 0x100000000 + a;
}

const notifications = copyTable({
  name: 'notifications',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'actor_id',
    'type',
    'entity_type',
    'entity_id',
    'title',
    'body',
    'data',
    'is_read',
    'read_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => u.scaled(VOLUMES.notifications),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.notifications);
    const people = users(u);
    const comments = trackCommentFanout(u).total;
    const commentStream = streamOf('track_comments.id');
    const directMessages = u.scaled(VOLUMES.directMessages);
    const directMessageStream = streamOf('direct_messages.id');
    const written = posts(u);
    const rng = u.rng();
    const unreadGroups = new Set<number>();
    for (let i = 0; i < total; i++) {
      rng.reset(S['notifications.id'], i);
      let at = u.time.eventTime((i + rng.next()) / total);
      const recipient = people.timed.pickSkewed(at, rng.next(), 1.2);
      const type = (TYPES[rng.weighted(TYPE_SUMS)] as (typeof TYPES)[number])[0];
      let actor = type === 'system' ? -1 : people.timed.pick(at, rng.next());
      if (actor === recipient) actor = -1;
      at = Math.max(at, userCreated(u, recipient) + 1000, actor >= 0 ? userCreated(u, actor) + 1000 : 0);
      const who = actor >= 0 ? displayName(u, actor) : 'Someone';
      let entityType: string | null = null;
      let entityId: string | null = null;
      let title: string;
      switch (type) {
        case 'like':
          entityType = 'track';
          entityId = trackId(u, pickTrack(u, at, rng));
          title = `${who} liked your track`;
          break;
        case 'message':
          entityType = 'direct_message';
          entityId = u.id(directMessageStream, rng.int(directMessages));
          title = `New message from ${who}`;
          break;
        case 'follow':
          if (actor >= 0) {
            entityType = 'user';
            entityId = userId(u, actor);
          }
          title = `${who} followed you`;
          break;
        case 'comment':
          if (comments > 0) {
            entityType = 'track_comment';
            entityId = u.id(commentStream, rng.int(comments));
          }
          title = `${who} commented on your track`;
          break;
        case 'mention':
          if (written.owner.length > 0) {
            entityType = 'post';
            entityId = postId(u, written.timed.pick(at, rng.next()));
          }
          title = `${who} mentioned you`;
          break;
        case 'system':
          title = rng.pick(['Your weekly summary is ready', 'Your payout was sent', 'New terms of service']);
      }
      let read = rng.chance(0.7);
      // uq_notifications_user_id_type_entity_unread (migration 0043, ADR 0066): one unread row per group; a later
      // unread row of a group already unread is seeded read. Keys are kept as 52-bit hashes (memory at scale 1).
      if (!read && entityId !== null) {
        const key = groupKey(`${recipient} ${type} ${entityType} ${entityId}`);
        if (unreadGroups.has(key)) read = true;
        else unreadGroups.add(key);
      }
      const readAt = read ? Math.min(at + rng.between(1, 2000) * MINUTE_MS, u.time.anchor - 1) : NaN;
      yield [
        u.id(S['notifications.id'], i),
        userId(u, recipient),
        actor >= 0 ? userId(u, actor) : null,
        type,
        entityType,
        entityId,
        title,
        null,
        '{}',
        read,
        read ? iso(readAt) : null,
        iso(at),
        iso(read ? readAt : at),
      ];
    }
  },
});

// The actor of each seeded notification is its group's one actor (migration 0043, ADR 0066).
const notificationActors: SeedTable = {
  kind: 'derived',
  name: 'notification_actors',
  dependsOn: ['notifications'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    // ids from the seed and the notification, so the same seed gives the same rows
    const result = await sql.query(
      `INSERT INTO notification_actors (id, notification_id, actor_id, created_at, updated_at)
       SELECT overlay(overlay(md5($1::text || ':actor:' || id::text) placing '4' from 13) placing '8' from 17)::uuid,
              id, actor_id, created_at, created_at
       FROM notifications WHERE actor_id IS NOT NULL`,
      [String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

// About one person in sixteen changed the defaults: likes off or by email, quiet hours at night, a weekly digest.
const notificationPreferences: SeedTable = {
  kind: 'derived',
  name: 'notification_preferences',
  dependsOn: ['users'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `INSERT INTO notification_preferences (id, user_id, like_channel, message_channel, quiet_hours_start,
                                             quiet_hours_end, time_zone, digest, created_at, updated_at)
       SELECT overlay(overlay(md5($1::text || ':prefs-id:' || id::text) placing '4' from 13) placing '8' from 17)::uuid,
              id,
              CASE WHEN h < 0.3 THEN 'none' WHEN h < 0.5 THEN 'email' ELSE 'in_app' END,
              CASE WHEN h < 0.1 THEN 'email' ELSE 'in_app' END,
              CASE WHEN h < 0.6 THEN TIME '22:00' END, CASE WHEN h < 0.6 THEN TIME '07:00' END,
              'Europe/Paris',
              CASE WHEN h < 0.2 THEN 'weekly' WHEN h < 0.25 THEN 'daily' ELSE 'off' END,
              created_at, created_at
       FROM (SELECT id, created_at,
                    ('x' || substr(md5($1::text || ':prefs:' || id::text), 1, 8))::bit(32)::bigint / 4294967296.0 AS h
             FROM users WHERE deleted_at IS NULL AND substr(md5($1::text || ':prefs?' || id::text), 1, 1) = '0') p`,
      [String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

export const notificationTables: SeedTable[] = [notifications, notificationActors, notificationPreferences];
