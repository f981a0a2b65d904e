import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  configPath,
  renderPgbackrestConf,
  REPOSITORIES,
  type BackupSettings,
  type RepositoryName,
} from './backup-settings.ts';
import {
  backupAgeSeconds,
  checkRestoreTarget,
  parseInfo,
  parseVerifyOutput,
  type BackupRecord,
  type StanzaInfo,
  type VerifyResult,
} from './backup-info.ts';

export class PgbackrestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgbackrestError';
  }
}

interface Owner {
  uid: number;
  gid: number;
}

/**
 * pgBackRest must read PostgreSQL's files and write a repository that archive_command (run by the server's
 * own user) writes too; when we are root, it runs as the owner of those files rather than as root.
 */
async function ownerOf(settings: BackupSettings): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const reference = settings.postgres?.dataDir ?? settings.dir;
  if (!existsSync(reference)) return undefined;
  const { uid, gid } = await stat(reference);
  return uid === 0 ? undefined : { uid, gid };
}

/** Writes pgbackrest.conf and creates the directories it names, owned by the server's user when we are root. */
export async function writeBackupConfig(settings: BackupSettings): Promise<string> {
  const owner = await ownerOf(settings);
  const dirs = [settings.dir, resolve(settings.dir, 'log'), resolve(settings.dir, 'lock')];
  for (const repo of [settings.daily, settings.monthly]) if (repo.kind === 'local') dirs.push(repo.path);
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    if (owner) await chown(dir, owner.uid, owner.gid);
  }
  const file = configPath(settings);
  // Mode 0640: it may hold S3 keys.
  await writeFile(file, renderPgbackrestConf(settings), { mode: 0o640 });
  await chmod(file, 0o640);
  if (owner) await chown(file, owner.uid, owner.gid);
  return file;
}

export interface RunOptions {
  /** Each line of pgBackRest's output as it comes (progress of a long backup or restore). */
  onLine?: (line: string) => void;
}

/** Runs one pgBackRest command on the stanza; a non-zero exit becomes an error quoting pgBackRest's ERROR lines. */
export async function pgbackrest(settings: BackupSettings, args: string[], options: RunOptions = {}): Promise<string> {
  const file = configPath(settings);
  if (!existsSync(file)) {
    throw new PgbackrestError(
      `no backup configuration at ${file} yet: run "veza backup run" (or "veza backup status") against the database first, or set VEZA_BACKUP_PG_DATA`,
    );
  }
  const owner = await ownerOf(settings);
  const child = spawn(settings.pgbackrest, [`--config=${file}`, `--stanza=${settings.stanza}`, ...args], {
    ...(owner ?? {}),
    cwd: settings.dir,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    if (!options.onLine) return;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const code = await new Promise<number>((done, fail) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new PgbackrestError(`${settings.pgbackrest} is not installed (Debian: apt-get install pgbackrest)`)
          : error,
      ),
    );
    child.once('close', (exitCode) => done(exitCode ?? 1));
  });
  if (pending && options.onLine) options.onLine(pending);
  if (code !== 0) {
    const errors = output
      .split('\n')
      .filter((line) => /ERROR:/.test(line))
      .map((line) => line.replace(/^.*ERROR:\s*/, ''));
    throw new PgbackrestError(
      `pgbackrest ${args[0] ?? ''} failed (exit ${code}): ${errors.join('; ') || output.trim()}`,
    );
  }
  return output;
}

export async function readStanzaInfo(settings: BackupSettings): Promise<StanzaInfo> {
  return parseInfo(await pgbackrest(settings, ['info', '--output=json']), settings.stanza);
}

/**
 * Seconds since the last good backup finished, for /metrics and `veza backup status`; null when there is no
 * backup or no backup configuration. Reads the repository only: it works while the database is down.
 */
export async function lastGoodBackupAgeSeconds(settings: BackupSettings, now = new Date()): Promise<number | null> {
  if (!existsSync(configPath(settings))) return null;
  return backupAgeSeconds(await readStanzaInfo(settings), now);
}

/** stanza-create is idempotent: it succeeds on a stanza that already matches the server. */
export async function createStanza(settings: BackupSettings, options: RunOptions = {}): Promise<void> {
  await pgbackrest(settings, ['stanza-create', '--log-level-console=info'], options);
}

/** Forces a WAL switch and waits until the segment is archived: proof that archive_command works. */
export async function checkArchiving(settings: BackupSettings, options: RunOptions = {}): Promise<void> {
  await pgbackrest(settings, ['check', '--log-level-console=info'], options);
}

export type BackupType = 'full' | 'diff' | 'incr';

/**
 * One backup. Without a type pgBackRest makes an incremental one (a full one when none exists yet); the
 * monthly repository only ever takes full ones. Expiry by the repository's retention follows each backup.
 */
