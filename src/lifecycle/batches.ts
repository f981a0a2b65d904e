import { sql, type RawBuilder } from 'kysely';
import type { JobContext, JobDb } from '../platform/jobs/job.ts';

export const BATCH_SIZE = 10_000;

/** A piece of SQL with its parameters (Kysely's `sql` template), spliced into a larger statement. */
export type Fragment = RawBuilder<unknown>;
export type Row = Record<string, unknown>;
/** A condition on the rows of one table; it may name the table's columns qualified by the table's own name. */
export type Where = Fragment;
/** Kept for the callers that name it so. */
export type Condition = Where;

export interface BatchOptions {
  batchSize?: number;
  /** Name the rows are counted under in job_runs.rows_by_table (default: the table). */
  countAs?: string;
}

/**
 * Locks up to `batchSize` rows of `table` matching `where` (skipping rows locked by someone else) and returns
 * their physical addresses grouped by leaf table (the table itself, or its partitions).
 */
async function lockBatch(tx: JobDb, table: string, where: Where, batchSize: number): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ leaf: string; address: string }>`
    SELECT tableoid::regclass::text AS leaf, ctid::text AS address
    FROM ${sql.table(table)} WHERE ${where}
    LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`.execute(tx);
  const byLeaf = new Map<string, string[]>();
  for (const row of rows) {
    const addresses = byLeaf.get(row.leaf);
    if (addresses) addresses.push(row.address);
    else byLeaf.set(row.leaf, [row.address]);
  }
  return byLeaf;
}

/**
 * Runs batches until one comes back smaller than `batchSize`. Each batch is its own transaction
 * (`context.transaction`), so no lock outlives a batch. A batch is found once with LIMIT (partition pruning
 * applies to the parent) and its rows are reached by ctid, a TID scan per leaf: 40 ms for 10k rows of a 2.5M-row
 * login_attempts, where `DELETE … WHERE key IN (SELECT key … LIMIT n)` planned a hash semi-join over the whole
 * table for every batch (0.5-0.8 s, growing with the table). The rows stay locked FOR UPDATE in between, so their
 * ctid cannot change.
 */
async function inBatches(
  context: JobContext,
  table: string,
  where: Where,
  options: BatchOptions,
  touch: (tx: JobDb, leaf: string, addresses: string[]) => Promise<number>,
): Promise<number> {
  const batchSize = options.batchSize ?? BATCH_SIZE;
  let total = 0;
  for (;;) {
    const [found, changed] = await context.transaction(async (tx) => {
      const batch = await lockBatch(tx, table, where, batchSize);
      let rows = 0;
      let count = 0;
      for (const [leaf, addresses] of batch) {
        rows += addresses.length;
        count += await touch(tx, leaf, addresses);
      }
      return [rows, count] as const;
    });
    context.count(options.countAs ?? table, changed);
    total += changed;
    if (found < batchSize) return total;
  }
}

/**
 * Deletes the rows of `table` (plain or partitioned) matching `where`, in batches. `where` is checked again by
 * the DELETE itself. `onDeleted` receives the deleted rows' `returning` columns inside the batch's transaction.
 */
export function purgeInBatches(
  context: JobContext,
  table: string,
  where: Where,
  options: BatchOptions & {
    returning?: string[];
    onDeleted?: (rows: Row[], tx: JobDb) => Promise<void> | void;
  } = {},
): Promise<number> {
  return inBatches(context, table, where, options, async (tx, leaf, addresses) => {
    const returning = options.returning ?? [];
    // `leaf` is a regclass name from the catalog, already quoted where it needs to be.
    const deleted = await sql<Row>`
      DELETE FROM ${sql.raw(leaf)} AS ${sql.id(table)}
      WHERE ctid = ANY(${addresses}::tid[]) AND ${where}
      ${returning.length > 0 ? sql`RETURNING ${sql.join(returning.map((column) => sql.id(column)))}` : sql``}`.execute(
      tx,
    );
    if (options.onDeleted && deleted.rows.length > 0) await options.onDeleted(deleted.rows, tx);
    return Number(deleted.numAffectedRows ?? 0);
  });
}

/**
 * Sets `columns` to NULL on the rows of `table` matching `where`, in batches. `where` must stop matching a row
 * once it is anonymised (e.g. `user_id IS NOT NULL`), or the job would never finish.
 */
export function nullInBatches(
  context: JobContext,
  table: string,
  columns: readonly string[],
  where: Where,
  options: BatchOptions = {},
): Promise<number> {
  return inBatches(context, table, where, options, async (tx, leaf, addresses) => {
    const set = sql.join(columns.map((column) => sql`${sql.id(column)} = NULL`));
    const updated = await sql`
      UPDATE ${sql.raw(leaf)} AS ${sql.id(table)} SET ${set}
      WHERE ctid = ANY(${addresses}::tid[]) AND ${where}`.execute(tx);
    return Number(updated.numAffectedRows ?? 0);
  });
}

/**
 * Deletes the rows of `table` matching `where`, `batchSize` at a time, each batch in its own short
 * transaction so no lock is held for long (issue 4). Rows locked by someone else are left for the next run.
 */
export function deleteInBatches(
  context: JobContext,
  table: string,
  where: Where,
  options: BatchOptions = {},
): Promise<number> {
  return purgeInBatches(context, table, where, options);
}
