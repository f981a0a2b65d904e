// The SQL of user blocks (spec §9.2, migration 0007; ADR 0061): the questions other domains ask (may these two
// people reach each other?), THE block rule of read paths, and blocking itself (createBlocksRepository).
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

/**
 * Whether either user blocked the other (idx_blocks_blocker_id serves both halves). A block works both ways for
 * contact (issue 14 §3: a block prevents direct messages both ways), whoever made it; who blocked whom is never
 * told to the blocked person.
 */
export async function isBlockedEitherWay(db: Database, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const row = await blocksBetween(db, a, b).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The block rows between `a` and `b`, whoever made them: the query behind isBlockedEitherWay. */
export function blocksBetween(db: Database, a: string, b: string) {
  return db
    .selectFrom('blocks')
    .select(sql<number>`1`.as('found'))
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
        eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
      ]),
    );
}

/**
 * Of `others`, those who blocked `userId` or whom `userId` blocked: one query for a list (conversations, presence).
 */
export async function blockedAmong(db: Database, userId: string, others: Iterable<string>): Promise<Set<string>> {
  const wanted = [...new Set(others)].filter((id) => id !== userId);
  if (wanted.length === 0) return new Set();
  const rows = await db
    .selectFrom('blocks')
    .select(['blocker_id', 'blocked_id'])
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', userId), eb('blocked_id', 'in', wanted)]),
        eb.and([eb('blocked_id', '=', userId), eb('blocker_id', 'in', wanted)]),
      ]),
    )
    .execute();
  return new Set(rows.map((row) => (row.blocker_id === userId ? row.blocked_id : row.blocker_id)));
}

/**
 * Everyone `userId` blocked or was blocked by: what a list of theirs leaves out before paging (a conversation with
 * a blocked person is hidden, issue 14 §3), so that pages keep their size.
 */
export async function blockedEitherWayBy(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('blocks')
    .select(sql<string>`CASE WHEN blocker_id = ${userId}::uuid THEN blocked_id ELSE blocker_id END`.as('other_id'))
    .where((eb) => eb.or([eb('blocker_id', '=', userId), eb('blocked_id', '=', userId)]))
    .execute();
  return [...new Set(rows.map((row) => row.other_id))];
}

/**
 * THE block rule of every read path (issue 15 §2), as a condition to put in a query's WHERE: true when the row whose
 * author is `authorColumn` may be shown to `viewerId`, false when either of the two blocked the other. An anonymous
 * viewer (undefined) blocks no one. idx_blocks_blocker_id (and the pair's unique index) serve both halves.
 *
 *   .where(visibleDespiteBlocks(caller?.userId, 'posts.user_id'))
 */
export function visibleDespiteBlocks(viewerId: string | undefined, authorColumn: string): RawBuilder<boolean> {
  if (viewerId === undefined) return sql<boolean>`TRUE`;
  const author = sql.ref(authorColumn);
  return sql<boolean>`NOT EXISTS (
    SELECT FROM blocks
    WHERE (blocks.blocker_id = ${viewerId}::uuid AND blocks.blocked_id = ${author})
       OR (blocks.blocker_id = ${author} AND blocks.blocked_id = ${viewerId}::uuid))`;
}

/** A row of the blocker's list: the blocked account's public name and the block. */
export interface BlockRow {
  id: string;
  username: string;
  display_name: string | null;
  reason: string | null;
  created_at: Date;
  row_id: string;
  [POSITION_STAMP]: string;
}

export function createBlocksRepository(pool: Pool) {
  const db = pool.db;
  return {
    /**
     * Records the block, or keeps the one there (a second block is a no-op); `reason` replaces the note when
     * given (null clears it), and is left alone when undefined. Returns the block as stored.
     */
    async block(
      tx: Transaction<DB>,
      blockerId: string,
      blockedId: string,
      reason: string | null | undefined,
    ): Promise<{ reason: string | null; created_at: Date }> {
      const inserted = await tx
        .insertInto('blocks')
        .values({ blocker_id: blockerId, blocked_id: blockedId, reason: reason ?? null })
        .onConflict((oc) =>
          reason === undefined
            ? oc.columns(['blocker_id', 'blocked_id']).doNothing()
            : oc.columns(['blocker_id', 'blocked_id']).doUpdateSet({ reason: sql`excluded.reason` }),
        )
        .returning(['reason', 'created_at'])
        .executeTakeFirst();
      if (inserted) return inserted;
      return tx
        .selectFrom('blocks')
        .select(['reason', 'created_at'])
        .where('blocker_id', '=', blockerId)
        .where('blocked_id', '=', blockedId)
        .executeTakeFirstOrThrow();
    },

    /** Lifts the caller's block of `blockedId` (a block made by the other person stays): true when there was one. */
    async unblock(blockerId: string, blockedId: string): Promise<boolean> {
      const rows = await db
        .deleteFrom('blocks')
        .where('blocker_id', '=', blockerId)
        .where('blocked_id', '=', blockedId)
        .returning('id')
        .execute();
      return rows.length > 0;
    },

    /** The accounts `blockerId` blocked, newest first (idx_blocks_blocker_id_created_at), live accounts only. */
    async list(blockerId: string, after: Position | undefined, limit: number): Promise<BlockRow[]> {
      return db
        .selectFrom('blocks')
        .innerJoin('users', 'users.id', 'blocks.blocked_id')
        .select([
          'users.id',
          'users.username',
          'users.display_name',
          'blocks.reason',
          'blocks.created_at',
          'blocks.id as row_id',
          positionStamp('blocks.created_at').as(POSITION_STAMP),
        ])
        .where('blocks.blocker_id', '=', blockerId)
        .where('users.deleted_at', 'is', null)
        .$if(after !== undefined, (qb) =>
          qb.where(beforePosition(after as Position, { createdAt: 'blocks.created_at', id: 'blocks.id' })),
        )
        .orderBy('blocks.created_at', 'desc')
        .orderBy('blocks.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },
  };
}

export type BlocksRepository = ReturnType<typeof createBlocksRepository>;
