// What moderation (the admin domain, issue 18 §11-12, ADR 0095) may know and change of room messages. Hiding is
// the soft delete the rooms already show as a deleted message (is_deleted, deleted_at); restore clears it within
// the 30-day purge window. Only a member of the room (not banned from it) can see, hence report, a message.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

export const messageModeration = {
  async visibleTo(db: Kysely<DB>, id: string, viewerId: string) {
    const row = await db
      .selectFrom('messages')
      .innerJoin('room_members', (join) =>
        join
          .onRef('room_members.room_id', '=', 'messages.room_id')
          .on('room_members.user_id', '=', viewerId)
          .on('room_members.is_banned', '=', false),
      )
      .select('messages.sender_id')
      .where('messages.id', '=', id)
      .where('messages.is_deleted', '=', false)
      .where('messages.deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { ownerId: row.sender_id };
  },
  async lock(tx: Transaction<DB>, id: string) {
    const row = await tx
      .selectFrom('messages')
      .select(['sender_id', 'is_deleted', 'deleted_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { ownerId: row.sender_id, hidden: row.is_deleted || row.deleted_at !== null };
  },
  async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
    await tx
      .updateTable('messages')
      .set({ is_deleted: hidden, deleted_at: hidden ? sql<Date>`now()` : null })
      .where('id', '=', id)
      .execute();
  },
};
