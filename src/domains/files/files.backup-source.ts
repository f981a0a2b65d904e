// What the cloud domain's backups read of files (issue 17 §10, ADR 0085): the person's own uploads and their bytes,
// without reaching into `files` itself (GUIDE, domain isolation).
import type { Readable } from 'node:stream';
import type { JobDb } from '../../platform/jobs/job.ts';
import { scanStanding } from './files.policy.ts';
import { createFilesRepository } from './files.repository.ts';
import type { ObjectStorage } from './storage/object-storage.ts';

/** One upload of the person's as a backup copies it: immutable bytes, so id + size + sha256 name its content. */
export interface BackupSourceFile {
  id: string;
  original_filename: string;
  size: number;
  sha256: string | null;
  /** Opens the stored bytes; rejects (ObjectNotFoundError) when the object is gone. */
  open(): Promise<Readable>;
}

/**
 * The person's live uploads, oldest first. Left out: what processing derived from an upload (renditions, covers:
 * remade from the original) and quarantined files (a backup must not carry malware to the person's storage).
 */
export async function ownFilesForBackup(
  db: JobDb,
  userId: string,
  storage: ObjectStorage,
): Promise<BackupSourceFile[]> {
  const rows = await createFilesRepository({ db }).filesOfOwner(userId);
  return rows
    .filter((row) => {
      const metadata = row.metadata as { derivedFrom?: unknown } | null;
      return typeof metadata?.derivedFrom !== 'string' && scanStanding(row) !== 'quarantined';
    })
    .map((row) => ({
      id: row.id,
      original_filename: row.original_filename,
      size: row.file_size,
      sha256: row.file_hash,
      open: () => storage.get(row.storage_path),
    }));
}
