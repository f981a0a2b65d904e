import type { Sql } from 'postgres';
import type { Factory, Row } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

/**
 * created_at of a message, as text: a JS Date keeps only milliseconds, and the composite FK to the
 * partitioned messages table (ADR 0003) needs the exact microsecond value. Falls back to now for an
 * id that does not exist (a FK test expecting the insert to fail).
 */
async function messageCreatedAt(sql: Sql, id: unknown): Promise<unknown> {
  if (typeof id !== 'string') return new Date();
  const [row] = await sql`SELECT created_at::text AS created_at FROM messages WHERE id = ${id}::uuid`;
  return row ? row.created_at : new Date();
}

/** The message to point at: the given id (and its created_at unless given too), or a new message. */
async function messageRef(sql: Sql, o: Row, idColumn: string, createdAtColumn: string, make: () => Promise<Row>) {
  if (idColumn in o) {
    const createdAt = createdAtColumn in o ? o[createdAtColumn] : await messageCreatedAt(sql, o[idColumn]);
    return { [idColumn]: o[idColumn], [createdAtColumn]: createdAt };
  }
  if (createdAtColumn in o) return {};
  const message = await make();
  return { [idColumn]: message.id, [createdAtColumn]: message.created_at };
}

const rooms: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'rooms', {
    creator_id: await parentId(o, 'creator_id', () => authFactories.users(sql)),
    name: `Room ${token}`,
    slug: `room-${token}`,
    room_type: 'public',
    ...o,
  });
};

const messages: Factory = async (sql, o = {}) => {
  // A reply is created only when asked for; a reply_to_id given alone gets its parent's created_at.
  const reply =
    'reply_to_id' in o ? await messageRef(sql, o, 'reply_to_id', 'reply_to_created_at', () => messages(sql)) : {};
  return insertRow(sql, 'messages', {
    room_id: await parentId(o, 'room_id', () => rooms(sql)),
    sender_id: await parentId(o, 'sender_id', () => authFactories.users(sql)),
    content: `Hello ${uniqueToken()}`,
    // milliseconds only, so that the returned Date is the stored value (see messageCreatedAt)
    created_at: new Date(),
    ...reply,
    ...o,
  });
};

export const chatFactories = {
  rooms,
  room_members: async (sql, o = {}) =>
    insertRow(sql, 'room_members', {
      room_id: await parentId(o, 'room_id', () => rooms(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  messages,
  message_reactions: async (sql, o = {}) =>
    insertRow(sql, 'message_reactions', {
      ...(await messageRef(sql, o, 'message_id', 'message_created_at', () => messages(sql))),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      emoji: '👍',
      ...o,
    }),
  direct_messages: async (sql, o = {}) =>
    insertRow(sql, 'direct_messages', {
      sender_id: await parentId(o, 'sender_id', () => authFactories.users(sql)),
      recipient_id: await parentId(o, 'recipient_id', () => authFactories.users(sql)),
      content: `Hi ${uniqueToken()}`,
      ...o,
    }),
  user_presence: async (sql, o = {}) =>
    insertRow(sql, 'user_presence', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      status: 'online',
      ...o,
    }),
  typing_indicators: async (sql, o = {}) =>
    insertRow(sql, 'typing_indicators', {
      room_id: await parentId(o, 'room_id', () => rooms(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  // Migration 0035 (ADR 0054): an event of the chat event log, in a new room's scope unless told.
  chat_events: async (sql, o = {}) => {
    const roomId = 'scope_id' in o ? o.scope_id : (await rooms(sql)).id;
    return insertRow(sql, 'chat_events', {
      scope_type: 'room',
      scope_id: roomId,
      event_type: 'room.updated',
      payload: { room_id: roomId, changes: {} },
      ...o,
    });
  },
} satisfies Record<string, Factory>;
