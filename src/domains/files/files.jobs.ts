// Lifecycle jobs of the files domain (issue 12 §6, ADR 0043): the database forgets rows, these make the bytes
// follow. Both are idempotent: a second run finds nothing left to do.
import { randomUUID } from 'node:crypto';
import { appendFile, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadConfig } from '../../platform/config/config.ts';
import type { JobContext, JobDefinition } from '../../platform/jobs/job.ts';
import { STORAGE_DELETIONS_DIR } from '../../lifecycle/jobs/retention-content.ts';
import { createFilesRepository, type StoredObject } from './files.repository.ts';
import { assertValidKey, openObjectStorage, type ObjectStorage } from './storage/object-storage.ts';

/** Where unfinished tus uploads are assembled (files.module.ts: uploadStagingDir), relative to $VEZA_DATA_DIR. */
const STAGING_DIR = 'uploads';
/** Temporaries the upload routes write beside the staged uploads (a verified chunk, a multipart form). */
const TEMPORARY = /^\.(chunk|form)-[0-9a-f-]{36}$/;
/** A temporary older than this belongs to no request still running (the longest upload request is far shorter). */
const TEMPORARY_MAX_AGE_MS = 6 * 3600 * 1000;
const BATCH = 500;

export interface FilesJobOptions {
  /** The storage holding the bytes; by default the one the configuration names, under the run's data directory. */
  storage?: (context: JobContext) => ObjectStorage;
  /** How old an object without a row must be before the sweeper removes it; by default ORPHAN_MIN_AGE_MS. */
  orphanMinAgeMs?: number;
}

/**
 * An object is stored before its row is inserted (uploads.service.ts, the pipeline's renditions), so a young object
 * without a row may be an upload finishing right now. A day is far beyond any of those windows.
 */
export const ORPHAN_MIN_AGE_MS = 24 * 3600 * 1000;
/** users/<owner id>/<file id>/<name>: the layout of ADR 0038; anything else under users/ is not ours to judge. */
const FILE_OBJECT_KEY = /^users\/[0-9a-f-]{36}\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/[^/]+$/;

function configuredStorage(context: JobContext): ObjectStorage {
  const files = loadConfig().files;
  // The job runs with the data directory it is given; the app's files live under it unless VEZA_FILES_DIR moves them.
  const localRoot = process.env.VEZA_FILES_DIR ? files.localRoot : join(context.dataDir, 'files');
  return openObjectStorage({ ...files, localRoot });
}

/**
 * Resumable uploads abandoned past their expires_at: the `file_uploads` row and the staged bytes (and the tus
 * store's `<id>.json`) go together, rows first inside the batch's transaction, bytes once it committed (a crash
 * between leaves bytes without a row, which the next run's orphan pass removes). Staging temporaries no request
 * owns any more go too.
 */
export function createUploadsExpire(): JobDefinition {
  return {
    name: 'files.uploads-expire',
    description: 'remove unfinished uploads past their expiry: rows and staged bytes',
    defaultSchedule: '*/15 * * * *',
    async run(context) {
      const staging = join(context.dataDir, STAGING_DIR);
      for (;;) {
        const keys = await context.transaction(async (tx) => {
          const repository = createFilesRepository({ db: tx });
          const expired = await repository.takeExpiredUploads(context.now, BATCH, tx);
          context.count(
            'file_uploads',
            await repository.deleteUploads(
              expired.map((upload) => upload.id),
              tx,
            ),
          );
          return expired.map((upload) => upload.storage_key);
        });
        if (!context.dryRun) for (const key of keys) await removeStaged(staging, key);
        if (keys.length < BATCH || context.dryRun) break;
      }
      if (context.dryRun) return;
      // Staged uploads whose row is gone (deleted by account erasure, a crash above) and stale temporaries.
      const names = await readdir(staging).catch(() => [] as string[]);
      const live = new Set(
        (
          await context.db
            .selectFrom('file_uploads')
            .select('storage_key')
            .where('storage_key', 'is not', null)
            .execute()
        ).map((row) => row.storage_key),
      );
      let orphans = 0;
      for (const name of names) {
        const path = join(staging, name);
        const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
        const info = await stat(path).catch(() => null);
        if (!info?.isFile()) continue;
        const stale = context.now.getTime() - info.mtimeMs > TEMPORARY_MAX_AGE_MS;
        if ((TEMPORARY.test(name) && stale) || (!name.startsWith('.') && !live.has(id) && stale)) {
          await rm(path, { force: true });
          orphans += 1;
        }
      }
      if (orphans > 0) context.log(`files.uploads-expire: ${orphans} staged file(s) without an upload removed`);
    },
  };
}

async function removeStaged(staging: string, key: string | null): Promise<void> {
  // A key is our own tus id; anything that would leave the staging directory is not ours to delete.
  if (!key || basename(key) !== key || key.startsWith('.')) return;
  await rm(join(staging, key), { force: true });
  await rm(join(staging, `${key}.json`), { force: true });
}

