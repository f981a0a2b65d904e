import type { Config } from '../config/config.ts';
import type { Database } from '../db/pool.ts';
import type { MailerOptions } from '../mail/mailer.ts';

/**
 * The pool or a transaction a job may run SQL on (Kysely over node-postgres, ADR 0028). A Kysely `Transaction`
 * is a `Kysely` bound to one connection, so one type serves both.
 */
export type JobDb = Database;

/** How a job sends mail through the platform mailer: the relay and sender of Config.mail, and Config.nodeEnv. */
export type JobMailSettings = Omit<MailerOptions, 'dataDir'>;

/** The mail settings of a loaded configuration, as the runners (`veza serve`, `veza jobs run`) give them to jobs. */
export function jobMailSettingsOf(config: Pick<Config, 'mail' | 'nodeEnv'>): JobMailSettings {
  return { smtpUrl: config.mail.smtpUrl, from: config.mail.from, nodeEnv: config.nodeEnv };
}

export interface JobContext {
  /** Outside a dry run, the pool; during one, the transaction that is rolled back at the end. */
  db: JobDb;
  dryRun: boolean;
  /**
   * The instant the run measures ages from (retention cutoffs, "today"). Jobs compare against it rather than
   * PostgreSQL's NOW(), so that a test can pin one clock for its fixture and for the job (issue 10).
   */
  now: Date;
  /** Where jobs write files (audit archives, GDPR exports): $VEZA_DATA_DIR. */
  dataDir: string;
  /** $VEZA_REDIS_URL: personal data kept there (chat presence, ADR 0059) is exported and erased too. */
  redisUrl?: string | undefined;
  /** $VEZA_SMTP_URL and $VEZA_MAIL_FROM (jobMailSettingsOf): for the jobs that send mail; unset where none does. */
  mail?: JobMailSettings | undefined;
  log(line: string): void;
  /** Adds `rows` to what this run did to `table` (recorded in job_runs.rows_by_table, shown as progress). */
  count(table: string, rows: number): void;
  /**
   * Runs `work` in a transaction of its own, so a batch holds its locks briefly. During a dry run it is
   * a savepoint of the run's transaction, which is rolled back whole at the end.
   */
  transaction<T>(work: (tx: JobDb) => Promise<T>): Promise<T>;
}

export interface JobDefinition {
  /** Queue name, e.g. `retention.sessions`: lower case, dots between words. */
  name: string;
  description: string;
  /** Cron expression (UTC) used unless the configuration overrides it. */
  defaultSchedule: string;
  run(context: JobContext): Promise<void>;
}