export async function runBackup(
  settings: BackupSettings,
  request: { type?: BackupType; repo?: RepositoryName },
  options: RunOptions = {},
): Promise<BackupRecord> {
  const repo = request.repo ?? 'daily';
  const type = repo === 'monthly' ? 'full' : (request.type ?? 'incr');
  if (repo === 'monthly' && request.type && request.type !== 'full') {
    throw new PgbackrestError('the monthly repository keeps full backups only');
  }
  await pgbackrest(
    settings,
    ['backup', `--repo=${REPOSITORIES[repo]}`, `--type=${type}`, '--log-level-console=info'],
    options,
  );
  const info = await readStanzaInfo(settings);
  const newest = info.backups.filter((backup) => backup.repo === REPOSITORIES[repo]).at(-1);
  if (!newest) throw new PgbackrestError('pgbackrest reported success but lists no backup');
  return newest;
}

/** `pgbackrest verify` of every repository, read from its report (its exit code says nothing of corruption). */
export async function verifyRepositories(settings: BackupSettings): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  for (const repo of Object.values(REPOSITORIES)) {
    const output = await pgbackrest(settings, ['verify', `--repo=${repo}`, '--log-level-console=info']);
    results.push(parseVerifyOutput(output, repo));
  }
  return results;
}

/**
 * Point-in-time restore into an empty directory, to be started as a separate server (a scratch copy, or the
 * new primary after a disaster). Archiving is switched off in the copy: a restored server that promotes and
 * pushes its new timeline into the production repository would change what the next restore replays.
 */
export async function restoreToTime(
  settings: BackupSettings,
  request: { target: Date; targetDir: string; now?: Date },
  options: RunOptions = {},
): Promise<BackupRecord> {
  const info = await readStanzaInfo(settings);
  const from = checkRestoreTarget(info, request.target, request.now ?? new Date());
  await restoreInto(
    settings,
    request.targetDir,
    from,
    ['--type=time', `--target=${pgbackrestTime(request.target)}`, '--target-action=promote'],
    options,
  );
  return from;
}

/**
 * The newest good backup of the daily repository and every WAL segment archived after it: the state of the last
 * archived commit, which is what a disaster recovery gets (and what the scheduled restore test checks). Without a
 * target, PostgreSQL replays to the end of the archive and promotes; a target time past the last archived commit
 * would instead stop recovery with "recovery ended before configured recovery target was reached".
 */
export async function restoreLatest(
  settings: BackupSettings,
  request: { targetDir: string },
  options: RunOptions = {},
): Promise<BackupRecord> {
  const info = await readStanzaInfo(settings);
  const from = info.backups.filter((backup) => !backup.error && backup.repo === REPOSITORIES.daily).at(-1);
  if (!from) throw new PgbackrestError('the daily repository holds no good backup to restore from');
  await restoreInto(settings, request.targetDir, from, [], options);
  return from;
}

async function restoreInto(
  settings: BackupSettings,
  requestedDir: string,
  from: BackupRecord,
  recoveryArgs: string[],
  options: RunOptions,
): Promise<void> {
  const targetDir = resolve(requestedDir);
  if (existsSync(targetDir) && (await readdir(targetDir)).length > 0) {
    throw new PgbackrestError(`restore target directory ${targetDir} is not empty; restore into a new or empty one`);
  }
  const created = !existsSync(targetDir);
  await mkdir(targetDir, { recursive: true, mode: 0o700 });
  await chmod(targetDir, 0o700);
  const owner = await ownerOf(settings);
  if (owner) await chown(targetDir, owner.uid, owner.gid);
  // A restore that fails halfway leaves a data directory that looks startable; nothing of it is kept.
  const discard = async () => {
    if (created) await rm(targetDir, { recursive: true, force: true });
    else
      for (const entry of await readdir(targetDir))
        await rm(resolve(targetDir, entry), { recursive: true, force: true });
  };
  await pgbackrest(
    settings,
    [
      'restore',
      `--pg1-path=${targetDir}`,
      // The backup chosen above, so that what Veza reports is what pgBackRest restores.
      `--repo=${from.repo}`,
      `--set=${from.label}`,
      ...recoveryArgs,
      '--archive-mode=off',
      '--log-level-console=info',
    ],
    options,
  ).catch(async (error: unknown) => {
    await discard();
    throw new PgbackrestError(
      `${(error as Error).message}\nnothing was kept in ${targetDir}; "veza backup verify" tells whether the backup is damaged`,
    );
  });
}

/** The one time format both pgBackRest's backup-set choice and PostgreSQL's recovery_target_time read. */
function pgbackrestTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}
