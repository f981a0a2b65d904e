// The statements of the social feed's hot paths (spec §9): unexecuted Kysely queries, run by callers and compiled
// as they are by the benchmark (bench/).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { postVisibleTo } from './post-visibility.ts';
import { visiblePosts } from './posts.repository.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const POST_CARD = [
  'posts.id',
  'posts.user_id',
  'posts.content',
  'posts.image_file_ids',
  'posts.audio_file_id',
  'posts.repost_of_id',
  'posts.like_count',
  'posts.comment_count',
  'posts.repost_count',
  'posts.created_at',
] as const;

/**
 * The home feed of `userId` (issue 15 §6, ADR 0064): their feed entries (fanned out on write by the triggers of
 * migration 0041: their own posts, their followees', their active groups'), newest first, `(post_created_at,
 * post_id)` keyset after `after`, each post filtered by the one visibility rule (blocks, private profiles and
 * posts, private groups, deletions). No ranking, nothing injected. Selects up to `limit` whole post rows (ask for
 * one more to know whether a next page exists), so a page is one statement: the rule runs once per entry read.
 */
export function homeFeed(db: Executor, userId: string, after: Position | null, limit: number) {
  let query = visiblePosts(db, userId)
    .innerJoin('feed_entries', 'feed_entries.post_id', 'posts.id')
    .where('feed_entries.user_id', '=', userId)
    .orderBy('feed_entries.post_created_at', 'desc')
    .orderBy('feed_entries.post_id', 'desc')
    .limit(pageSize(limit));
  if (after !== null) {
    query = query.where(
      beforePosition(after, { createdAt: 'feed_entries.post_created_at', id: 'feed_entries.post_id' }),
    );
  }
  return query;
}

/** The first page of the home feed of `userId` (kept under this name for the benchmark, bench/workloads.ts). */
export function followFeed(db: Executor, userId: string, limit: number) {
  return homeFeed(db, userId, null, limit);
}

/**
 * The posts of a group, newest first (idx_group_posts_group_id_created_at; posts and group entries are written in
 * one transaction, so the entry's time is the post's), each filtered by the visibility rule (a private group's
 * posts: its active members only).
 */
export function groupFeed(
  db: Executor,
  viewerId: string | undefined,
  groupId: string,
  after: Position | null,
  limit: number,
) {
  let query = db
    .selectFrom('group_posts')
    .innerJoin('posts', 'posts.id', 'group_posts.post_id')
    .select(['posts.id', positionStamp('group_posts.created_at').as(POSITION_STAMP)])
    .where('group_posts.group_id', '=', groupId)
    .where(postVisibleTo(viewerId, 'posts'))
    .orderBy('group_posts.created_at', 'desc')
    .orderBy('group_posts.post_id', 'desc')
    .limit(pageSize(limit));
  // A post is in at most one group (uq_group_posts_post_id): the post's id breaks ties.
  if (after !== null) {
    query = query.where(beforePosition(after, { createdAt: 'group_posts.created_at', id: 'group_posts.post_id' }));
  }
  return query;
}

/**
 * The fan-out of a post of `userId` as migration 0041's trigger does it (bench/: the time until every follower's
 * feed entry exists): one entry for the author and one per follower.
 */
export function fanOutPost(db: Executor, userId: string, postId: string, createdAt: string) {
  return db
    .insertInto('feed_entries')
    .columns(['user_id', 'post_id', 'post_created_at'])
    .expression(
      db
        .selectFrom('follows')
        .select([
          'follows.follower_id',
          sql<string>`${postId}::uuid`.as('post_id'),
          sql<string>`${createdAt}::timestamptz`.as('post_created_at'),
        ])
        .where('follows.following_id', '=', userId),
    )
    .onConflict((conflict) => conflict.columns(['user_id', 'post_id']).doNothing());
}

/** The newest public posts of everyone (idx_posts_created_at_desc). */
export function latestPosts(db: Executor, limit: number) {
  return db
    .selectFrom('posts')
    .select(POST_CARD)
    .where('posts.visibility', '=', 'public')
    .where('posts.deleted_at', 'is', null)
    .orderBy('posts.created_at', 'desc')
    .limit(pageSize(limit));
}

/** Who follows a user, most recent first (idx_follows_following_id). */
export function followersOf(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('follows')
    .innerJoin('users', 'users.id', 'follows.follower_id')
    .select(['users.id', 'users.username', 'users.display_name', 'follows.created_at'])
    .where('follows.following_id', '=', userId)
    .where('users.deleted_at', 'is', null)
    .orderBy('follows.created_at', 'desc')
    .orderBy('follows.id', 'desc')
    .limit(pageSize(limit));
}

/** Follows someone once: a second follow is a no-op; the trigger counts it on both profiles. */
export function follow(db: Executor, followerId: string, followingId: string) {
  return db
    .insertInto('follows')
    .values({ follower_id: followerId, following_id: followingId })
    .onConflict((conflict) => conflict.columns(['follower_id', 'following_id']).doNothing());
}
