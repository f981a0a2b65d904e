import { resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** Where the PostgreSQL being backed up keeps its files and how pgBackRest, on the same host, reaches it. */
export interface PostgresLocation {
  dataDir: string;
  port: number;
  /** pgBackRest talks to PostgreSQL through its Unix socket only (no TCP option for the local server). */
  socketDir: string;
}

/** A pgBackRest repository on the local disk, or in an S3 bucket (production; ADR 0091). */
export type Repository =
  | { kind: 'local'; path: string }
  | {
      kind: 's3';
      bucket: string;
      endpoint: string;
      region: string;
      /** Prefix inside the bucket. */
      path: string;
      key: string | undefined;
      keySecret: string | undefined;
    };

/**
 * Everything the generated pgbackrest.conf says. Two repositories (ADR 0091): `daily` keeps 30 days of
 * point-in-time recovery, `monthly` keeps twelve monthly full backups; pgBackRest's retention has no
 * grandfather-father-son scheme of its own, and two repositories express it with its own options.
 */
export interface BackupSettings {
  stanza: string;
  /** The generated pgbackrest.conf, its log and lock directories live here. */
  dir: string;
  daily: Repository;
  monthly: Repository;
  /** Forces a WAL segment switch this often when anything was written: the bound on what a lost disk loses. */
  archiveTimeoutSeconds: number;
  pgbackrest: string;
  /** Unknown to commands that only read the repository (list, verify, restore, the backup age). */
  postgres: PostgresLocation | undefined;
}

export class BackupSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupSettingsError';
  }
}

const STANZA = /^[a-z][a-z0-9_-]{0,62}$/;

function positiveInteger(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BackupSettingsError(`${name} must be an integer from 1 to ${max} (got "${raw}")`);
  }
  return value;
}

/** The repository settings from the environment (README "Configuration", docs/operations.md "Backups"). */
export function backupSettingsFromEnv(env: Env, dataDir: string): BackupSettings {
  const dir = resolve(env.VEZA_BACKUP_DIR || resolve(dataDir, 'backup'));
  const stanza = env.VEZA_BACKUP_STANZA || 'veza';
  if (!STANZA.test(stanza)) {
    throw new BackupSettingsError(`VEZA_BACKUP_STANZA must be lower-case letters, digits, - or _ (got "${stanza}")`);
  }
  const bucket = env.VEZA_BACKUP_S3_BUCKET;
  const daily: Repository = bucket
    ? {
        kind: 's3',
        bucket,
        endpoint: env.VEZA_BACKUP_S3_ENDPOINT || 's3.amazonaws.com',
        region: env.VEZA_BACKUP_S3_REGION || 'us-east-1',
        path: `/${stanza}`,
        key: env.VEZA_BACKUP_S3_KEY,
        keySecret: env.VEZA_BACKUP_S3_KEY_SECRET,
      }
    : { kind: 'local', path: resolve(env.VEZA_BACKUP_REPO_PATH || resolve(dir, 'repo')) };
  const monthly: Repository =
    daily.kind === 's3'
      ? { ...daily, path: `/${stanza}-monthly` }
      : { kind: 'local', path: resolve(env.VEZA_BACKUP_MONTHLY_REPO_PATH || resolve(dir, 'repo-monthly')) };
  const pgData = env.VEZA_BACKUP_PG_DATA;
  const postgres = pgData
    ? {
        dataDir: resolve(pgData),
        port: positiveInteger(env, 'VEZA_BACKUP_PG_PORT', 5432, 65535),
        socketDir: resolve(env.VEZA_BACKUP_PG_SOCKET || '/var/run/postgresql'),
      }
    : undefined;
  return {
    stanza,
    dir,
    daily,
    monthly,
    archiveTimeoutSeconds: positiveInteger(env, 'VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS', 60, 3600),
    pgbackrest: env.VEZA_PGBACKREST || 'pgbackrest',
    postgres,
  };
}

export function configPath(settings: Pick<BackupSettings, 'dir'>): string {
  return resolve(settings.dir, 'pgbackrest.conf');
}

export const REPOSITORIES = { daily: 1, monthly: 2 } as const;
export type RepositoryName = keyof typeof REPOSITORIES;

