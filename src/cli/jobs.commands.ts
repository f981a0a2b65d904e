import type { Command } from 'commander';
import { sql } from 'kysely';
import type { Config } from '../platform/config/config.ts';
import { openPool } from '../platform/db/pool.ts';
import { jobMailSettingsOf } from '../platform/jobs/job.ts';
import { runJob } from '../platform/jobs/run-job.ts';
import { findJob, lifecycleJobs } from '../lifecycle/lifecycle-jobs.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

export function registerJobsCommands(program: Command, config: () => Config): void {
  const jobs = program
    .command('jobs')
    .description('maintenance jobs: retention, anonymisation, partitions, GDPR, views');

  jobs
    .command('list')
    .description('list the jobs with their schedule and last run')
    .action(async () => {
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const { rows: lastRuns } = await sql<{
            job_name: string;
            status: string;
            started_at: Date;
            dry_run: boolean;
          }>`
            SELECT DISTINCT ON (job_name) job_name, status, started_at, dry_run
            FROM job_runs ORDER BY job_name, started_at DESC`.execute(pool.db);
          for (const job of lifecycleJobs) {
            const last = lastRuns.find((run) => run.job_name === job.name);
            const schedule = settings.jobs.schedules[job.name] ?? job.defaultSchedule;
            const lastText = last
              ? `last ${last.status}${last.dry_run ? ' (dry run)' : ''} ${last.started_at.toISOString()}`
              : 'never run';
            print(`${job.name.padEnd(28)} ${schedule.padEnd(16)} ${lastText}\n${' '.repeat(29)}${job.description}`);
          }
        } finally {
          await pool.close();
        }
      });
    });

  jobs
    .command('run <name>')
    .description('run one job now, showing its progress')
    .option('--dry-run', 'do everything in a transaction that is rolled back, and write no file')
    .action(async (name: string, options: { dryRun?: boolean }) => {
      const job = findJob(name);
      if (!job) throw new Error(`no job named ${name}; see "veza jobs list"`);
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const result = await runJob(job, {
            db: pool.db,
            dataDir: settings.dataDir,
            redisUrl: settings.redis.url,
            mail: jobMailSettingsOf(settings),
            dryRun: options.dryRun ?? false,
            triggeredBy: 'manual',
            log: print,
          });
          const rows = Object.entries(result.rowsByTable).map(([table, n]) => `${table}=${n}`);
          print(
            `${job.name} ${result.status}${options.dryRun ? ' (dry run, rolled back)' : ''}: ${rows.join(' ') || 'nothing to do'}`,
          );
          if (result.status === 'failed') process.exitCode = 1;
        } finally {
          await pool.close();
        }
      });
    });
}
