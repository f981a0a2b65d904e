// The SQL of direct messages (issue 14 §3, ADR 0058). Rows in, rows out.
//
// A message is in its sender's view until is_deleted_by_sender, in its recipient's until is_deleted_by_recipient;
// once both deleted it (or an account went), deleted_at is set and the retention job purges it 30 days later.
// A conversation is found by idx_direct_messages_conversation: (LEAST, GREATEST) of the two ids, created_at DESC.
import { sql, type Expression, type SqlBool } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export interface DirectMessageRow {
  id: string;
  sender_id: string;
  recipient_id: string;
  content: string;
  message_type: 'text' | 'image' | 'audio' | 'video' | 'file';
  attachment_file_id: string | null;
  is_read: boolean;
  read_at: Date | null;
  is_deleted_by_sender: boolean;
  is_deleted_by_recipient: boolean;
  created_at: Date;
  deleted_at: Date | null;
}

export type PagedDirectMessageRow = DirectMessageRow & { [POSITION_STAMP]: string };
export type ConversationRow = PagedDirectMessageRow & { other_id: string; unread_count: number };

const COLUMNS = [
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
  'deleted_at',
] as const;

/** The messages `userId` still sees: theirs on their side, not deleted for good. */
function inViewOf(userId: string): Expression<SqlBool> {
  return sql<SqlBool>`deleted_at IS NULL AND (
    (sender_id = ${userId}::uuid AND NOT is_deleted_by_sender)
    OR (recipient_id = ${userId}::uuid AND NOT is_deleted_by_recipient))`;
}

/** The conversation of two people, in the terms of idx_direct_messages_conversation. */
function between(a: string, b: string): Expression<SqlBool> {
  return sql<SqlBool>`LEAST(sender_id, recipient_id) = LEAST(${a}::uuid, ${b}::uuid)
    AND GREATEST(sender_id, recipient_id) = GREATEST(${a}::uuid, ${b}::uuid)`;
}

export function createDirectRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    /** Runs `work` in one transaction naming the acting user (audit trail, ADR 0013). */
    inTransaction: <T>(actorId: string, work: Parameters<typeof withActor<T>>[2]): Promise<T> =>
      withActor(db, actorId, work),

    async find(id: string): Promise<DirectMessageRow | undefined> {
      return db.selectFrom('direct_messages').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    },

    async lock(tx: Database, id: string): Promise<DirectMessageRow | undefined> {
      return tx.selectFrom('direct_messages').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
    },

    async insert(
      tx: Database,
      values: {
        sender_id: string;
        recipient_id: string;
        content: string;
        message_type: DirectMessageRow['message_type'];
        attachment_file_id: string | null;
      },
    ): Promise<DirectMessageRow> {
      return tx.insertInto('direct_messages').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
    },

    /** A page of the conversation of `userId` with `otherId` as `userId` sees it, newest first; `limit + 1` rows. */
    async conversation(
      userId: string,
      otherId: string,
      after: Position | undefined,
      limit: number,
    ): Promise<PagedDirectMessageRow[]> {
      let query = db
        .selectFrom('direct_messages')
        .select([...COLUMNS, positionStamp().as(POSITION_STAMP)])
        .where(between(userId, otherId))
        .where(inViewOf(userId));
      if (after) query = query.where(beforePosition(after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    /**
     * The conversations of `userId`, by their last message in `userId`'s view, newest first, with the number of
     * messages received and not read; people in `excluded` (blocks) left out. `limit + 1` rows.
     */
    async conversations(
      userId: string,
      excluded: readonly string[],
      after: Position | undefined,
      limit: number,
    ): Promise<ConversationRow[]> {
      const cursor = after
        ? sql`AND (last.created_at, last.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
        : sql``;
      const result = await sql<ConversationRow>`
        WITH last AS (
          SELECT DISTINCT ON (other_id) *
          FROM (
            SELECT CASE WHEN sender_id = ${userId}::uuid THEN recipient_id ELSE sender_id END AS other_id,
                   ${sql.join(COLUMNS.map((column) => sql.ref(column)))}
            FROM direct_messages
            WHERE (sender_id = ${userId}::uuid OR recipient_id = ${userId}::uuid) AND ${inViewOf(userId)}
          ) mine
          WHERE NOT (other_id = ANY(${[...excluded]}::uuid[]))
          ORDER BY other_id, created_at DESC, id DESC
        )
        SELECT last.*, ${positionStamp('last.created_at')} AS ${sql.ref(POSITION_STAMP)},
          (SELECT count(*)::int FROM direct_messages unread
            WHERE unread.recipient_id = ${userId}::uuid AND unread.sender_id = last.other_id
              AND NOT unread.is_read AND NOT unread.is_deleted_by_recipient AND unread.deleted_at IS NULL
          ) AS unread_count
        FROM last
        WHERE true ${cursor}
        ORDER BY last.created_at DESC, last.id DESC
        LIMIT ${pageSize(limit + 1)}`.execute(db);
      return result.rows;
    },

    /**
     * Marks read what `recipientId` received from `senderId` and had not read, up to `upTo` (inclusive) when given;
     * answers the ids marked.
     */
    async markRead(
      tx: Database,
      recipientId: string,
      senderId: string,
      upTo: Position | undefined,
      readAt: Date,
    ): Promise<string[]> {
      let query = tx
        .updateTable('direct_messages')
        .set({ is_read: true, read_at: readAt })
        .where('recipient_id', '=', recipientId)
        .where('sender_id', '=', senderId)
        .where('is_read', '=', false)
        .where('deleted_at', 'is', null);
      if (upTo)
        query = query.where(sql<SqlBool>`(created_at, id) <= (${upTo.createdAt}::timestamptz, ${upTo.id}::uuid)`);
      const rows = await query.returning('id').execute();
      return rows.map((row) => row.id);
    },

    /** The exact position of a message (microseconds kept), to mark read up to it. */
    async positionOf(id: string): Promise<Position | undefined> {
      const row = await db
        .selectFrom('direct_messages')
        .select(['id', positionStamp().as(POSITION_STAMP)])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { createdAt: row[POSITION_STAMP], id: row.id };
    },

    /** Hides a message from one side; once both sides hid it, it is deleted for good (purged 30 days later). */
    async deleteForSide(tx: Database, id: string, side: 'sender' | 'recipient'): Promise<void> {
      const flag = side === 'sender' ? 'is_deleted_by_sender' : 'is_deleted_by_recipient';
      const other = side === 'sender' ? 'is_deleted_by_recipient' : 'is_deleted_by_sender';
      await tx
        .updateTable('direct_messages')
        .set({
          [flag]: true,
          deleted_at: sql<Date | null>`CASE WHEN ${sql.ref(other)} THEN now() ELSE NULL END`,
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type DirectRepository = ReturnType<typeof createDirectRepository>;
