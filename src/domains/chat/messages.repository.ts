// The SQL of room messages, reactions, pins and search (issue 14 §2, ADR 0057). Rows in, rows out.
//
// `messages` is partitioned by month on created_at (ADR 0003): a message is named by (id, created_at), and a
// reference to one (a reply, a reaction) must carry created_at to the microsecond. JavaScript Dates keep
// milliseconds only, so every row read here carries `stamp`, its created_at as exact text, and every statement that
// points at a message casts that text back (`${stamp}::timestamptz`).
import { sql, type Transaction } from 'kysely';
import type { DB, MessageType } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { Executor } from './rooms.repository.ts';

/** What a soft-deleted message's content becomes (chk_messages_content_length forbids the empty string). */
export const DELETED_CONTENT = '\u2205';
/** How long a client key finds its message again (ADR 0057): longer than any client retries. */
export const CLIENT_KEY_RETENTION = '24 hours';

export interface MessageRow {
  id: string;
  room_id: string;
  sender_id: string;
  content: string;
  message_type: MessageType;
  attachment_file_id: string | null;
  reply_to_id: string | null;
  reply_to_created_at: Date | null;
  is_edited: boolean;
  edited_at: Date | null;
  is_deleted: boolean;
  is_pinned: boolean;
  metadata: unknown;
  created_at: Date;
  /** created_at to the microsecond, UTC, as the composite keys need it. */
  stamp: string;
}

export interface ReactionCount {
  message_id: string;
  emoji: string;
  count: number;
  mine: boolean;
}

export interface NewMessage {
  room_id: string;
  sender_id: string;
  content: string;
  message_type: MessageType;
  attachment_file_id: string | null;
  reply_to: { id: string; stamp: string } | null;
  metadata: Record<string, unknown> | null;
}

const COLUMNS = [
  'messages.id',
  'messages.room_id',
  'messages.sender_id',
  'messages.content',
  'messages.message_type',
  'messages.attachment_file_id',
  'messages.reply_to_id',
  'messages.reply_to_created_at',
  'messages.is_edited',
  'messages.edited_at',
  'messages.is_deleted',
  'messages.is_pinned',
  'messages.metadata',
  'messages.created_at',
] as const;

function messages(db: Executor) {
  return db.selectFrom('messages').select(COLUMNS).select(positionStamp('messages.created_at').as('stamp'));
}

export type HistoryDirection = 'before' | 'after';