function repositoryLines(index: number, repo: Repository): string[] {
  if (repo.kind === 'local') return [`repo${index}-path=${repo.path}`];
  return [
    `repo${index}-type=s3`,
    `repo${index}-path=${repo.path}`,
    `repo${index}-s3-bucket=${repo.bucket}`,
    `repo${index}-s3-endpoint=${repo.endpoint}`,
    `repo${index}-s3-region=${repo.region}`,
    // Absent keys: pgBackRest reads PGBACKREST_REPO<n>_S3_KEY(_SECRET) from the environment of whoever runs it.
    ...(repo.key ? [`repo${index}-s3-key=${repo.key}`] : []),
    ...(repo.keySecret ? [`repo${index}-s3-key-secret=${repo.keySecret}`] : []),
  ];
}

/** The text of pgbackrest.conf (ADR 0091). Values are written verbatim: pgBackRest's format has no quoting. */
export function renderPgbackrestConf(settings: BackupSettings): string {
  for (const value of [settings.dir, settings.daily.path, settings.monthly.path, settings.postgres?.dataDir]) {
    if (value && /[\n\r]/.test(value)) throw new BackupSettingsError(`a backup path holds a line break: ${value}`);
  }
  const lines = [
    '# GENERATED by `veza backup` from VEZA_BACKUP_* (docs/operations.md "Backups", ADR 0091); edits are overwritten.',
    '[global]',
    `log-path=${resolve(settings.dir, 'log')}`,
    `lock-path=${resolve(settings.dir, 'lock')}`,
    'log-level-file=info',
    // Checkpoint at once instead of waiting for the next scheduled one: a backup starts when asked.
    'start-fast=y',
    // How long a backup waits for its last WAL segment to be archived. The default 60 s fails a backup started
    // while archive_command still works through a burst (a bulk load, a large migration: the drill's seeding).
    'archive-timeout=600',
    'compress-type=lz4',
    'process-max=2',
    // The daily repository: full weekly, differential daily, incremental every 6 hours (spec). Fulls are kept
    // by age, so that any moment of the last 30 days can be restored with the WAL kept from the oldest full.
    ...repositoryLines(REPOSITORIES.daily, settings.daily),
    `repo${REPOSITORIES.daily}-retention-full-type=time`,
    `repo${REPOSITORIES.daily}-retention-full=30`,
    `repo${REPOSITORIES.daily}-retention-diff=30`,
    // The monthly repository: one full a month, the last twelve kept; WAL only to make each one consistent
    // and to replay from the newest, so the twelve are restore points, not a year of point-in-time recovery.
    ...repositoryLines(REPOSITORIES.monthly, settings.monthly),
    `repo${REPOSITORIES.monthly}-retention-full-type=count`,
    `repo${REPOSITORIES.monthly}-retention-full=12`,
    `repo${REPOSITORIES.monthly}-retention-archive-type=full`,
    `repo${REPOSITORIES.monthly}-retention-archive=1`,
    '',
    `[${settings.stanza}]`,
    ...(settings.postgres
      ? [
          `pg1-path=${settings.postgres.dataDir}`,
          `pg1-port=${settings.postgres.port}`,
          `pg1-socket-path=${settings.postgres.socketDir}`,
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}

/**
 * The server settings continuous archiving needs, as postgresql.conf lines: written at initdb for a cluster
 * Veza starts itself, printed as ALTER SYSTEM statements for a server someone else runs (ADR 0091).
 */
export function archiveSettings(
  settings: BackupSettings,
): Record<'archive_mode' | 'archive_command' | 'archive_timeout', string> {
  return {
    archive_mode: 'on',
    archive_command: `${settings.pgbackrest} --config=${configPath(settings)} --stanza=${settings.stanza} archive-push %p`,
    archive_timeout: `${settings.archiveTimeoutSeconds}s`,
  };
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

export function archiveSettingsConfLines(settings: BackupSettings): string[] {
  return Object.entries(archiveSettings(settings)).map(([name, value]) => `${name} = ${quote(value)}`);
}

export function archiveSettingsStatements(settings: BackupSettings): string[] {
  return Object.entries(archiveSettings(settings)).map(
    ([name, value]) => `ALTER SYSTEM SET ${name} = ${quote(value)};`,
  );
}
