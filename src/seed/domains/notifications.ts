// Notifications (spec §1.2 "Other", §3.2): what people were told about, spread over the year.
import type { Row } from '../copy-text.ts';
import { cumulative, streamOf } from '../random.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { streams } from '../universe.ts';
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
      const read = rng.chance(0.7);
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

export const notificationTables: SeedTable[] = [notifications];
