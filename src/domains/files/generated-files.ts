// Files the server writes for a person (issue 18 §8: their statistics exports), stored like their uploads: a
// private `files` row of theirs under the layout of ADR 0038, served to them alone, in their GDPR export, and
// deleted with their account. Another domain stores and deletes such a file only through these two functions.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { JobDb } from '../../platform/jobs/job.ts';
import { createFilesRepository } from './files.repository.ts';
import type { ObjectStorage } from './storage/object-storage.ts';
import { originalKey } from './uploads.service.ts';

export interface GeneratedFile {
  ownerId: string;
  /** The name it is downloaded under, e.g. `track-performance-2026-03.csv`. */
  filename: string;
  mimeType: string;
  /** Extension of the stored object, without the dot. */
  ext: string;
  bytes: Buffer;
  /** What made it, kept in files.metadata.kind (e.g. `analytics-report`). */
  kind: string;
}

/**
 * Stores the bytes, then the row (as uploads do: bytes without a row are swept after a day, a row never names
 * missing bytes). Not scanned: the server wrote every byte. Answers the new file's id.
 */
export async function storeGeneratedFile(db: JobDb, storage: ObjectStorage, file: GeneratedFile): Promise<string> {
  const id = randomUUID();
  const key = originalKey(file.ownerId, id, file.ext);
  const written = await storage.put(key, file.bytes, { contentType: file.mimeType });
  try {
    await db
      .insertInto('files')
      .values({
        id,
        user_id: file.ownerId,
        filename: `${id}.${file.ext}`,
        original_filename: file.filename,
        mime_type: file.mimeType,
        file_size: written.size,
        storage_path: key,
        storage_provider: storage.provider,
        bucket_name: storage.bucket,
        url: `/v1/files/${id}/content`,
        file_hash: written.sha256,
        metadata: JSON.stringify({ kind: file.kind }),
        is_processed: true,
        processed_at: sql<Date>`NOW()`,
        virus_scanned: false,
        virus_scan_result: 'unscanned',
        is_public: false,
      })
      .execute();
  } catch (error) {
    await storage.delete(key).catch(() => undefined);
    throw error;
  }
  return id;
}

/**
 * Deletes a generated file now, row and bytes (an expired export has no 30-day grace to wait out). Only a file of
 * `kind` is touched; answers whether there was one. The row goes first: bytes left by a crash are swept later.
 */
export async function deleteGeneratedFile(
  db: JobDb,
  storage: ObjectStorage,
  id: string,
  kind: string,
): Promise<boolean> {
  const row = await createFilesRepository({ db }).findFile(id);
  const metadata = row?.metadata as { kind?: unknown } | null | undefined;
  if (!row || metadata?.kind !== kind) return false;
  await db.deleteFrom('files').where('id', '=', id).execute();
  if (row.storage_provider === storage.provider && (row.bucket_name ?? null) === storage.bucket)
    await storage.delete(row.storage_path);
  return true;
}
