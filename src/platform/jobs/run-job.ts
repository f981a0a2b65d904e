import { sql } from 'kysely';
import type { Database } from '../db/pool.ts';
import type { JobContext, JobDb, JobDefinition, JobMailSettings } from './job.ts';

export interface RunOptions {
  db: Database;
  dataDir: string;
  /** JobContext.redisUrl: $VEZA_REDIS_URL, when set. */
  redisUrl?: string | undefined;
  /** JobContext.mail: the configuration's mail settings (jobMailSettingsOf). */
  mail?: JobMailSettings | undefined;
  dryRun?: boolean;
  triggeredBy: 'schedule' | 'manual';
  log?: (line: string) => void;
  /** The run's clock (JobContext.now); the current time unless a test pins it. */
  now?: Date;
}

export interface JobRunResult {
  id: string;
  status: 'succeeded' | 'failed';
  rowsByTable: Record<string, number>;
  error: string | null;
}

class DryRunRollback extends Error {}

/** Runs a job once, recording the run (start, end, rows per table, error) in job_runs. */
export async function runJob(job: JobDefinition, options: RunOptions): Promise<JobRunResult> {
  const { db } = options;
  const dryRun = options.dryRun ?? false;
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const rowsByTable: Record<string, number> = {};
  const run = await db
    .insertInto('job_runs')
    .values({ job_name: job.name, triggered_by: options.triggeredBy, dry_run: dryRun })
    .returning('id')
    .executeTakeFirstOrThrow();

  const context = (jobDb: JobDb): JobContext => ({
    db: jobDb,
    dryRun,
    now,
    dataDir: options.dataDir,
    redisUrl: options.redisUrl,
    mail: options.mail,
    log,
    count(table, rows) {
      rowsByTable[table] = (rowsByTable[table] ?? 0) + rows;
      if (rows > 0) log(`${job.name}: ${table} ${rowsByTable[table]} row(s)`);
    },
    // Kysely cannot open a transaction inside one, so a dry run's batches are savepoints of its transaction.
    transaction: <T>(work: (tx: JobDb) => Promise<T>): Promise<T> =>
      dryRun ? inSavepoint(jobDb, work) : jobDb.transaction().execute(work),
  });

  let error: string | null = null;
  try {
    if (dryRun) {
      await db
        .transaction()
        .execute(async (tx) => {
          await job.run(context(tx));
          throw new DryRunRollback();
        })
        .catch((caught: unknown) => {
          if (!(caught instanceof DryRunRollback)) throw caught;
        });
    } else {
      await job.run(context(db));
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    log(`${job.name} failed: ${error}`);
  }

  const status = error === null ? 'succeeded' : 'failed';
  await db
    .updateTable('job_runs')
    .set({
      status,
      finished_at: sql<Date>`NOW()`,
      rows_by_table: JSON.stringify(rowsByTable),
      error_message: error,
    })
    .where('id', '=', run.id)
    .execute();
  return { id: run.id, status, rowsByTable, error };
}

/** Runs `work` inside a savepoint of the transaction `tx`: undone alone if it throws, kept (until the end) if not. */
export async function inSavepoint<T>(tx: JobDb, work: (tx: JobDb) => Promise<T>): Promise<T> {
  await sql`SAVEPOINT job_batch`.execute(tx);
  try {
    const result = await work(tx);
    await sql`RELEASE SAVEPOINT job_batch`.execute(tx);
    return result;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT job_batch`.execute(tx);
    throw error;
  }
}
