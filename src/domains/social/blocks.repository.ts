// The SQL of user blocks (spec §9.2, migration 0007). For now only the question other domains ask: may these two
// people reach each other? Blocking itself (routes, reasons) comes with the social issue.
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

/**
 * Whether either user blocked the other (idx_blocks_blocker_id serves both halves). A block works both ways for
 * contact (issue 14 §3: a block prevents direct messages both ways), whoever made it; who blocked whom is never
 * told to the blocked person.
 */
export async function isBlockedEitherWay(db: Database, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const row = await db
    .selectFrom('blocks')
    .select(sql<number>`1`.as('found'))
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
        eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
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
