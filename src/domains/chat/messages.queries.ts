// The statements of a chat room's hot paths (spec §8): unexecuted Kysely queries, run by callers and compiled as
// they are by the benchmark (bench/).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, type Position } from '../../platform/http/pagination.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * A page of a room's messages, newest first, before `before` when given (keyset over created_at, id).
 * idx_messages_room_id_created_at serves it in every partition; a cursor prunes the partitions after it.
 */
export function roomMessages(db: Executor, roomId: string, before: Position | null, limit: number) {
  let query = db
    .selectFrom('messages')
    .select([
      'id',
      'sender_id',
      'content',
      'message_type',
      'attachment_file_id',
      'reply_to_id',
      'reply_to_created_at',
      'is_edited',
      'is_pinned',
      'created_at',
    ])
    .where('room_id', '=', roomId)
    .where('deleted_at', 'is', null);
  if (before) {
    query = query.where('created_at', '<=', sql<Date>`${before.createdAt}::timestamptz`).where(beforePosition(before));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(pageSize(limit));
}

/** Whether someone may read and write in a room: a member, not banned (uq_room_members_room_user). */
export function roomMembership(db: Executor, roomId: string, userId: string) {
  return db
    .selectFrom('room_members')
    .select(['role', 'is_banned', 'is_muted'])
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId);
}

/** Posts a text message; the trigger counts it in rooms.message_count. */
export function sendMessage(db: Executor, roomId: string, senderId: string, content: string) {
  return db
    .insertInto('messages')
    .values({ room_id: roomId, sender_id: senderId, content })
    .returning(['id', 'created_at']);
}
