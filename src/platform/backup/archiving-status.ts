import { resolve } from 'node:path';
import pg from 'pg';
import { archiveSettings, type BackupSettings, type PostgresLocation } from './backup-settings.ts';

/** What the running server says about itself: where it is, and how its WAL archiving is doing. */
export interface ServerArchiving {
  location: PostgresLocation | undefined;
  /** Why the location could not be found (no Unix socket, not a superuser). */
  locationProblem: string | undefined;
  settings: Record<'archive_mode' | 'archive_command' | 'archive_timeout', string>;
  lastArchivedWal: string | null;
  lastArchivedAt: Date | null;
  failedCount: number;
  lastFailedAt: Date | null;
}

/** Reads the server's location and archiving state; needs a superuser (or pg_read_all_settings and pg_monitor). */
export async function readServerArchiving(url: string): Promise<ServerArchiving> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readServerArchivingWith(async (text) => (await client.query<Record<string, unknown>>(text)).rows);
  } finally {
    await client.end();
  }
}

/** Runs one statement and gives its rows: a pg client's, or the job runner's pool. */
export type RowsOf = (text: string) => Promise<Record<string, unknown>[]>;

export async function readServerArchivingWith(query: RowsOf): Promise<ServerArchiving> {
  const rows = (await query(
    `SELECT name, setting, unit FROM pg_settings
     WHERE name IN ('data_directory', 'port', 'unix_socket_directories', 'archive_mode', 'archive_command', 'archive_timeout')`,
  )) as { name: string; setting: string }[];
  const setting = (name: string) => rows.find((row) => row.name === name)?.setting ?? '';
  const socketDir = setting('unix_socket_directories')
    .split(',')
    .map((dir) => dir.trim())
    .find((dir) => dir.startsWith('/'));
  const dataDir = setting('data_directory');
  const locationProblem = !dataDir
    ? 'the database user may not read data_directory (a superuser is needed, or VEZA_BACKUP_PG_DATA)'
    : !socketDir
      ? 'the server has no Unix socket directory (unix_socket_directories), which pgBackRest needs to reach it'
      : undefined;
  const [stats] = (await query(
    'SELECT last_archived_wal, last_archived_time, failed_count, last_failed_time FROM pg_stat_archiver',
  )) as {
    last_archived_wal: string | null;
    last_archived_time: Date | null;
    failed_count: string;
    last_failed_time: Date | null;
  }[];
  return {
    location:
      locationProblem === undefined
        ? { dataDir: resolve(dataDir), port: Number(setting('port')), socketDir: socketDir! }
        : undefined,
    locationProblem,
    settings: {
      archive_mode: setting('archive_mode'),
      archive_command: setting('archive_command'),
      archive_timeout: `${setting('archive_timeout')}s`,
    },
    lastArchivedWal: stats?.last_archived_wal ?? null,
    lastArchivedAt: stats?.last_archived_time ?? null,
    failedCount: Number(stats?.failed_count ?? 0),
    lastFailedAt: stats?.last_failed_time ?? null,
  };
}

/** The archive settings the server lacks or holds differently from what the backup configuration needs. */
export function archivingDifferences(settings: BackupSettings, server: ServerArchiving): string[] {
  return Object.entries(archiveSettings(settings))
    .filter(([name, wanted]) => server.settings[name as keyof ServerArchiving['settings']] !== wanted)
    .map(([name]) => name);
}