export function createMessagesRepository(pool: Pool) {
  const { db } = pool;
  return {
    async inTransaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    async find(roomId: string, messageId: string, executor: Executor = db): Promise<MessageRow | undefined> {
      return await messages(executor)
        .where('messages.id', '=', messageId)
        .where('messages.room_id', '=', roomId)
        .executeTakeFirst();
    },

    /** Locks the row for a change (FOR UPDATE): concurrent edits, deletes and pins of one message queue up. */
    async findForUpdate(tx: Transaction<DB>, roomId: string, messageId: string): Promise<MessageRow | undefined> {
      return await messages(tx)
        .where('messages.id', '=', messageId)
        .where('messages.room_id', '=', roomId)
        .forUpdate()
        .executeTakeFirst();
    },

    /**
     * Serialises the sends of one (sender, client key) until the transaction ends: the second of two concurrent
     * sends with one key waits here, then finds the first one's message (ADR 0057).
     */
    async lockClientKey(tx: Transaction<DB>, senderId: string, clientKey: string): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`chat-send:${senderId}:${clientKey}`}, 0))`.execute(tx);
    },

    /** The sender's message sent with this client key lately, if any (idx_messages_sender_id, recent partitions). */
    async findByClientKey(tx: Transaction<DB>, senderId: string, clientKey: string): Promise<MessageRow | undefined> {
      return await messages(tx)
        .where('messages.sender_id', '=', senderId)
        .where('messages.created_at', '>', sql<Date>`now() - ${sql.lit(CLIENT_KEY_RETENTION)}::interval`)
        .where(sql<boolean>`messages.metadata->>'client_key' = ${clientKey}`)
        .executeTakeFirst();
    },

    async insert(tx: Transaction<DB>, message: NewMessage): Promise<MessageRow> {
      const { id } = await tx
        .insertInto('messages')
        .values({
          room_id: message.room_id,
          sender_id: message.sender_id,
          content: message.content,
          message_type: message.message_type,
          attachment_file_id: message.attachment_file_id,
          reply_to_id: message.reply_to?.id ?? null,
          reply_to_created_at: message.reply_to ? sql<Date>`${message.reply_to.stamp}::timestamptz` : null,
          metadata: message.metadata === null ? null : JSON.stringify(message.metadata),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return await messages(tx)
        .where('messages.id', '=', id)
        .where('messages.room_id', '=', message.room_id)
        .executeTakeFirstOrThrow();
    },

    async edit(tx: Transaction<DB>, row: MessageRow, content: string, metadata: unknown): Promise<MessageRow> {
      await tx
        .updateTable('messages')
        .set({
          content,
          is_edited: true,
          edited_at: sql<Date>`now()`,
          metadata: metadata === null ? null : JSON.stringify(metadata),
        })
        .where('id', '=', row.id)
        .where('created_at', '=', sql<Date>`${row.stamp}::timestamptz`)
        .execute();
      return await messages(tx)
        .where('messages.id', '=', row.id)
        .where('messages.room_id', '=', row.room_id)
        .executeTakeFirstOrThrow();
    },

    /**
     * Soft delete (issue 14 §2): the row stays as a placeholder in the history, its content, attachment, mentions
     * and reactions erased; deleted_at starts the 30-day purge (spec §18.1) and the trigger uncounts it.
     */
    async softDelete(tx: Transaction<DB>, row: MessageRow): Promise<void> {
      const at = sql<Date>`${row.stamp}::timestamptz`;
      await tx
        .updateTable('messages')
        .set({
          content: DELETED_CONTENT,
          is_deleted: true,
          deleted_at: sql<Date>`now()`,
          attachment_file_id: null,
          is_pinned: false,
          metadata: null,
        })
        .where('id', '=', row.id)
        .where('created_at', '=', at)
        .execute();
      await tx
        .deleteFrom('message_reactions')
        .where('message_id', '=', row.id)
        .where('message_created_at', '=', at)
        .execute();
    },

    async setPinned(tx: Transaction<DB>, row: MessageRow, pinned: boolean): Promise<void> {
      await tx
        .updateTable('messages')
        .set({ is_pinned: pinned })
        .where('id', '=', row.id)
        .where('created_at', '=', sql<Date>`${row.stamp}::timestamptz`)
        .execute();
    },

    /** Adds a reaction; false when the user had already reacted with this emoji. */
    async addReaction(tx: Transaction<DB>, row: MessageRow, userId: string, emoji: string): Promise<boolean> {
      const inserted = await tx
        .insertInto('message_reactions')
        .values({
          message_id: row.id,
          message_created_at: sql<Date>`${row.stamp}::timestamptz`,
          user_id: userId,
          emoji,
        })
        .onConflict((oc) => oc.constraint('uq_message_reactions_message_user_emoji').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async removeReaction(tx: Transaction<DB>, row: MessageRow, userId: string, emoji: string): Promise<boolean> {
      const removed = await tx
        .deleteFrom('message_reactions')
        .where('message_id', '=', row.id)
        .where('message_created_at', '=', sql<Date>`${row.stamp}::timestamptz`)
        .where('user_id', '=', userId)
        .where('emoji', '=', emoji)
        .returning('id')
        .executeTakeFirst();
      return removed !== undefined;
    },

    /** Reaction counts of these messages, and whether `userId` is among each. */
    async reactionsOf(rows: MessageRow[], userId: string): Promise<ReactionCount[]> {
      if (rows.length === 0) return [];
      const keys = rows.map((r) => sql`(${r.id}::uuid, ${r.stamp}::timestamptz)`);
      return await db
        .selectFrom('message_reactions')
        .select([
          'message_id',
          'emoji',
          sql<number>`count(*)::int`.as('count'),
          sql<boolean>`bool_or(user_id = ${userId}::uuid)`.as('mine'),
        ])
        .where(sql<boolean>`(message_id, message_created_at) IN (${sql.join(keys)})`)
        .groupBy(['message_id', 'emoji'])
        .orderBy('message_id')
        .orderBy(sql`min(created_at)`)
        .execute();
    },

    /**
     * A page of a room's history next to `anchor` (exclusive), newest first: `before` walks back in time, `after`
     * forward. Fetches one more row than asked, saying whether there is more that way. Deleted messages stay in
     * as placeholders; idx_messages_room_id_created_at serves both directions.
     */
    async page(
      roomId: string,
      anchor: { stamp: string; id: string } | null,
      direction: HistoryDirection,
      limit: number,
    ): Promise<MessageRow[]> {
      let query = messages(db).where('messages.room_id', '=', roomId);
      if (anchor) {
        query = query.where(
          direction === 'before'
            ? sql<boolean>`(messages.created_at, messages.id) < (${anchor.stamp}::timestamptz, ${anchor.id}::uuid)`
            : sql<boolean>`(messages.created_at, messages.id) > (${anchor.stamp}::timestamptz, ${anchor.id}::uuid)`,
        );
      }
      const order = direction === 'before' ? 'desc' : 'asc';
      const rows = (await query
        .orderBy('messages.created_at', order)
        .orderBy('messages.id', order)
        .limit(pageSize(limit + 1))
        .execute()) as MessageRow[];
      return rows;
    },

    /** The room's pinned messages, newest first (idx_messages_is_pinned). */
    async pinned(roomId: string): Promise<MessageRow[]> {
      return await messages(db)
        .where('messages.room_id', '=', roomId)
        .where('messages.is_pinned', '=', true)
        .where('messages.is_deleted', '=', false)
        .orderBy('messages.created_at', 'desc')
        .orderBy('messages.id', 'desc')
        .limit(pageSize(100))
        .execute();
    },

    /**
     * Full-text search of the messages of the rooms `userId` belongs to (not banned, room not deleted), newest
     * first. The expression repeats idx_messages_content_gin's exactly, so the index serves it.
     */
    async search(
      userId: string,
      q: string,
      roomId: string | undefined,
      before: Position | null,
      limit: number,
    ): Promise<(MessageRow & { [POSITION_STAMP]: string })[]> {
      let query = messages(db)
        .select(positionStamp('messages.created_at').as(POSITION_STAMP))
        .innerJoin('room_members', (join) =>
          join
            .onRef('room_members.room_id', '=', 'messages.room_id')
            .on('room_members.user_id', '=', userId)
            .on('room_members.is_banned', '=', false),
        )
        .innerJoin('rooms', 'rooms.id', 'messages.room_id')
        .where('rooms.deleted_at', 'is', null)
        .where('messages.is_deleted', '=', false)
        .where(sql<boolean>`to_tsvector('english', messages.content) @@ websearch_to_tsquery('english', ${q})`);
      if (roomId !== undefined) query = query.where('messages.room_id', '=', roomId);
      if (before) query = query.where(beforePosition(before, { createdAt: 'messages.created_at', id: 'messages.id' }));
      return await query
        .orderBy('messages.created_at', 'desc')
        .orderBy('messages.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    /** The created_at of a message of the room, exact (for the read marker). */
    async stampOf(roomId: string, messageId: string): Promise<string | undefined> {
      const row = await messages(db)
        .where('messages.id', '=', messageId)
        .where('messages.room_id', '=', roomId)
        .executeTakeFirst();
      return row?.stamp;
    },
  };
}

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
