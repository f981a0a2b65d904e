// Chat & messaging (spec §8): rooms with their members, the year of messages (spec §1.3: 50M), reactions, direct
// messages, presence and typing indicators. A message, its room and its sender are pure functions of its index, so
// replies and reactions find the (id, created_at) of the message they point to without reading it back.
import type { Row } from '../copy-text.ts';
import type { Rng } from '../random.ts';
import { copyTable, type DerivedTable, type SeedSql, type SeedTable } from '../table.ts';
import { DAY_MS, iso, MINUTE_MS } from '../timeline.ts';
import { coprimeStride, Fanout, streams, Timed, type Universe } from '../universe.ts';
import { sentence, slugify, title } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { userCreated, userId, users } from './auth.ts';
import { personalFileId } from './files.ts';

const S = streams(
  'rooms.id',
  'rooms.attr',
  'rooms.row',
  'rooms.name',
  'room_members.id',
  'room_members.attr',
  'messages.id',
  'messages.core',
  'messages.row',
  'message_reactions.id',
  'direct_messages.id',
  'user_presence.id',
  'typing_indicators.id',
);

export const ROOM_TYPES = ['public', 'private', 'dm'] as const;

export interface Rooms {
  count: number;
  timed: Timed;
  type: Uint8Array;
  creator: Int32Array;
  stride: Int32Array;
  members: Fanout;
}

export function rooms(u: Universe): Rooms {
  return u.cached('rooms', () => {
    const people = users(u);
    const count = u.scaled(VOLUMES.users * VOLUMES.roomsPerUser, 3);
    const created = new Float64Array(count);
    const type = new Uint8Array(count);
    const creator = new Int32Array(count);
    const stride = new Int32Array(count);
    const memberCounts = new Uint32Array(count);
    const rng = u.rng();
    for (let r = 0; r < count; r++) {
      rng.reset(S['rooms.attr'], r);
      created[r] = u.time.entityTime((r + rng.next()) / count);
      const kind = rng.next();
      type[r] = kind < 0.5 ? 0 : kind < 0.8 ? 1 : 2;
      creator[r] = people.timed.pick(created[r] as number, rng.next());
      created[r] = Math.max(created[r] as number, userCreated(u, creator[r] as number) + MINUTE_MS);
      stride[r] = coprimeStride(people.count, rng.next());
      memberCounts[r] =
        type[r] === 2
          ? 2
          : Math.max(
              2,
              rng.exponentialCount(
                type[r] === 0 ? VOLUMES.membersPerPublicRoom : VOLUMES.membersPerPrivateRoom,
                type[r] === 0 ? 2000 : 200,
              ),
            );
      memberCounts[r] = Math.min(memberCounts[r] as number, people.count);
    }
    return { count, timed: new Timed(created), type, creator, stride, members: new Fanout(memberCounts) };
  });
}

export function roomId(u: Universe, room: number): string {
  return u.id(S['rooms.id'], room);
}

/** Member j of a room: distinct users through the room's coprime stride; member 0 is the creator. */
export function roomMember(u: Universe, all: Rooms, room: number, j: number): number {
  return ((all.creator[room] as number) + j * (all.stride[room] as number)) % users(u).count;
}

function memberJoined(u: Universe, all: Rooms, room: number, j: number): number {
  const created = all.timed.created[room] as number;
  if (j === 0) return created;
  const row = (all.members.start[room] as number) + j;
  const from = Math.max(created, userCreated(u, roomMember(u, all, room, j)));
  return u.time.after(from, u.unit(S['room_members.attr'], row) * 0.5);
}

function memberBanned(u: Universe, all: Rooms, room: number, j: number): boolean {
  return j > 0 && u.unit(S['room_members.attr'], (all.members.start[room] as number) + j, 1) < 0.01;
}

/** The name of a room; direct-message rooms have none. */
export function roomName(u: Universe, room: number): string | null {
  if (rooms(u).type[room] === 2) return null;
  const rng = u.rng().reset(S['rooms.name'], room);
  return `${title(rng)} ${rng.pick(['Lounge', 'Studio', 'Collective', 'Club', 'Crew', 'Lab'])}`;
}

