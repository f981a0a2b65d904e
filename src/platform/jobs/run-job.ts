import type postgres from 'postgres';
import type { JobContext, JobDefinition } from './job.ts';

export interface RunOptions {
  sql: postgres.Sql;
  dataDir: string;
  dryRun?: boolean;
  triggeredBy: 'schedule' | 'manual';
  log?: (line: string) => void;
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
  const { sql } = options;
  const dryRun = options.dryRun ?? false;
  const log = options.log ?? (() => {});
  const rowsByTable: Record<string, number> = {};
  const [run] = await sql<{ id: string }[]>`
    INSERT INTO job_runs (job_name, triggered_by, dry_run) VALUES (${job.name}, ${options.triggeredBy}, ${dryRun})
    RETURNING id`;
  if (!run) throw new Error('could not record the job run');

  const context = (jobSql: JobContext['sql']): JobContext => ({
    sql: jobSql,
    dryRun,
    dataDir: options.dataDir,
    log,
    count(table, rows) {
      rowsByTable[table] = (rowsByTable[table] ?? 0) + rows;
      if (rows > 0) log(`${job.name}: ${table} ${rowsByTable[table]} row(s)`);
    },
    transaction: <T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> =>
      'savepoint' in jobSql ? (jobSql.savepoint(work) as Promise<T>) : (jobSql.begin(work) as Promise<T>),
  });

  let error: string | null = null;
  try {
    if (dryRun) {
      await sql
        .begin(async (tx) => {
          await job.run(context(tx));
          throw new DryRunRollback();
        })
        .catch((caught: unknown) => {
          if (!(caught instanceof DryRunRollback)) throw caught;
        });
    } else {
      await job.run(context(sql));
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    log(`${job.name} failed: ${error}`);
  }

  const status = error === null ? 'succeeded' : 'failed';
  await sql`
    UPDATE job_runs SET status = ${status}, finished_at = NOW(), rows_by_table = ${sql.json(rowsByTable)},
                        error_message = ${error}
    WHERE id = ${run.id}`;
  return { id: run.id, status, rowsByTable, error };
}
