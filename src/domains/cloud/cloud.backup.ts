// One backup run (issue 17 §10-11, ADR 0085): the person's uploads and their GDPR export archive, copied into
// <remote root>/<destination>/ on their WebDAV server, incrementally, keeping the last N backups.
//
// Remote layout: files/<file id>/<name> and exports/<archive>.tar.gz are shared by every backup (an unchanged file
// is never sent twice); backups/<run start>.json, the manifest, lists what one backup holds and is written last,
// so a backup exists on the remote exactly when it is complete. Keeping N backups = keeping N manifests and whatever
// they name.
//
// Resuming: a run that failed keeps its start (claimRun), so the next run writes the same backup; the files it sent
// already are skipped like any unchanged file, the transfers it left unfinished are taken up again (same rows).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CronExpressionParser } from 'cron-parser';
import {
  ObjectNotFoundError,
  ownFilesForBackup,
  type BackupSourceFile,
  type storageForDataDir,
} from '../files/index.ts';
import { notify } from '../notifications/index.ts';
import type { SecretBox } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import { exportArchiveTime, exportUserData, userExportDirectory } from '../../lifecycle/gdpr/export.ts';
import { classifyRemoteError, Remote, RemoteError, remoteJoin } from './cloud.remote.ts';
import {
  addRunBytes,
  claimRun,
  findAccount,
  findBackupJob,
  finishRun,
  finishTransfer,
  lastCompletedUpload,
  recordAccountOutcome,
  sealedCredentialsOf,
  startTransfer,
  type AccountRow,
  type AccountStatus,
  type BackupJobRow,
  type RunStatus,
} from './cloud.repository.ts';

/** The purpose the app password is sealed under (SecretBox AAD): it opens as nothing else. */
export const CREDENTIALS_PURPOSE = 'cloud_accounts.encrypted_credentials';
/** A GDPR archive at most this old is sent as it is; an older one (or none) is written anew for the backup. */
export const EXPORT_REUSE_MS = 7 * 86_400_000;
/** Retries of a failing account: the delay doubles from 15 minutes up to a day. */
export const BACKOFF_MIN_MS = 15 * 60_000;
export const BACKOFF_MAX_MS = 86_400_000;

/** Where uploaded files' bytes are (files domain). */
export type ObjectStorage = ReturnType<typeof storageForDataDir>;

export interface BackupDeps {
  db: Database;
  box: SecretBox;
  storage: ObjectStorage;
  dataDir: string;
  allowPrivateHosts: boolean;
  /** Called after each file is sent: the tests stop the server there to interrupt a run. */
  afterTransfer?: (remotePath: string) => Promise<void>;
}

export interface RunSummary {
  backup_job_id: string;
  /** `busy`: another run holds the job, nothing was done. */
  status: RunStatus | 'busy';
  /** The backup's name on the remote (its manifest is backups/<name>.json). */
  backup: string | null;
  uploaded: number;
  skipped: number;
  failed: number;
  bytes: number;
  error: string | null;
}

/** The next start of a five-field cron schedule read in `timezone`, strictly after `after`. */
export function nextScheduledRun(schedule: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: after, tz: timezone }).next().toDate();
}

/**
 * When a failing account is tried again: twice as long as it has been failing (since the start of the run that
 * first failed, which resumed runs keep), between BACKOFF_MIN_MS and BACKOFF_MAX_MS.
 */
export function retryAt(now: Date, failingSince: Date): Date {
  const failing = Math.max(0, now.getTime() - failingSince.getTime());
  return new Date(now.getTime() + Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, failing)));
}

const stampOf = (at: Date) => at.toISOString().replaceAll('-', '').replaceAll(':', '').replace('.', '');

