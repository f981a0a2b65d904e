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
  const boss = new PgBoss({ connectionString: options.url, schema: 'pgboss', application_name: 'veza-jobs', max: 3 });
  boss.on('error', (error: Error) => options.log(`job scheduler: ${error.message}`));
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
