// Every SQL statement of post comments (issue 15 §3; ADR 0062). A comment is shown only with its post
// (postVisibleTo), when neither its author nor the viewer blocked the other, and when its author's profile
// privacy lets the viewer see it (shared rule 1). comment_count is the 0016 trigger's.
import { sql } from 'kysely';
import { positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { visibleDespiteBlocks } from './blocks.repository.ts';
import type { Executor } from './posts.repository.ts';

/** Rule 1 for a comment's author, plus blocks and deleted accounts. */
function commentVisibleTo(viewerId: string | undefined) {
  const viewer = viewerId === undefined ? sql`NULL::uuid` : sql`${viewerId}::uuid`;
  return sql<boolean>`(
    ${visibleDespiteBlocks(viewerId, 'post_comments.user_id')}
    AND EXISTS (SELECT FROM users cu WHERE cu.id = post_comments.user_id AND cu.deleted_at IS NULL)
    AND (post_comments.user_id = ${viewer}
      OR EXISTS (SELECT FROM posts cp WHERE cp.id = post_comments.post_id AND cp.user_id = ${viewer})
      OR NOT EXISTS (SELECT FROM user_profiles cpr
                     WHERE cpr.user_id = post_comments.user_id AND cpr.profile_visibility = 'private')
      OR EXISTS (SELECT FROM follows cf WHERE cf.follower_id = ${viewer} AND cf.following_id = post_comments.user_id))
    IS TRUE)`;
}

export interface CommentRow {
  id: string;
  post_id: string;
  user_id: string;
  content: string;
  parent_comment_id: string | null;
  reply_count: number;
  created_at: Date;
  updated_at: Date;
  [POSITION_STAMP]: string;
}

function visibleComments(db: Executor, viewerId: string | undefined) {
  return db
    .selectFrom('post_comments')
    .select([
      'post_comments.id',
      'post_comments.post_id',
      'post_comments.user_id',
      'post_comments.content',
      'post_comments.parent_comment_id',
      'post_comments.created_at',
      'post_comments.updated_at',
    ])
    .select([
      sql<number>`(SELECT count(*)::int FROM post_comments r
                   WHERE r.parent_comment_id = post_comments.id AND r.deleted_at IS NULL)`.as('reply_count'),
      positionStamp('post_comments.created_at').as(POSITION_STAMP),
    ])
    .where('post_comments.deleted_at', 'is', null)
    .where(commentVisibleTo(viewerId));
}

/**
 * Top-level comments (parent null) or the replies of one comment, oldest first, keyset on (created_at, id): the
 * unexecuted statement (the benchmark compiles it, bench/workloads.ts), `limit + 1` rows.
 */
export function commentsPageQuery(
  db: Executor,
  viewerId: string | undefined,
  postId: string,
  parentId: string | null,
  limit: number,
  after: Position | undefined,
) {
  let query = visibleComments(db, viewerId)
    .where('post_comments.post_id', '=', postId)
    .where('post_comments.parent_comment_id', parentId === null ? 'is' : '=', parentId)
    .orderBy('post_comments.created_at', 'asc')
    .orderBy('post_comments.id', 'asc')
    .limit(limit + 1);
  if (after)
    query = query.where(
      sql<boolean>`(post_comments.created_at, post_comments.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
    );
  return query;
}

/** Top-level comments (parent null) or the replies of one comment, oldest first, keyset on (created_at, id). */
export async function commentsPage(
  db: Executor,
  viewerId: string | undefined,
  postId: string,
  parentId: string | null,
  limit: number,
  after: Position | undefined,
): Promise<CommentRow[]> {
  return await commentsPageQuery(db, viewerId, postId, parentId, limit, after).execute();
}

export async function findVisibleComment(
  db: Executor,
  viewerId: string | undefined,
  postId: string,
  id: string,
): Promise<CommentRow | undefined> {
  return await visibleComments(db, viewerId)
    .where('post_comments.post_id', '=', postId)
    .where('post_comments.id', '=', id)
    .executeTakeFirst();
}

export async function lockComment(tx: Executor, postId: string, id: string) {
  return tx
    .selectFrom('post_comments')
    .select(['id', 'user_id', 'post_id', 'parent_comment_id', 'deleted_at'])
    .where('post_id', '=', postId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertComment(
  tx: Executor,
  comment: { post_id: string; user_id: string; content: string; parent_comment_id: string | null },
): Promise<string> {
  return (await tx.insertInto('post_comments').values(comment).returning('id').executeTakeFirstOrThrow()).id;
}

export async function editComment(tx: Executor, id: string, content: string): Promise<void> {
  await tx.updateTable('post_comments').set({ content }).where('id', '=', id).execute();
}

export async function softDeleteComment(tx: Executor, id: string): Promise<void> {
  await tx
    .updateTable('post_comments')
    .set({ deleted_at: sql`now()` })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}