const roomsTable = copyTable({
  name: 'rooms',
  dependsOn: ['users'],
  columns: [
    'id',
    'name',
    'slug',
    'description',
    'room_type',
    'is_private',
    'password_hash',
    'max_members',
    'creator_id',
    'member_count',
    'message_count',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => rooms(u).count,
  *rows(u): Iterable<Row> {
    const all = rooms(u);
    const rng = u.rng();
    for (let r = 0; r < all.count; r++) {
      rng.reset(S['rooms.row'], r);
      const type = ROOM_TYPES[all.type[r] as number] as string;
      const name = roomName(u, r);
      const created = all.timed.created[r] as number;
      const deleted = type !== 'dm' && rng.chance(0.01);
      yield [
        roomId(u, r),
        name,
        name ? `${slugify(name)}-${r}` : null,
        name && rng.chance(0.6) ? sentence(rng, 6, 14) : null,
        type,
        type !== 'public',
        null,
        type === 'dm' ? 2 : type === 'private' ? 200 : null,
        userId(u, all.creator[r] as number),
        0,
        0,
        iso(created),
        iso(deleted ? u.time.after(created, 0.9) : created),
        deleted ? iso(u.time.after(created, 0.9)) : null,
      ];
    }
  },
});

const roomMembers = copyTable({
  name: 'room_members',
  dependsOn: ['rooms', 'users'],
  columns: [
    'id',
    'room_id',
    'user_id',
    'role',
    'is_banned',
    'is_muted',
    'last_read_at',
    'joined_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => rooms(u).members.total,
  *rows(u): Iterable<Row> {
    const all = rooms(u);
    const rng = u.rng();
    for (let r = 0; r < all.count; r++) {
      for (let j = 0; j < (all.members.counts[r] as number); j++) {
        const row = (all.members.start[r] as number) + j;
        rng.reset(S['room_members.id'], row);
        const joined = memberJoined(u, all, r, j);
        const banned = memberBanned(u, all, r, j);
        const role = j === 0 ? 'owner' : all.type[r] !== 2 && j < 3 ? (j === 1 ? 'admin' : 'moderator') : 'member';
        yield [
          u.id(S['room_members.id'], row),
          roomId(u, r),
          userId(u, roomMember(u, all, r, j)),
          role,
          banned,
          !banned && rng.chance(0.02),
          rng.chance(0.8) ? iso(u.time.after(joined, 0.5 + rng.next() / 2)) : null,
          iso(joined),
          iso(joined),
          iso(banned ? u.time.after(joined, 0.5) : joined),
        ];
      }
    }
  },
});

interface MessageCore {
  at: number;
  room: number;
  sender: number;
}

/** When message i was sent, in which room, by whom: a pure function of i (replies and reactions recompute it). */
function messageCore(u: Universe, i: number, total: number, rng: Rng): MessageCore {
  const all = rooms(u);
  rng.reset(S['messages.core'], i);
  let at = u.time.eventTime((i + rng.next()) / total);
  // the older rooms are the busier ones
  const room = all.timed.pickSkewed(at, rng.next(), 1.5);
  let j = rng.int(all.members.counts[room] as number);
  if (memberBanned(u, all, room, j) || memberJoined(u, all, room, j) > at) j = 0;
  at = Math.max(at, (all.timed.created[room] as number) + 1000);
  return { at, room, sender: roomMember(u, all, room, j) };
}

/** The sender of message i. */
export function messageSender(u: Universe, i: number): { at: number; sender: number } {
  const core = messageCore(u, i, messageTotal(u), u.rng());
  return { at: core.at, sender: core.sender };
}

export function messageTotal(u: Universe): number {
  return u.scaled(VOLUMES.messages);
}

export function messageId(u: Universe, i: number): string {
  return u.id(S['messages.id'], i);
}

const REPLY_WINDOW = 64;

const messages = copyTable({
  name: 'messages',
  dependsOn: ['rooms', 'users', 'files'],
  columns: [
    'id',
    'room_id',
    'sender_id',
    'content',
    'message_type',
    'attachment_file_id',
    'reply_to_id',
    'reply_to_created_at',
    'is_edited',
    'edited_at',
    'is_deleted',
    'is_pinned',
    'metadata',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: messageTotal,
  *rows(u): Iterable<Row> {
    const total = messageTotal(u);
    const coreRng = u.rng();
    const rng = u.rng();
    // the last messages, for replies: they are generated in order
    const recent: (MessageCore & { created: string })[] = [];
    for (let i = 0; i < total; i++) {
      const core = messageCore(u, i, total, coreRng);
      const created = iso(core.at);
      rng.reset(S['messages.row'], i);
      let replyTo = -1;
      if (rng.chance(0.1)) {
        for (let back = 1; back <= recent.length && replyTo < 0; back++) {
          if ((recent[recent.length - back] as MessageCore).room === core.room) replyTo = i - back;
        }
      }
      const kind = rng.next();
      const type = kind < 0.92 ? 'text' : kind < 0.97 ? 'image' : kind < 0.99 ? 'audio' : 'file';
      const edited = rng.chance(0.03);
      const editedAt = edited ? Math.min(core.at + rng.between(1, 60) * MINUTE_MS, u.time.anchor - 1) : NaN;
      const deleted = rng.chance(0.01);
      const deletedAt = deleted ? Math.min(core.at + rng.between(1, 600) * MINUTE_MS, u.time.anchor - 1) : NaN;
      const reply = replyTo >= 0 ? recent[recent.length - (i - replyTo)] : undefined;
      yield [
        messageId(u, i),
        roomId(u, core.room),
        userId(u, core.sender),
        sentence(rng, 1, 25),
        type,
        type === 'text' ? null : personalFileId(u, core.sender, 1 + rng.int(VOLUMES.personalFilesPerUser - 1)),
        reply ? messageId(u, replyTo) : null,
        reply ? reply.created : null,
        edited,
        edited ? iso(editedAt) : null,
        deleted,
        rng.chance(0.001),
        rng.chance(0.03) ? JSON.stringify({ mentions: [userId(u, users(u).timed.pick(core.at, rng.next()))] }) : null,
        created,
        deleted ? iso(deletedAt) : edited ? iso(editedAt) : created,
        deleted ? iso(deletedAt) : null,
      ];
      recent.push({ ...core, created });
      if (recent.length > REPLY_WINDOW) recent.shift();
    }
  },
});

function reactionTotal(u: Universe): number {
  return Math.round(messageTotal(u) * VOLUMES.messageReactionsPerMessage);
}

const EMOJIS = ['👍', '❤️', '🔥', '😂', '🎧', '🎹', '👏', '💯', '😮', '🙏'];

const messageReactions = copyTable({
  name: 'message_reactions',
  dependsOn: ['messages', 'users'],
  columns: ['id', 'message_id', 'message_created_at', 'user_id', 'emoji', 'created_at', 'updated_at'],
  count: reactionTotal,
  *rows(u): Iterable<Row> {
    const total = messageTotal(u);
    const reactions = reactionTotal(u);
    const block = total / reactions;
    const all = rooms(u);
    const coreRng = u.rng();
    const rng = u.rng();
    for (let k = 0; k < reactions; k++) {
      rng.reset(S['message_reactions.id'], k);
      // one reaction per message, each in its own block of messages: (message, user, emoji) is unique
      const low = Math.floor(k * block);
      const high = Math.floor((k + 1) * block);
      const message = low + Math.floor(rng.next() * (high - low));
      const core = messageCore(u, message, total, coreRng);
      let j = rng.int(all.members.counts[core.room] as number);
      if (memberBanned(u, all, core.room, j)) j = 0;
      const user = roomMember(u, all, core.room, j);
      const at = iso(
        Math.min(Math.max(core.at, userCreated(u, user)) + rng.between(1, 120) * MINUTE_MS, u.time.anchor - 1),
      );
      yield [
        u.id(S['message_reactions.id'], k),
        messageId(u, message),
        iso(core.at),
        userId(u, user),
        rng.pick(EMOJIS),
        at,
        at,
      ];
    }
  },
});

const directMessages = copyTable({
  name: 'direct_messages',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'sender_id',
    'recipient_id',
    'content',
    'message_type',
    'attachment_file_id',
    'is_read',
    'read_at',
    'is_deleted_by_sender',
    'is_deleted_by_recipient',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => u.scaled(VOLUMES.directMessages),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.directMessages);
    const people = users(u);
    const rng = u.rng();
    for (let i = 0; i < total; i++) {
      rng.reset(S['direct_messages.id'], i);
      let at = u.time.eventTime((i + rng.next()) / total);
      const existing = Math.max(2, people.timed.existing(at));
      const sender = people.timed.pickSkewed(at, rng.next(), 1.2);
      // each person writes to a handful of contacts
      let recipient = (sender + 1 + rng.int(8) * 7919) % existing;
      if (recipient === sender) recipient = (recipient + 1) % existing;
      at = Math.max(at, userCreated(u, sender) + 1000, userCreated(u, recipient) + 1000);
      const attachment = rng.chance(0.04);
      const read = rng.chance(0.9);
      const readAt = read ? Math.min(at + rng.between(1, 600) * MINUTE_MS, u.time.anchor - 1) : NaN;
      const deleted = rng.chance(0.005);
      yield [
        u.id(S['direct_messages.id'], i),
        userId(u, sender),
        userId(u, recipient),
        sentence(rng, 1, 30),
        attachment ? 'image' : 'text',
        attachment ? personalFileId(u, sender, 2) : null,
        read,
        read ? iso(readAt) : null,
        rng.chance(0.01),
        rng.chance(0.01),
        iso(at),
        iso(read ? readAt : at),
        deleted ? iso(Math.min(at + DAY_MS, u.time.anchor - 1)) : null,
      ];
    }
  },
});

const userPresence = copyTable({
  name: 'user_presence',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'status',
    'custom_status',
    'current_activity',
    'activity_data',
    'last_seen_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => users(u).count,
  *rows(u): Iterable<Row> {
    const people = users(u);
    const rng = u.rng();
    for (let i = 0; i < people.count; i++) {
      rng.reset(S['user_presence.id'], i);
      const state = rng.next();
      const status = state < 0.05 ? 'online' : state < 0.1 ? 'away' : state < 0.12 ? 'busy' : 'offline';
      const created = userCreated(u, i);
      const seen = status === 'offline' ? u.time.after(created, 0.7 + rng.next() * 0.3) : u.time.anchor - 1000;
      const listening = status === 'online' && rng.chance(0.5);
      yield [
        u.id(S['user_presence.id'], i),
        userId(u, i),
        status,
        rng.chance(0.05) ? rng.pick(['in the studio', 'on tour', 'mixing', 'back next week']) : null,
        listening ? 'listening' : null,
        listening ? JSON.stringify({ source: 'veza' }) : null,
        iso(seen),
        iso(created),
        iso(seen),
      ];
    }
  },
});

function typingCount(u: Universe): number {
  return Math.min(rooms(u).count, u.scaled(VOLUMES.users * VOLUMES.roomsPerUser * VOLUMES.typingIndicatorsPerRoom));
}

const typingIndicators = copyTable({
  name: 'typing_indicators',
  dependsOn: ['rooms', 'users'],
  columns: ['id', 'room_id', 'user_id', 'started_at', 'expires_at', 'created_at', 'updated_at'],
  count: typingCount,
  *rows(u): Iterable<Row> {
    const all = rooms(u);
    const count = typingCount(u);
    // ephemeral rows: a few rooms where someone was typing a moment before the anchor
    for (let k = 0; k < count; k++) {
      const room = all.count - 1 - k;
      const started = u.time.anchor - 5000;
      yield [
        u.id(S['typing_indicators.id'], k),
        roomId(u, room),
        userId(u, all.creator[room] as number),
        iso(started),
        iso(started + 10_000),
        iso(started),
        iso(started),
      ];
    }
  },
});

/**
 * The real-time event log (ADR 0054) holds the last 7 days of deliveries; seeded as the events the write path would
 * have recorded for the messages and direct messages of the week before the anchor (one per room message, one per
 * side of a direct message), in the order they were sent, so that a resume cursor replays them as in production.
 */
const chatEvents: DerivedTable = {
  kind: 'derived',
  name: 'chat_events',
  dependsOn: ['messages', 'direct_messages'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `WITH week AS (SELECT $1::timestamptz - INTERVAL '7 days' AS since, $1::timestamptz AS until),
       events AS (
         SELECT 'room' AS scope_type, m.room_id AS scope_id, 'message.created' AS event_type,
                jsonb_build_object('message', jsonb_build_object(
                  'id', m.id, 'room_id', m.room_id, 'sender_id', m.sender_id, 'content', m.content,
                  'message_type', m.message_type, 'attachment_file_id', m.attachment_file_id,
                  'reply_to_id', m.reply_to_id, 'created_at', m.created_at)) AS payload,
                m.created_at, m.id AS source_id
         FROM messages m, week
         WHERE m.created_at >= week.since AND m.created_at < week.until AND NOT m.is_deleted
         UNION ALL
         SELECT 'user', side.user_id, 'dm.created',
                jsonb_build_object('message', jsonb_build_object(
                  'id', d.id, 'sender_id', d.sender_id, 'recipient_id', d.recipient_id, 'content', d.content,
                  'created_at', d.created_at)),
                d.created_at, d.id
         FROM direct_messages d
         CROSS JOIN LATERAL (VALUES (d.sender_id), (d.recipient_id)) AS side(user_id), week
         WHERE d.created_at >= week.since AND d.created_at < week.until
       )
       INSERT INTO chat_events (id, scope_type, scope_id, event_type, payload, created_at, updated_at)
       SELECT overlay(overlay(md5($2::text || ':' || source_id::text || ':' || scope_id::text) placing '4' from 13)
                      placing '8' from 17)::uuid,
              scope_type, scope_id, event_type, payload, created_at, created_at
       FROM events ORDER BY created_at, source_id, scope_id`,
      [new Date(u.time.anchor), String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

export const chatTables: SeedTable[] = [
  roomsTable,
  roomMembers,
  messages,
  messageReactions,
  directMessages,
  userPresence,
  typingIndicators,
  chatEvents,
];
