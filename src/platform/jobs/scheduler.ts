import { PgBoss } from 'pg-boss';
import type { JobDefinition } from './job.ts';

export interface SchedulerOptions {
  url: string;
  jobs: JobDefinition[];
  /** Cron per job name; a job missing here runs on its default schedule. */
  schedules: Record<string, string>;
  /** Runs the job once (and records the run); called by the worker when its schedule fires. */
  run(job: JobDefinition): Promise<unknown>;
  log(line: string): void;
}

/** Bounds each of pg-boss's connection attempts while the database is away (its default is 10 s). */
const SCHEDULER_CONNECT_TIMEOUT_MS = 5_000;
/** While the database is down every worker's poll fails every few seconds; one line per interval is enough. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Logs the first error at once, then at most one line per `intervalMs` saying how many were left unsaid, so an
 * outage of an hour writes a few hundred lines, not tens of thousands.
 */
export function throttledErrorLog(
  log: (line: string) => void,
  intervalMs: number,
  now: () => number = Date.now,
): (error: Error) => void {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const at = now();
    if (at - lastLoggedAt < intervalMs) {
      suppressed += 1;
      return;
    }
    const unsaid = suppressed > 0 ? ` (and ${suppressed} more error(s) since the last report)` : '';
    log(`job scheduler: ${error.message}${unsaid}`);
    lastLoggedAt = at;
    suppressed = 0;
  };
}

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Runs the maintenance jobs on their cron schedules with pg-boss (its tables live in the `pgboss`
 * schema). Each job has its own `stately` queue: across every running instance at most one run is
 * active and at most one waits, so slow runs never pile up and two instances never run a job at once.
 * Schedules are stored in the database, so they survive restarts.
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const boss = new PgBoss({
    connectionString: options.url,
    schema: 'pgboss',
    application_name: 'veza-jobs',
    max: 3,
    connectionTimeoutMillis: SCHEDULER_CONNECT_TIMEOUT_MS,
  });
  // ADR 0029: with a listener, pg-boss reports a lost database here and its workers keep polling, so jobs pause
  // while PostgreSQL is away and resume when it is back; without one, its first 'error' event ends the process.
  boss.on(
    'error',
    throttledErrorLog((line) => options.log(line), ERROR_LOG_INTERVAL_MS),
  );
  await boss.start();
  for (const job of options.jobs) {
    if (!(await boss.getQueue(job.name))) await boss.createQueue(job.name, { policy: 'stately' });
    await boss.schedule(job.name, options.schedules[job.name] ?? job.defaultSchedule, null, { tz: 'UTC' });
    await boss.work(job.name, async () => {
      await options.run(job);
    });
  }
  return { stop: () => boss.stop({ graceful: true, timeout: 30_000 }) };
}