interface ManifestEntry extends StoredObject {
  file_id: string;
  thumbnail_url: string | null;
}

function isStorageKey(value: string): boolean {
  try {
    assertValidKey(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The storage sweeper: deletes the bytes of every `files` row purged by retention.content (which lists them,
 * write-ahead, in $VEZA_DATA_DIR/storage-deletions/files-<day>.jsonl: ADR 0018) — soft-deleted files 30 days on,
 * account deletions (their files carry the account's deleted_at), renditions (rows of their own). Bytes a row
 * still names stay (each upload has its own object, ADR 0039: a guard, never the normal case). Manifests of earlier days are taken whole
 * (renamed first, so the purge job never appends to one being read) and removed once every object is gone;
 * entries of another backend or bucket are kept, in files-unswept.jsonl, for the operator.
 */
export function createStorageSweep(options: FilesJobOptions = {}): JobDefinition {
  return {
    name: 'files.storage-sweep',
    description: 'delete the stored bytes of purged files listed in storage-deletions/, then objects without a row',
    defaultSchedule: '30 5 * * *',
    async run(context) {
      const directory = join(context.dataDir, STORAGE_DELETIONS_DIR);
      const today = `files-${context.now.toISOString().slice(0, 10)}.jsonl`;
      const names = (await readdir(directory).catch(() => [] as string[])).sort();
      const pending = names.filter(
        (name) => (/^files-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name) && name < today) || name.includes('.sweeping-'),
      );
      const storage = (options.storage ?? configuredStorage)(context);
      const repository = createFilesRepository({ db: context.db });
      const unswept: string[] = [];
      for (const name of pending) {
        let path = join(directory, name);
        if (!name.includes('.sweeping-') && !context.dryRun) {
          const claimed = join(directory, `${name}.sweeping-${randomUUID()}`);
          await rename(path, claimed);
          path = claimed;
        }
        const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim().length > 0);
        for (const line of lines) {
          const entry = JSON.parse(line) as ManifestEntry;
          if (entry.storage_provider !== storage.provider || (entry.bucket_name ?? null) !== storage.bucket) {
            unswept.push(line);
            continue;
          }
          const keys = [entry.storage_path];
          if (entry.thumbnail_url && isStorageKey(entry.thumbnail_url)) keys.push(entry.thumbnail_url);
          for (const key of keys) {
            const object = { ...entry, storage_path: key };
            if (await repository.objectStillReferenced(object)) {
              context.count('storage:shared', 1);
              continue;
            }
            if (!context.dryRun) await storage.delete(key);
            context.count('storage:deleted', 1);
          }
        }
        if (!context.dryRun) await rm(path, { force: true });
      }
      if (unswept.length > 0 && !context.dryRun) {
        await appendFile(join(directory, 'files-unswept.jsonl'), `${unswept.join('\n')}\n`);
        context.log(
          `files.storage-sweep: ${unswept.length} object(s) of another storage backend left in files-unswept.jsonl`,
        );
      }
      await removeOrphanObjects(context, storage, repository, options.orphanMinAgeMs ?? ORPHAN_MIN_AGE_MS);
    },
  };
}

/**
 * The reconciliation pass (ADR 0043 amendment): bytes stored by a process that died before inserting their row are
 * on no purge list, so the manifests never reach them. Every object under users/ whose file id has no row and whose
 * key no row names is removed once older than the safety margin; a dry run only reports them.
 */
async function removeOrphanObjects(
  context: JobContext,
  storage: ObjectStorage,
  repository: ReturnType<typeof createFilesRepository>,
  minAgeMs: number,
): Promise<void> {
  let batch: Array<{ key: string; fileId: string }> = [];
  const removed: string[] = [];
  const flush = async () => {
    const candidates = await repository.keysWithoutRow(batch);
    batch = [];
    for (const key of candidates) {
      const info = await storage.stat(key);
      if (info === null) continue;
      if (context.now.getTime() - info.modifiedAt.getTime() < minAgeMs) {
        context.count('storage:orphan-too-young', 1);
        continue;
      }
      if (!context.dryRun) await storage.delete(key);
      context.count('storage:orphans', 1);
      removed.push(key);
    }
  };
  for await (const key of storage.list('users/')) {
    const match = FILE_OBJECT_KEY.exec(key);
    if (match === null) continue;
    batch.push({ key, fileId: match[1]! });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (removed.length > 0) {
    const shown = removed.slice(0, 20).join(', ');
    const more = removed.length > 20 ? ` and ${removed.length - 20} more` : '';
    context.log(
      `files.storage-sweep: ${context.dryRun ? 'would remove' : 'removed'} ${removed.length} object(s) without a row: ${shown}${more}`,
    );
  }
}

export const filesUploadsExpire = createUploadsExpire();
export const filesStorageSweep = createStorageSweep();
