// What moderation (the admin domain, issue 18 §11-12, ADR 0095) may know and change of tracks and their comments.
// A moderator's hiding is the soft delete every read path of this domain already honours (deleted_at; for comments
// also is_deleted), so hidden content leaves listings, the player and the search index at once; the moderation
// log says it was a moderator, and restore clears it again within the 30-day purge window.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

/** The owner of a live track that `viewerId` can see (published public or unlisted, or their own); else undefined. */
async function trackVisibleTo(db: Kysely<DB>, id: string, viewerId: string) {
  const row = await db
    .selectFrom('tracks')
    .select('creator_id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('creator_id', '=', viewerId),
        eb.and([eb('visibility', 'in', ['public', 'unlisted']), eb('published_at', 'is not', null)]),
      ]),
    )
    .executeTakeFirst();
  return row && { ownerId: row.creator_id };
}

export const trackModeration = {
  visibleTo: trackVisibleTo,
  async lock(tx: Transaction<DB>, id: string) {
    const row = await tx
      .selectFrom('tracks')
      .select(['creator_id', 'deleted_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { ownerId: row.creator_id, hidden: row.deleted_at !== null };
  },
  async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
    await tx
      .updateTable('tracks')
      .set({ deleted_at: hidden ? sql<Date>`now()` : null })
      .where('id', '=', id)
      .execute();
  },
};

export const trackCommentModeration = {
  async visibleTo(db: Kysely<DB>, id: string, viewerId: string) {
    const row = await db
      .selectFrom('track_comments')
      .select(['user_id', 'track_id'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .where('is_deleted', '=', false)
      .executeTakeFirst();
    if (!row || !(await trackVisibleTo(db, row.track_id, viewerId))) return undefined;
    return { ownerId: row.user_id };
  },
  async lock(tx: Transaction<DB>, id: string) {
    const row = await tx
      .selectFrom('track_comments')
      .select(['user_id', 'deleted_at', 'is_deleted'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { ownerId: row.user_id, hidden: row.deleted_at !== null || row.is_deleted };
  },
  async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
    await tx
      .updateTable('track_comments')
      .set({ is_deleted: hidden, deleted_at: hidden ? sql<Date>`now()` : null })
      .where('id', '=', id)
      .execute();
  },
};
