// What moderation (the admin domain, issue 18 §11-12, ADR 0095) may know and change of posts, post comments and
// groups. A moderator's hiding is the soft delete (deleted_at) that postVisibleTo, the feeds, profile listings,
// group pages and the search index triggers (migration 0053) already honour, so the content disappears everywhere
// at once; restore clears it within the 30-day purge window (table registry).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { postVisibleTo } from './post-visibility.ts';

async function postOwnerVisibleTo(db: Kysely<DB>, id: string, viewerId: string) {
  const row = await db
    .selectFrom('posts')
    .select('user_id')
    .where('id', '=', id)
    .where(postVisibleTo(viewerId, 'posts'))
    .executeTakeFirst();
  return row && { ownerId: row.user_id };
}

type Table = 'posts' | 'post_comments';

function softDeleted(table: Table) {
  return {
    async lock(tx: Transaction<DB>, id: string) {
      const row = await tx
        .selectFrom(table)
        .select(['user_id', 'deleted_at'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row && { ownerId: row.user_id, hidden: row.deleted_at !== null };
    },
    async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
      await tx
        .updateTable(table)
        .set({ deleted_at: hidden ? sql<Date>`now()` : null })
        .where('id', '=', id)
        .execute();
    },
  };
}

export const postModeration = { visibleTo: postOwnerVisibleTo, ...softDeleted('posts') };

export const postCommentModeration = {
  async visibleTo(db: Kysely<DB>, id: string, viewerId: string) {
    const row = await db
      .selectFrom('post_comments')
      .select(['user_id', 'post_id'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row || !(await postOwnerVisibleTo(db, row.post_id, viewerId))) return undefined;
    return { ownerId: row.user_id };
  },
  ...softDeleted('post_comments'),
};

export const groupModeration = {
  /** A live group: its name and description are shown to everyone, private groups included. */
  async visibleTo(db: Kysely<DB>, id: string, _viewerId: string) {
    const row = await db
      .selectFrom('groups')
      .select('creator_id')
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { ownerId: row.creator_id };
  },
  async lock(tx: Transaction<DB>, id: string) {
    const row = await tx
      .selectFrom('groups')
      .select(['creator_id', 'deleted_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { ownerId: row.creator_id, hidden: row.deleted_at !== null };
  },
  async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
    await tx
      .updateTable('groups')
      .set({ deleted_at: hidden ? sql<Date>`now()` : null })
      .where('id', '=', id)
      .execute();
  },
};
