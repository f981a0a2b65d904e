// Every SQL statement of posts, reposts, likes, pins and post hashtags (issue 15 §3-4; ADR 0062, 0063). Reads go
// through postVisibleTo (post-visibility.ts), the one rule of who sees a post; counters are the triggers' (0016).
import { sql, type InferResult, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { visibleDespiteBlocks } from './blocks.repository.ts';
import { postListedTo, postVisibleTo } from './post-visibility.ts';
import type { ParsedHashtag } from './posts.text.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/** The posts `viewerId` may see, with what a card shows; callers add their filter, order and limit. */
export function visiblePosts(db: Executor, viewerId: string | undefined) {
  const viewer = viewerId === undefined ? sql`NULL::uuid` : sql`${viewerId}::uuid`;
  return db
    .selectFrom('posts')
    .select([
      'posts.id',
      'posts.user_id',
      'posts.content',
      'posts.visibility',
      'posts.image_file_ids',
      'posts.audio_file_id',
      'posts.video_file_id',
      'posts.repost_of_id',
      'posts.like_count',
      'posts.comment_count',
      'posts.repost_count',
      'posts.is_pinned',
      'posts.created_at',
    ])
    .select([
      sql<string | null>`(SELECT gp.group_id FROM group_posts gp WHERE gp.post_id = posts.id)`.as('group_id'),
      // The tag by its primary key, one lookup per hashtag of the post: written as a join, the planner hashed the
      // whole hashtags table for every post of a page (half of a feed page's execution time at scale 0.1).
      sql<string[]>`ARRAY(SELECT (SELECT h.tag FROM hashtags h WHERE h.id = ph.hashtag_id) AS tag FROM post_hashtags ph
                          WHERE ph.post_id = posts.id ORDER BY ph.created_at, tag)`.as('hashtags'),
      sql<boolean>`EXISTS (SELECT FROM post_likes pl WHERE pl.post_id = posts.id AND pl.user_id = ${viewer})`.as(
        'liked_by_me',
      ),
      positionStamp('posts.created_at').as(POSITION_STAMP),
    ])
    .where(postVisibleTo(viewerId, 'posts'));
}

/** A post as `visiblePosts` reads it: the types follow the query and the generated schema. */
export type PostRow = InferResult<ReturnType<typeof visiblePosts>>[number];

export async function findVisible(db: Executor, viewerId: string | undefined, ids: string[]): Promise<PostRow[]> {
  if (ids.length === 0) return [];
  return await visiblePosts(db, viewerId).where('posts.id', 'in', ids).execute();
}

/** The post row itself, whatever its visibility, locked for a change by its author (FOR UPDATE). */
export async function lockPost(db: Executor, id: string) {
  return db
    .selectFrom('posts')
    .select(['id', 'user_id', 'content', 'visibility', 'repost_of_id', 'deleted_at', 'is_pinned'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Rule 2: a profile is a public list, so its unlisted posts are listed only to the author and their followers
 * (who get them in their feed anyway); anyone else reaches them by link only.
 */
function unlistedOnlyForFollowers(viewerId: string | undefined) {
  if (viewerId === undefined) return sql<boolean>`posts.visibility <> 'unlisted'`;
  return sql<boolean>`(posts.visibility <> 'unlisted' OR posts.user_id = ${viewerId}::uuid
    OR EXISTS (SELECT FROM follows uf WHERE uf.follower_id = ${viewerId}::uuid AND uf.following_id = posts.user_id))`;
}

/** A user's posts for their profile, newest first (idx_posts_user_id_created_at), pinned ones left out. */
export async function profilePosts(
  db: Executor,
  viewerId: string | undefined,
  userId: string,
  limit: number,
  after: Position | undefined,
): Promise<PostRow[]> {
  let query = visiblePosts(db, viewerId)
    .where('posts.user_id', '=', userId)
    .where(unlistedOnlyForFollowers(viewerId))
    .where('posts.is_pinned', '=', false)
    .orderBy('posts.created_at', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(limit + 1);
  if (after) query = query.where(beforePosition(after, { createdAt: 'posts.created_at', id: 'posts.id' }));
  return await query.execute();
}

export async function pinnedPosts(db: Executor, viewerId: string | undefined, userId: string): Promise<PostRow[]> {
  return await visiblePosts(db, viewerId)
    .where('posts.user_id', '=', userId)
    .where(unlistedOnlyForFollowers(viewerId))
    .where('posts.is_pinned', '=', true)
    .orderBy('posts.created_at', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(10)
    .execute();
}

/** The posts of a hashtag listed to the viewer (never unlisted), newest use first (idx_post_hashtags_…). */
export async function hashtagPosts(
  db: Executor,
  viewerId: string | undefined,
  hashtagId: string,
  limit: number,
  after: Position | undefined,
): Promise<(PostRow & { use_id: string })[]> {
  let query = db
    .selectFrom('post_hashtags')
    .innerJoin('posts', 'posts.id', 'post_hashtags.post_id')
    .select(['post_hashtags.id as use_id', 'posts.id'])
    .select(positionStamp('post_hashtags.created_at').as('use_stamp'))
    .where('post_hashtags.hashtag_id', '=', hashtagId)
    .where(postListedTo(viewerId, 'posts'))
    .orderBy('post_hashtags.created_at', 'desc')
    .orderBy('post_hashtags.id', 'desc')
    .limit(limit + 1);
  if (after)
    query = query.where(beforePosition(after, { createdAt: 'post_hashtags.created_at', id: 'post_hashtags.id' }));
  const uses = await query.execute();
  const rows = new Map(
    (
      await findVisible(
        db,
        viewerId,
        uses.map((use) => use.id),
      )
    ).map((row) => [row.id, row]),
  );
  return uses.flatMap((use) => {
    const row = rows.get(use.id);
    return row ? [{ ...row, use_id: use.use_id, [POSITION_STAMP]: use.use_stamp }] : [];
  });
}

export interface NewPost {
  user_id: string;
  content: string;
  visibility: 'public' | 'unlisted' | 'private';
  image_file_ids: string[] | null;
  audio_file_id: string | null;
  video_file_id: string | null;
  repost_of_id: string | null;
}

export async function insertPost(tx: Executor, post: NewPost): Promise<string> {
  const row = await tx.insertInto('posts').values(post).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertGroupPost(tx: Executor, groupId: string, postId: string): Promise<void> {
  await tx.insertInto('group_posts').values({ group_id: groupId, post_id: postId }).execute();
}

/** Whether the user is an active member of a live group (locks the membership row against a concurrent ban). */
export async function isActiveGroupMember(tx: Executor, groupId: string, userId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('group_members.id')
    .where('group_members.group_id', '=', groupId)
    .where('group_members.user_id', '=', userId)
    .where('group_members.status', '=', 'active')
    .where('groups.deleted_at', 'is', null)
    .forShare('group_members')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Makes the post's hashtags exactly `tags` (ADR 0063): creates missing hashtags (a concurrent creation of the
 * same slug waits, then is read back), removes the uses no longer there and adds the new ones, in slug order so
 * that concurrent posts lock hashtag rows in the same order. usage_count, first_used_at and last_used_at follow
 * from the rows (0016 triggers; first_used_at is the creation time).
 */
export async function setPostHashtags(tx: Executor, postId: string, tags: ParsedHashtag[]): Promise<void> {
  const sorted = [...tags].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const ids: string[] = [];
  for (const { tag, slug } of sorted) {
    // ON CONFLICT without a target: the slug, or a tag differing only by case, already there.
    await tx
      .insertInto('hashtags')
      .values({ tag, slug })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = await tx
      .selectFrom('hashtags')
      .select('id')
      .where((eb) => eb.or([eb('slug', '=', slug), eb(eb.fn('lower', ['tag']), '=', tag.toLowerCase())]))
      .orderBy(sql`slug = ${slug}`, 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  let removal = tx.deleteFrom('post_hashtags').where('post_id', '=', postId);
  if (ids.length > 0) removal = removal.where('hashtag_id', 'not in', ids);
  await removal.execute();
  for (const id of ids) {
    await tx
      .insertInto('post_hashtags')
      .values({ post_id: postId, hashtag_id: id })
      .onConflict((oc) => oc.columns(['post_id', 'hashtag_id']).doNothing())
      .execute();
  }
}

export async function updatePost(
  tx: Executor,
  id: string,
  change: { content?: string; visibility?: 'public' | 'unlisted' | 'private' },
): Promise<void> {
  await tx.updateTable('posts').set(change).where('id', '=', id).execute();
}

export async function softDeletePost(tx: Executor, id: string): Promise<void> {
  await tx
    .updateTable('posts')
    .set({ deleted_at: sql`now()`, is_pinned: false })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}

export async function setPinned(tx: Executor, id: string, pinned: boolean): Promise<void> {
  await tx.updateTable('posts').set({ is_pinned: pinned }).where('id', '=', id).execute();
}

/** Serialises pin changes of one author (at most MAX_PINNED pinned posts under concurrency). */
export async function lockAuthorPins(tx: Executor, userId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('social.pins'), hashtext(${userId}))`.execute(tx);
}

export async function countPinned(tx: Executor, userId: string): Promise<number> {
  const row = await tx
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('is_pinned', '=', true)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The user's live plain repost (no quote) of `originalId`, if any. */
export async function findRepost(tx: Executor, userId: string, originalId: string) {
  return tx
    .selectFrom('posts')
    .select('id')
    .where('user_id', '=', userId)
    .where('repost_of_id', '=', originalId)
    .where('content', '=', '')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Whether the post is in a private group (a repost would carry it out of the group). */
export async function inPrivateGroup(tx: Executor, postId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('group_posts')
    .innerJoin('groups', 'groups.id', 'group_posts.group_id')
    .select('groups.id')
    .where('group_posts.post_id', '=', postId)
    .where('groups.group_type', '=', 'private')
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the author's profile is private (user_profiles: the one read of it outside profiles, ADR 0062). */
export async function profileIsPrivate(tx: Executor, userId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('user_profiles')
    .select('profile_visibility')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.profile_visibility === 'private';
}

/** Likes a post once; answers whether a row was added (a second like is a no-op). */
export async function like(tx: Executor, userId: string, postId: string): Promise<boolean> {
  const row = await tx
    .insertInto('post_likes')
    .values({ user_id: userId, post_id: postId })
    .onConflict((oc) => oc.columns(['user_id', 'post_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function unlike(tx: Executor, userId: string, postId: string): Promise<boolean> {
  const rows = await tx
    .deleteFrom('post_likes')
    .where('user_id', '=', userId)
    .where('post_id', '=', postId)
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function likeCount(tx: Executor, postId: string): Promise<number> {
  const row = await tx.selectFrom('posts').select('like_count').where('id', '=', postId).executeTakeFirstOrThrow();
  return row.like_count;
}

/** Who liked a post, newest first (idx_post_likes_post_id_created_at), blocked pairs and deleted accounts left out. */
export async function likers(
  db: Executor,
  viewerId: string | undefined,
  postId: string,
  limit: number,
  after: Position | undefined,
) {
  let query = db
    .selectFrom('post_likes')
    .select(['post_likes.id', 'post_likes.user_id', 'post_likes.created_at'])
    .select(positionStamp('post_likes.created_at').as(POSITION_STAMP))
    .where('post_likes.post_id', '=', postId)
    .where(visibleDespiteBlocks(viewerId, 'post_likes.user_id'))
    .where(sql<boolean>`EXISTS (SELECT FROM users u WHERE u.id = post_likes.user_id AND u.deleted_at IS NULL)`)
    .orderBy('post_likes.created_at', 'desc')
    .orderBy('post_likes.id', 'desc')
    .limit(limit + 1);
  if (after) query = query.where(beforePosition(after, { createdAt: 'post_likes.created_at', id: 'post_likes.id' }));
  return query.execute();
}
