import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../platform/config/config.ts';
import {
  archivingDifferences,
  readServerArchiving,
  type ServerArchiving,
} from '../platform/backup/archiving-status.ts';
import { backupAgeSeconds, lastGoodBackup, parseRestoreTarget } from '../platform/backup/backup-info.ts';
import { backupSettingsFromEnv, REPOSITORIES, type RepositoryName } from '../platform/backup/backup-settings.ts';
import {
  fileSnapshotsDir,
  listFileSnapshots,
  restoreFiles,
  snapshotsForRestore,
} from '../platform/backup/file-snapshots.ts';
import { readStanzaInfo, restoreToTime, verifyRepositories, type BackupType } from '../platform/backup/pgbackrest.ts';
import { readLastRestoreTest, runRestoreTest } from '../platform/backup/restore-test.ts';
import { archivingAdvice, takeBackup, withServerLocation } from '../platform/backup/take-backup.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return value as T;
  };
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

const repoName = (repo: number) =>
  (Object.entries(REPOSITORIES).find(([, index]) => index === repo)?.[0] as RepositoryName | undefined) ??
  `repo${repo}`;

export function registerBackupCommands(program: Command, config: () => Config): void {
  const backup = program
    .command('backup')
    .description('backups and point-in-time recovery with pgBackRest (docs/operations.md "Backups", ADR 0091)');
  const settingsOf = () => backupSettingsFromEnv(process.env, config().dataDir);

  backup
    .command('status')
    .description('the last good backup and its age, the repositories, and whether the server archives its WAL')
    .action(async () => {
      const settings = settingsOf();
      const problems: string[] = [];
      let server: ServerArchiving | undefined;
      try {
        server = await withConfiguredDatabase(config(), (url) => readServerArchiving(url));
      } catch (error) {
        problems.push(`the database could not be reached: ${(error as Error).message}`);
      }
      const resolved = await withServerLocation(settings, server);
      if (!resolved.postgres && server?.locationProblem) problems.push(server.locationProblem);
      print(`stanza ${settings.stanza}, configuration ${settings.dir}/pgbackrest.conf`);
      try {
        const info = await readStanzaInfo(resolved);
        for (const repo of info.repos) {
          const count = info.backups.filter((entry) => entry.repo === repo.repo).length;
          print(`  ${repoName(repo.repo).padEnd(8)} ${repo.message}, ${count} backup(s)`);
        }
        const last = lastGoodBackup(info);
        const age = backupAgeSeconds(info, new Date());
        if (last && age !== null) {
          print(
            `last good backup: ${last.label} (${last.type}, ${repoName(last.repo)}) finished ${last.stoppedAt.toISOString()}, ${formatAge(age)} ago`,
          );
          // Read by the node_exporter textfile recipe of docs/operations.md ("Metrics"): keep this line's form.
          print(`backup_age_seconds ${age}`);
        } else {
          problems.push('no good backup yet: run "veza backup run --type full"');
        }
      } catch (error) {
        problems.push((error as Error).message);
      }
      const test = await readLastRestoreTest(settings);
      if (test) {
        print(
          `last restore test: ${test.ok ? 'ok' : 'FAILED'} ${test.startedAt}, backup ${test.backup ?? '(none)'}, ` +
            `${test.tables} tables` +
            (test.error ? `: ${test.error}` : ''),
        );
        if (!test.ok) problems.push(`the last restore test failed: ${test.error}`);
      } else {
        print('last restore test: never run ("veza backup restore-test")');
      }
      if (server) {
        const archived = server.lastArchivedAt
          ? `last WAL ${server.lastArchivedWal} archived ${server.lastArchivedAt.toISOString()}`
          : 'no WAL archived yet';
        print(
          `server archiving: archive_mode=${server.settings.archive_mode}, ${archived}, ${server.failedCount} failure(s)`,
        );
        if (server.lastFailedAt && (!server.lastArchivedAt || server.lastFailedAt > server.lastArchivedAt)) {
          problems.push(
            `the last WAL archiving attempt failed (${server.lastFailedAt.toISOString()}); see the server log`,
          );
        }
        const differences = archivingDifferences(resolved, server);
        if (differences.length > 0) problems.push(archivingAdvice(resolved, differences).join('\n'));
      }
      for (const problem of problems) print(`problem: ${problem}`);
      if (problems.length > 0) process.exitCode = 1;
    });

  backup
    .command('run')
    .description('take a backup now (the stanza is created first if need be)')
    .option(
      '--type <type>',
      'full, diff or incr (default incr, full when there is none)',
      oneOf(['full', 'diff', 'incr']),
    )
    .option('--repo <repo>', 'daily (default) or monthly (full backups only)', oneOf(['daily', 'monthly']))
    .action(async (options: { type?: BackupType; repo?: RepositoryName }) => {
      const settings = settingsOf();
      const server = await withConfiguredDatabase(config(), (url) => readServerArchiving(url));
      const started = Date.now();
      const taken = await takeBackup(settings, server, options, {
        env: process.env,
        files: config().files,
        onLine: (line) => line.includes('INFO:') && print(line),
      });
      const made = taken.backup;
      print(
        `backup ${made.label} (${made.type}, ${repoName(made.repo)}) finished ${made.stoppedAt.toISOString()} in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s: ${made.sizeBytes} bytes, ${made.repoSizeBytes} stored`,
      );
      if (taken.files) {
        print(
          `files snapshot ${taken.files.dir}: ${taken.files.files} file(s), ${taken.files.bytes} bytes (${taken.files.linked} hard-linked)`,
        );
      }
      for (const label of taken.pruned) print(`dropped the file snapshot of expired backup ${label}`);
    });

  backup
    .command('list')
    .description('the backups in every repository, oldest first')
    .action(async () => {
      const resolved = await withServerLocation(settingsOf(), undefined);
      const info = await readStanzaInfo(resolved);
      if (info.backups.length === 0) print(`no backup (${info.status.message})`);
      for (const entry of info.backups) {
        print(
          [
            entry.label.padEnd(34),
            entry.type.padEnd(4),
            repoName(entry.repo).padEnd(7),
            entry.startedAt.toISOString(),
            entry.stoppedAt.toISOString(),
            `${entry.sizeBytes} bytes`,
            `${entry.repoSizeBytes} stored`,
            entry.error ? 'ERROR' : 'ok',
          ].join('  '),
        );
      }
    });

  backup
    .command('verify')
    .description('check every file of every backup and archived WAL segment against its recorded checksum')
    .action(async () => {
      const resolved = await withServerLocation(settingsOf(), undefined);
      for (const result of await verifyRepositories(resolved)) {
        print(`${repoName(result.repo)}: ${result.ok ? 'ok' : 'CORRUPT'}`);
        for (const label of result.invalidBackups) print(`  invalid backup ${label}`);
        for (const problem of result.problems) print(`  ${problem}`);
        if (!result.ok) process.exitCode = 1;
      }
    });

  backup
    .command('restore')
    .description('restore the database as it was at a moment, into a new directory, to start as a separate server')
    .requiredOption('--to <timestamp>', 'the moment, with its time zone (2026-12-07T21:40:00Z)')
    .requiredOption('--target <dir>', 'a new or empty directory for the restored data directory')
    .option(
      '--files-to <dir>',
      "put back into this directory (the local file store, VEZA_FILES_DIR) the stored files of the restored backup's snapshot it lacks",
    )
    .action(async (options: { to: string; target: string; filesTo?: string }) => {
      const target = parseRestoreTarget(options.to);
      const resolved = await withServerLocation(settingsOf(), undefined);
      const from = await restoreToTime(resolved, { target, targetDir: options.target });
      print(
        `restored into ${options.target} from backup ${from.label}; when started it replays WAL up to ${target.toISOString()}, then promotes`,
      );
      const snapshots = fileSnapshotsDir(resolved, process.env);
      const labels = snapshotsForRestore(
        await listFileSnapshots(snapshots),
        (await readStanzaInfo(resolved)).backups,
        from.label,
        target,
      );
      if (options.filesTo) {
        const count = await restoreFiles(snapshots, labels, options.filesTo);
        print(
          `put back ${count} stored file(s) into ${options.filesTo} from file snapshot(s) ${labels.join(', ') || '(none)'}`,
        );
      } else if (labels.length > 0) {
        print(`stored files: add --files-to <VEZA_FILES_DIR> to put back those of snapshot(s) ${labels.join(', ')}`);
      }
      print(`start it on a free port:  pg_ctl -D ${options.target} -o "-c port=55439 -c archive_mode=off" start`);
      print('archiving is off in the copy; turn it on only once it replaces the lost server (ADR 0091)');
    });

  backup
    .command('restore-test')
    .description(
      'restore the latest backup into a scratch server on a free port, run the schema check and count every table, then delete it',
    )
    .action(async () => {
      const settings = config();
      const { database, server } = await withConfiguredDatabase(settings, async (url) => ({
        database: decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres',
        server: await readServerArchiving(url),
      }));
      const resolved = await withServerLocation(settingsOf(), server);
      const result = await runRestoreTest(resolved, { database, env: process.env, log: print });
      for (const problem of result.schemaProblems) print(`  ${problem}`);
      for (const [table, count] of Object.entries(result.rowCounts)) print(`  ${table.padEnd(40)} ${count}`);
      print(
        result.ok
          ? `restore test ok: backup ${result.backup}, schema check passed, ${result.tables} tables counted ` +
              `(restore ${result.durations.restoreMs} ms, recovery ${result.durations.recoveryMs} ms, checks ${result.durations.checkMs} ms)`
          : `restore test FAILED: ${result.error}`,
      );
      if (!result.ok) process.exitCode = 1;
    });
}
