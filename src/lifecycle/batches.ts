import type postgres from 'postgres';
import type { JobContext, JobSql } from '../platform/jobs/job.ts';

export const BATCH_SIZE = 10_000;

export type Condition = (sql: JobSql) => postgres.PendingQuery<postgres.Row[]>;

/**
 * Deletes the rows of `table` matching `where`, `batchSize` at a time, each batch in its own short
 * transaction so no lock is held for long (issue 4). `key` must identify a row: on a partitioned
 * table it includes the partition key. Rows locked by someone else are left for the next run.
 */
export async function deleteInBatches(
  context: JobContext,
  table: string,
  where: Condition,
  options: { key?: string[]; batchSize?: number } = {},
): Promise<number> {
  const key = options.key ?? ['id'];
  const batchSize = options.batchSize ?? BATCH_SIZE;
  let total = 0;
  for (;;) {
    const deleted = await context.transaction(async (tx) => {
      const result = await tx`
        DELETE FROM ${tx(table)}
        WHERE (${tx(key)}) IN (
          SELECT ${tx(key)} FROM ${tx(table)} WHERE ${where(tx)} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
      return result.count;
    });
    context.count(table, deleted);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
