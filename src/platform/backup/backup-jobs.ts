import { sql } from 'kysely';
import type { JobContext, JobDefinition } from '../jobs/job.ts';
import { readServerArchivingWith } from './archiving-status.ts';
import { backupSettingsFromEnv, BackupSettingsError, type RepositoryName } from './backup-settings.ts';
import { verifyRepositories, type BackupType } from './pgbackrest.ts';
import { runRestoreTest } from './restore-test.ts';
import { filesLocationFromEnv, takeBackup, withServerLocation } from './take-backup.ts';

type Env = Record<string, string | undefined>;

/**
 * Whether `veza serve` schedules the backup jobs: VEZA_BACKUP_SCHEDULE=on, on the one instance that runs on the
 * database host (pgBackRest reads the data directory). Off by default: the embedded development database has no
 * archiving, and an instance elsewhere could not back up (ADR 0097).
 */
export function backupScheduleEnabled(env: Env): boolean {
  const value = env.VEZA_BACKUP_SCHEDULE ?? 'off';
  if (value !== 'on' && value !== 'off') {
    throw new BackupSettingsError(`VEZA_BACKUP_SCHEDULE must be on or off (got "${value}")`);
  }
  return value === 'on';
}

const rowsOf = (context: JobContext) => async (text: string) =>
  (await sql.raw<Record<string, unknown>>(text).execute(context.db)).rows;

async function resolvedSettings(context: JobContext, env: Env) {
  const settings = backupSettingsFromEnv(env, context.dataDir);
  const server = await readServerArchivingWith(rowsOf(context));
  return { settings, server };
}

function backupJob(
  name: string,
  description: string,
  defaultSchedule: string,
  request: { type?: BackupType; repo?: RepositoryName },
  env: Env,
): JobDefinition {
  return {
    name,
    description,
    defaultSchedule,
    async run(context) {
      const { settings, server } = await resolvedSettings(context, env);
      if (context.dryRun) {
        context.log(`${name}: dry run, no ${request.type ?? 'full'} backup taken (stanza ${settings.stanza})`);
        return;
      }
      const started = performance.now();
      const taken = await takeBackup(settings, server, request, {
        env,
        files: filesLocationFromEnv(env, context.dataDir),
      });
      const { backup, files } = taken;
      context.log(
        `${name}: backup ${backup.label} (${backup.type}, repo ${backup.repo}) in ${Math.round(performance.now() - started)} ms, ` +
          `${backup.sizeBytes} bytes, ${backup.repoSizeBytes} stored` +
          (files ? `; files snapshot ${files.files} file(s), ${files.bytes} bytes, ${files.linked} linked` : '') +
          (taken.pruned.length > 0 ? `; dropped file snapshots of expired backups ${taken.pruned.join(', ')}` : ''),
      );
    },
  };
}

/**
 * The spec's rhythm (UTC): a full backup weekly, a differential the other days, incrementals every 6 hours in
 * between, a monthly full kept a year, a weekly verify of every stored checksum and a weekly restore test. Two
 * backups never overlap: the fulls and differentials run at 01:00, the incrementals at 07:00, 13:00 and 19:00, the
 * monthly full at 02:30 on the 1st (a Sunday full of a large database may still hold pgBackRest's lock then; the
 * monthly run then fails and says so, and `veza jobs run backup.monthly` takes it later).
 */
export function backupJobs(env: Env = process.env): JobDefinition[] {
  return [
    backupJob('backup.full', 'full backup into the daily repository (weekly)', '0 1 * * 0', { type: 'full' }, env),
    backupJob(
      'backup.diff',
      'differential backup (changes since the last full) into the daily repository',
      '0 1 * * 1-6',
      { type: 'diff' },
      env,
    ),
    backupJob(
      'backup.incr',
      'incremental backup (changes since the last backup) into the daily repository, every 6 hours',
      '0 7,13,19 * * *',
      { type: 'incr' },
      env,
    ),
    backupJob(
      'backup.monthly',
      'full backup into the monthly repository (12 kept)',
      '30 2 1 * *',
      { repo: 'monthly' },
      env,
    ),
    {
      name: 'backup.verify',
      description: 'check every stored backup file and WAL segment against its checksum (both repositories)',
      defaultSchedule: '0 4 * * 3',
      async run(context) {
        const { settings, server } = await resolvedSettings(context, env);
        const results = await verifyRepositories(await withServerLocation(settings, server));
        const bad = results.filter((result) => !result.ok);
        for (const result of results) {
          context.log(
            `backup.verify: repo ${result.repo} ${result.ok ? 'ok' : 'CORRUPT'} ${result.problems.join('; ')}`,
          );
        }
        if (bad.length > 0) {
          throw new Error(
            `corrupt backup(s): ${bad.flatMap((result) => result.invalidBackups).join(', ') || 'see the problems logged'}; ` +
              `${bad.flatMap((result) => result.problems).join('; ')}`,
          );
        }
      },
    },
    {
      name: 'backup.restore-test',
      description:
        'restore the latest backup into a scratch server, run the schema check and count every table, then delete it',
      defaultSchedule: '0 5 * * 4',
      async run(context) {
        const { settings, server } = await resolvedSettings(context, env);
        const resolved = await withServerLocation(settings, server);
        if (context.dryRun) {
          context.log('backup.restore-test: dry run, nothing restored');
          return;
        }
        const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(context.db);
        const result = await runRestoreTest(resolved, {
          database: rows[0]!.name,
          env,
          log: (line) => context.log(line),
        });
        for (const [table, count] of Object.entries(result.rowCounts)) context.count(table, count);
        for (const problem of result.schemaProblems) context.log(`backup.restore-test: ${problem}`);
        if (!result.ok)
          throw new Error(`restore test of ${result.backup ?? 'the latest backup'} failed: ${result.error}`);
        context.log(
          `backup.restore-test: ${result.backup} restored (${result.durations.restoreMs} ms), recovered ` +
            `(${result.durations.recoveryMs} ms), schema check passed, ${result.tables} tables counted (${result.durations.checkMs} ms)`,
        );
      },
    },
  ];
}
