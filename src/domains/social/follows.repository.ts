// Every SQL statement of follows and follow requests (issue 15 §1; ADR 0060; migrations 0007, 0039). Counters of
// user_profiles follow the follows rows by trigger (0016): nothing here touches them.
import { sql, type Transaction } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { blocksBetween, visibleDespiteBlocks } from './blocks.repository.ts';

/** A row of a people list: the other account's public name and when the relation began. */
export interface PersonRow {
  id: string;
  username: string;
  display_name: string | null;
  since: Date;
  [POSITION_STAMP]: string;
  /** The relation row's id: the keyset's tie-breaker. */
  row_id: string;
}

/**
 * Serialises everything that changes the relation of two accounts (follow, request, accept, block) for the rest
 * of the transaction: a follow racing a block could otherwise check "no block", then insert its row after the
 * block deleted the follows (ADR 0061). The key does not depend on who acts, so both directions share it.
 */
export async function lockPair(tx: Transaction<DB>, a: string, b: string): Promise<void> {
  const [first, second] = a < b ? [a, b] : [b, a];
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`social-pair:${first}:${second}`}, 0))`.execute(tx);
}

/**
 * Whether `followerId` follows `followingId` (an accepted follow): what other domains ask to apply rule 1 of
 * ADR 0060 (a private profile is seen by its owner and accepted followers only).
 */
export async function isFollower(db: Database, followerId: string, followingId: string): Promise<boolean> {
  const row = await followBetween(db, followerId, followingId).executeTakeFirst();
  return row !== undefined;
}

function followBetween(db: Database, followerId: string, followingId: string) {
  return db
    .selectFrom('follows')
    .select('id')
    .where('follower_id', '=', followerId)
    .where('following_id', '=', followingId);
}

/**
 * Both facts a profile read needs about `viewerId` and another account, in one round trip: whether either blocked
 * the other (isBlockedEitherWay) and whether the viewer follows them (isFollower). Facts only: what they allow is
 * for the caller's policy to say (profilesPolicy.viewProfile).
 */
export async function blockAndFollowBetween(
  db: Database,
  viewerId: string,
  otherId: string,
): Promise<{ blockedEitherWay: boolean; viewerFollows: boolean }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.exists(blocksBetween(db, viewerId, otherId)).as('blocked_either_way'),
      eb.exists(followBetween(db, viewerId, otherId)).as('viewer_follows'),
    ])
    .executeTakeFirstOrThrow();
  return {
    // As isBlockedEitherWay: nobody is blocked from themselves.
    blockedEitherWay: viewerId !== otherId && Boolean(row.blocked_either_way),
    viewerFollows: Boolean(row.viewer_follows),
  };
}

export function createFollowsRepository(pool: Pool) {
  const db = pool.db;

  /**
   * A page of people linked to `userId` by `table`, newest first: the rows where `ownColumn` is the user, the
   * people in `otherColumn`, live accounts only, none blocked either way by the viewer.
   */
  async function people(
    table: 'follows' | 'follow_requests',
    ownColumn: 'follower_id' | 'following_id' | 'target_id',
    otherColumn: 'follower_id' | 'following_id' | 'requester_id',
    userId: string,
    viewerId: string | undefined,
    after: Position | undefined,
    limit: number,
  ): Promise<PersonRow[]> {
    const rel = (column: string) => sql.ref(`rel.${column}`);
    const { rows } = await sql<PersonRow>`
      SELECT users.id, users.username, users.display_name, rel.created_at AS since, rel.id AS row_id,
             ${positionStamp('rel.created_at')} AS ${sql.ref(POSITION_STAMP)}
      FROM ${sql.table(table)} AS rel
      JOIN users ON users.id = ${rel(otherColumn)}
      WHERE ${rel(ownColumn)} = ${userId}::uuid
        AND users.deleted_at IS NULL
        AND ${visibleDespiteBlocks(viewerId, `rel.${otherColumn}`)}
        ${after === undefined ? sql`` : sql`AND ${beforePosition(after, { createdAt: 'rel.created_at', id: 'rel.id' })}`}
      ORDER BY rel.created_at DESC, rel.id DESC
      LIMIT ${pageSize(limit + 1)}`.execute(db);
    return rows;
  }

  return {
    inTransaction: <T>(actorId: string, work: (tx: Transaction<DB>) => Promise<T>): Promise<T> =>
      withActor(db, actorId, work),

    isFollowing: (followerId: string, followingId: string): Promise<boolean> => isFollower(db, followerId, followingId),

    /** Inserts the follow unless it is there: true when it is new. */
    async follow(tx: Transaction<DB>, followerId: string, followingId: string): Promise<boolean> {
      const row = await tx
        .insertInto('follows')
        .values({ follower_id: followerId, following_id: followingId })
        .onConflict((oc) => oc.columns(['follower_id', 'following_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Deletes the follow: true when there was one. */
    async unfollow(tx: Transaction<DB>, followerId: string, followingId: string): Promise<boolean> {
      const rows = await tx
        .deleteFrom('follows')
        .where('follower_id', '=', followerId)
        .where('following_id', '=', followingId)
        .returning('id')
        .execute();
      return rows.length > 0;
    },

    isFollowingIn: (tx: Transaction<DB>, followerId: string, followingId: string): Promise<boolean> =>
      isFollower(tx, followerId, followingId),

    /** Records a pending request unless there is one: true when it is new. */
    async request(tx: Transaction<DB>, requesterId: string, targetId: string): Promise<boolean> {
      const row = await tx
        .insertInto('follow_requests')
        .values({ requester_id: requesterId, target_id: targetId })
        .onConflict((oc) => oc.columns(['requester_id', 'target_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Deletes a pending request (accepted, declined or cancelled): true when there was one. */
    async deleteRequest(tx: Transaction<DB>, requesterId: string, targetId: string): Promise<boolean> {
      const rows = await tx
        .deleteFrom('follow_requests')
        .where('requester_id', '=', requesterId)
        .where('target_id', '=', targetId)
        .returning('id')
        .execute();
      return rows.length > 0;
    },

    /** A block's effect on the graph (ADR 0061): every follow and pending request between the two, both ways. */
    async severBothWays(tx: Transaction<DB>, a: string, b: string): Promise<void> {
      await tx
        .deleteFrom('follows')
        .where((eb) =>
          eb.or([
            eb.and([eb('follower_id', '=', a), eb('following_id', '=', b)]),
            eb.and([eb('follower_id', '=', b), eb('following_id', '=', a)]),
          ]),
        )
        .execute();
      await tx
        .deleteFrom('follow_requests')
        .where((eb) =>
          eb.or([
            eb.and([eb('requester_id', '=', a), eb('target_id', '=', b)]),
            eb.and([eb('requester_id', '=', b), eb('target_id', '=', a)]),
          ]),
        )
        .execute();
    },

    followers: (userId: string, viewerId: string | undefined, after: Position | undefined, limit: number) =>
      people('follows', 'following_id', 'follower_id', userId, viewerId, after, limit),

    following: (userId: string, viewerId: string | undefined, after: Position | undefined, limit: number) =>
      people('follows', 'follower_id', 'following_id', userId, viewerId, after, limit),

    incomingRequests: (userId: string, after: Position | undefined, limit: number) =>
      people('follow_requests', 'target_id', 'requester_id', userId, userId, after, limit),
  };
}

export type FollowsRepository = ReturnType<typeof createFollowsRepository>;
