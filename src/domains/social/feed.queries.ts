// The statements of the social feed's hot paths (spec §9): unexecuted Kysely queries, run by callers and compiled
// as they are by the benchmark (bench/).
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';

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
 * The newest public posts of the people `userId` follows. For each followee, only the head of their posts is read
 * (idx_posts_user_id_created_at, newest first, at most `limit` each), then the heads are merged: the work is bounded
 * by followees × limit, whatever the size of `posts`. A plain `user_id IN (followees)` lets the planner walk every
 * post newest first and filter, reading the whole table for someone who follows a few quiet people.
 */
export function followFeed(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('follows')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('posts')
          .select(POST_CARD)
          .whereRef('posts.user_id', '=', 'follows.following_id')
          .where('posts.visibility', '=', 'public')
          .where('posts.deleted_at', 'is', null)
          .orderBy('posts.created_at', 'desc')
          .orderBy('posts.id', 'desc')
          .limit(pageSize(limit))
          .as('head'),
      (join) => join.onTrue(),
    )
    .selectAll('head')
    .where('follows.follower_id', '=', userId)
    .orderBy('head.created_at', 'desc')
    .orderBy('head.id', 'desc')
    .limit(pageSize(limit));
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
