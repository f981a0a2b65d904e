import { resolve } from 'node:path';
import { archivingDifferences, type ServerArchiving } from './archiving-status.ts';
import type { BackupRecord } from './backup-info.ts';
import { archiveSettingsStatements, type BackupSettings, type RepositoryName } from './backup-settings.ts';
import { fileSnapshotsDir, pruneFileSnapshots, snapshotFiles, type SnapshotResult } from './file-snapshots.ts';
import { createStanza, readStanzaInfo, runBackup, writeBackupConfig, type BackupType } from './pgbackrest.ts';

type Env = Record<string, string | undefined>;

/** Where uploaded files live: only the local backend's are snapshotted (S3: bucket versioning, ADR 0097). */
export interface FilesLocation {
  storage: 'local' | 's3';
  localRoot: string;
}

/** The same reading of VEZA_STORAGE and VEZA_FILES_DIR as the configuration's, for jobs that get no Config. */
export function filesLocationFromEnv(env: Env, dataDir: string): FilesLocation {
  return {
    storage: env.VEZA_STORAGE === 's3' ? 's3' : 'local',
    localRoot: resolve(env.VEZA_FILES_DIR || resolve(dataDir, 'files')),
  };
}

/**
 * The settings with the server's location: from VEZA_BACKUP_PG_* when set, else from the server itself. The
 * configuration file is rewritten whenever the location is known, so it follows VEZA_BACKUP_* changes.
 */
export async function withServerLocation(
  settings: BackupSettings,
  server: ServerArchiving | undefined,
): Promise<BackupSettings> {
  const postgres = settings.postgres ?? server?.location;
  const resolved = { ...settings, postgres };
  if (postgres) await writeBackupConfig(resolved);
  return resolved;
}

export function archivingAdvice(settings: BackupSettings, differences: string[]): string[] {
  return [
    `the server's ${differences.join(', ')} differ(s) from what this backup configuration needs; as a superuser run:`,
    ...archiveSettingsStatements(settings).map((statement) => `  ${statement}`),
    '  then restart PostgreSQL once (archive_mode takes effect at start; ADR 0091)',
  ];
}

export interface TakenBackup {
  backup: BackupRecord;
  /** The snapshot of the local file store tied to the backup's label; undefined with S3 storage. */
  files: SnapshotResult | undefined;
  /** File snapshots dropped because their backup expired. */
  pruned: string[];
}

/**
 * One backup as `veza backup run`, the scheduled jobs and `veza db migrate` in production take it: refuse when the
 * server does not archive as configured (a backup whose WAL never reaches the repository cannot be restored),
 * create the stanza if need be, back up, then snapshot the local file store under the backup's label.
 */
export async function takeBackup(
  settings: BackupSettings,
  server: ServerArchiving,
  request: { type?: BackupType; repo?: RepositoryName },
  options: { env: Env; files: FilesLocation | undefined; onLine?: (line: string) => void },
): Promise<TakenBackup> {
  const resolved = await withServerLocation(settings, server);
  if (!resolved.postgres) throw new Error(`cannot back up: ${server.locationProblem ?? 'unknown server location'}`);
  const differences = archivingDifferences(resolved, server);
  if (differences.length > 0) throw new Error(archivingAdvice(resolved, differences).join('\n'));
  await createStanza(resolved);
  const backup = await runBackup(resolved, request, { onLine: options.onLine });
  if (options.files?.storage !== 'local') return { backup, files: undefined, pruned: [] };
  const snapshots = fileSnapshotsDir(resolved, options.env);
  const files = await snapshotFiles(options.files.localRoot, snapshots, backup.label);
  const held = new Set((await readStanzaInfo(resolved)).backups.map((entry) => entry.label));
  const pruned = await pruneFileSnapshots(snapshots, held);
  return { backup, files, pruned };
}
