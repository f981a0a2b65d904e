import type postgres from 'postgres';

/** A connection or transaction a job may run SQL on (postgres.js). */
export type JobSql = postgres.Sql | postgres.TransactionSql;

export interface JobContext {
  /** Outside a dry run, the pool; during one, the transaction that is rolled back at the end. */
  sql: JobSql;
  dryRun: boolean;
  /** Where jobs write files (audit archives, GDPR exports): $VEZA_DATA_DIR. */
  dataDir: string;
  log(line: string): void;
  /** Adds `rows` to what this run did to `table` (recorded in job_runs.rows_by_table, shown as progress). */
  count(table: string, rows: number): void;
  /**
   * Runs `work` in a transaction of its own, so a batch holds its locks briefly. During a dry run it is
   * a savepoint of the run's transaction, which is rolled back whole at the end.
   */
  transaction<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T>;
}

export interface JobDefinition {
  /** Queue name, e.g. `retention.sessions`: lower case, dots between words. */
  name: string;
  description: string;
  /** Cron expression (UTC) used unless the configuration overrides it. */
  defaultSchedule: string;
  run(context: JobContext): Promise<void>;
}
