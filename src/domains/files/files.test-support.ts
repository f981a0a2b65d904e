// Stored files for tests: real bytes in a real storage backend, and the `files` row that points at them.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { filesFactories } from '../../../test/factories/files.ts';
import type { ObjectStorage } from './storage/object-storage.ts';
import { LocalObjectStorage } from './storage/object-storage.ts';

/** A data directory of the test file's own, and the local storage the app opens under it (VEZA_DATA_DIR). */
export function testDataDir(): { dataDir: string; storage: LocalObjectStorage } {
  const dataDir = mkdtempSync(join(tmpdir(), 'veza-files-'));
  return { dataDir, storage: new LocalObjectStorage(join(dataDir, 'files')) };
}

export interface StoredFile {
  id: string;
  userId: string;
  key: string;
  bytes: Buffer;
  sha256: string;
}

/** Puts `bytes` (random ones by default) into storage and inserts the clean, processed row that owns them. */
export async function storedFile(
  sql: Sql,
  storage: ObjectStorage,
  overrides: Record<string, unknown> = {},
  bytes: Buffer = randomBytes(256 * 1024),
): Promise<StoredFile> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = `test/${sha256.slice(0, 2)}/${sha256}-${randomBytes(4).toString('hex')}`;
  await storage.put(key, bytes);
  const row = await filesFactories.files(sql, {
    storage_path: key,
    storage_provider: storage.provider,
    bucket_name: storage.bucket,
    file_size: bytes.length,
    file_hash: sha256,
    url: `/v1/files/pending/content`,
    virus_scanned: true,
    virus_scan_result: 'clean',
    virus_scanned_at: new Date(),
    is_processed: true,
    metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
    ...overrides,
  });
  return { id: String(row.id), userId: String(row.user_id), key, bytes, sha256 };
}