/** A file name safe as one remote path segment. */
function segment(name: string): string {
  const cleaned = name
    .replace(/[\\/\p{Cc}]/gu, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  return cleaned.length > 0 ? cleaned : 'file';
}

interface Item {
  fileId: string | null;
  /** Relative to the backup folder. */
  path: string;
  size: number;
  sha256: string | null;
  open(): Promise<Readable>;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The person's newest GDPR archive when fresh enough, else a new one (not marked as an answered request). */
async function exportArchive(deps: BackupDeps, userId: string, now: Date): Promise<Item> {
  const directory = userExportDirectory(deps.dataDir, userId);
  const names = (await readdir(directory).catch(() => [] as string[]))
    .filter((name) => exportArchiveTime(name) !== undefined)
    .sort();
  const newest = names.at(-1);
  let path: string;
  if (newest && now.getTime() - exportArchiveTime(newest)!.getTime() <= EXPORT_REUSE_MS) path = join(directory, newest);
  else path = (await exportUserData(deps.db, userId, deps.dataDir)).path;
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    fileId: null,
    path: `exports/${name}`,
    size: (await stat(path)).size,
    sha256: await sha256Of(path),
    open: () => Promise.resolve(createReadStream(path)),
  };
}

function fileItem(file: BackupSourceFile): Item {
  return {
    fileId: file.id,
    path: `files/${file.id}/${segment(file.original_filename)}`,
    size: file.size,
    sha256: file.sha256,
    open: () => file.open(),
  };
}

export async function openRemote(deps: Pick<BackupDeps, 'db' | 'box' | 'allowPrivateHosts'>, account: AccountRow) {
  const sealed = await sealedCredentialsOf(deps.db, account.id);
  if (!sealed) throw new Error('cloud account without credentials');
  return new Remote({
    serverUrl: account.server_url,
    username: account.username,
    password: deps.box.open(sealed.toString('utf8'), CREDENTIALS_PURPOSE),
    allowPrivateHosts: deps.allowPrivateHosts,
  });
}

/** The status an account takes after a failure of this kind. */
export function failedStatus(error: RemoteError): AccountStatus {
  return error.kind === 'credentials_rejected' ? 'reauth_required' : 'error';
}

/**
 * Records a failing account and tells its owner — once, when it turns bad, not on every retry of the backoff.
 */
export async function markAccountFailing(db: Database, account: AccountRow, error: RemoteError, now: Date) {
  await db.transaction().execute(async (tx) => {
    const before = await recordAccountOutcome(tx, account.id, {
      status: failedStatus(error),
      last_error: error.message,
    });
    if (before !== 'active' && before !== 'pending') return;
    await notify(
      tx,
      {
        recipientId: account.user_id,
        actorId: null,
        type: 'system',
        // No cloud entity in chk_notifications_entity_type_valid: the notice is about the owner's own account.
        entityType: 'user',
        entityId: account.user_id,
        snippet: `Backups to ${account.display_name ?? new URL(account.server_url).host} are failing: ${error.message}`,
      },
      now,
    );
  });
}

interface ManifestEntry {
  path: string;
  size: number;
  sha256: string | null;
}

/** Keeps the newest `keep` manifests and the files they name; removes the rest of files/ and exports/. */
async function prune(remote: Remote, base: string, keep: number): Promise<void> {
  const manifests = (await remote.list(remoteJoin(base, 'backups')))
    .filter((entry) => !entry.directory && /^\d{8}T\d{9}Z\.json$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const kept = manifests.slice(-keep);
  for (const name of manifests.slice(0, -keep)) await remote.remove(remoteJoin(base, 'backups', name));
  const named = new Set<string>();
  for (const name of kept) {
    const text = await remote.readText(remoteJoin(base, 'backups', name));
    // A manifest we cannot read may name anything: remove nothing rather than part of a backup.
    if (text === undefined) return;
    let files: ManifestEntry[];
    try {
      files = (JSON.parse(text) as { files: ManifestEntry[] }).files;
    } catch {
      return;
    }
    for (const entry of files) named.add(entry.path);
  }
  const namedFolders = new Set([...named].map((path) => path.split('/').slice(0, 2).join('/')));
  for (const entry of await remote.list(remoteJoin(base, 'files'))) {
    if (entry.directory && !namedFolders.has(`files/${entry.name}`))
      await remote.remove(remoteJoin(base, 'files', entry.name));
  }
  for (const entry of await remote.list(remoteJoin(base, 'exports'))) {
    if (!named.has(`exports/${entry.name}`)) await remote.remove(remoteJoin(base, 'exports', entry.name));
  }
}

async function sendItems(
  deps: BackupDeps,
  remote: Remote,
  account: AccountRow,
  job: BackupJobRow,
  base: string,
  items: Item[],
  summary: RunSummary,
) {
  for (const item of items) {
    // remote_path is relative to the account's root (the column's comment): destination included.
    const remotePath = remoteJoin(job.destination_path, item.path);
    const full = remoteJoin(base, item.path);
    const done = await lastCompletedUpload(deps.db, account.id, remotePath);
    if (done && Number(done.bytes_total) === item.size) {
      const there = await remote.stat(full);
      const sameEtag = done.remote_etag === null || there?.etag == null || there.etag === done.remote_etag;
      if (there && !there.directory && there.size === item.size && sameEtag) {
        summary.skipped += 1;
        continue;
      }
    }
    const started = new Date();
    const operation = await startTransfer(deps.db, {
      accountId: account.id,
      jobId: job.id,
      fileId: item.fileId,
      remotePath,
      size: item.size,
      now: started,
    });
    let body: Readable;
    try {
      body = await item.open();
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) throw error;
      await finishTransfer(deps.db, operation, {
        status: 'failed',
        error: 'the stored bytes are missing',
        at: new Date(),
      });
      summary.failed += 1;
      continue;
    }
    try {
      await remote.ensureDirectory(full.slice(0, full.lastIndexOf('/')));
      await remote.upload(full, body, item.size);
      const there = await remote.stat(full);
      await finishTransfer(deps.db, operation, {
        status: 'completed',
        bytes: item.size,
        etag: there?.etag ?? null,
        at: new Date(),
      });
      await addRunBytes(deps.db, job.id, item.size);
      summary.uploaded += 1;
      summary.bytes += item.size;
    } catch (error) {
      body.destroy();
      const failure = classifyRemoteError(error);
      await finishTransfer(deps.db, operation, { status: 'failed', error: failure.message, at: new Date() });
      if (failure.accountWide) throw failure;
      summary.failed += 1;
    }
    await deps.afterTransfer?.(remotePath);
  }
}

/**
 * Runs one backup now. Answers `busy` when another run holds the job. A failure of the account (credentials,
 * full storage, server down) ends the run `failed`, marks the account, notifies its owner when it turned bad,
 * and schedules a retry with backoff; the next run resumes this one.
 */
export async function runBackup(deps: BackupDeps, jobId: string, now: Date): Promise<RunSummary | undefined> {
  const job = await findBackupJob(deps.db, jobId);
  if (!job) return undefined;
  const account = await findAccount(deps.db, job.cloud_account_id);
  if (!account) return undefined;
  const summary: RunSummary = {
    backup_job_id: job.id,
    status: 'busy',
    backup: null,
    uploaded: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    error: null,
  };
  const runStart = await claimRun(deps.db, job.id, now);
  if (!runStart) return summary;
  summary.backup = stampOf(runStart);
  try {
    const remote = await openRemote(deps, account);
    const base = remoteJoin(account.remote_root_path, job.destination_path);
    for (const folder of ['files', 'exports', 'backups']) await remote.ensureDirectory(remoteJoin(base, folder));
    const items: Item[] = [];
    if (job.scope !== 'account_data')
      items.push(...(await ownFilesForBackup(deps.db, account.user_id, deps.storage)).map(fileItem));
    if (job.scope === 'all' || job.scope === 'account_data')
      items.push(await exportArchive(deps, account.user_id, now));
    await sendItems(deps, remote, account, job, base, items, summary);
    const manifest = JSON.stringify(
      {
        format: 'veza-cloud-backup/1',
        backup: summary.backup,
        started_at: runStart.toISOString(),
        files: items.map((item): ManifestEntry => ({ path: item.path, size: item.size, sha256: item.sha256 })),
      },
      null,
      2,
    );
    await remote.upload(remoteJoin(base, 'backups', `${summary.backup}.json`), manifest, Buffer.byteLength(manifest));
    if (job.retention_count !== null) await prune(remote, base, job.retention_count);
    const finished = new Date(Math.max(Date.now(), runStart.getTime()));
    summary.status = summary.failed > 0 ? 'partial' : 'succeeded';
    await finishRun(deps.db, job.id, {
      status: summary.status,
      finishedAt: finished,
      lastError: summary.failed > 0 ? `${summary.failed} file(s) could not be sent` : null,
      nextRunAt: job.schedule && job.status === 'active' ? nextScheduledRun(job.schedule, job.timezone, now) : null,
    });
    await deps.db
      .transaction()
      .execute((tx) =>
        recordAccountOutcome(tx, account.id, { status: 'active', last_error: null, synced_at: finished }),
      );
    return summary;
  } catch (error) {
    const failure = error instanceof RemoteError ? error : classifyRemoteError(error);
    // Not a remote failure (our storage, the database): recorded on the job, the account is not blamed.
    const remoteFailure = error instanceof RemoteError;
    summary.status = 'failed';
    summary.error = remoteFailure ? failure.message : 'the backup failed on our side; it will be retried';
    await finishRun(deps.db, job.id, {
      status: 'failed',
      finishedAt: new Date(Math.max(Date.now(), runStart.getTime())),
      lastError: summary.error,
      nextRunAt: job.status === 'active' ? retryAt(now, runStart) : null,
    });
    if (!remoteFailure) throw error;
    await markAccountFailing(deps.db, account, failure, now);
    return summary;
  }
}
