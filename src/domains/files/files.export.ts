// The person's own uploaded files in their GDPR export (Art. 15/20; issue 12 §6, ADR 0043): the bytes go inside
// the archive, not as links — an archive is kept 30 days and must stay whole without our servers; signed links
// would expire first or outlive the account.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../../platform/config/config.ts';
import type { JobDb } from '../../platform/jobs/job.ts';
import { createFilesRepository } from './files.repository.ts';
import { scanStanding } from './files.policy.ts';
import { ObjectNotFoundError, openObjectStorage, type ObjectStorage } from './storage/object-storage.ts';

/** The storage the configuration names, its local root under this data directory unless VEZA_FILES_DIR moves it. */
export function storageForDataDir(dataDir: string): ObjectStorage {
  const files = loadConfig().files;
  const localRoot = process.env.VEZA_FILES_DIR ? files.localRoot : join(dataDir, 'files');
  return openObjectStorage({ ...files, localRoot });
}

/** A display name safe as one path segment of an archive: no separators, control characters or dot-names. */
function archiveName(name: string): string {
  const cleaned = name
    .replace(/[\\/\p{Cc}]/gu, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  return cleaned.length > 0 ? cleaned : 'file';
}

interface IndexEntry {
  id: string;
  original_filename: string;
  mime_type: string;
  size: number;
  sha256: string | null;
  created_at: string;
  /** Where the bytes are in the archive, or null with the reason they are not. */
  path: string | null;
  left_out: string | null;
}

/**
 * Writes `files/index.json` and `files/<id>/<name>` for every live file of the person into the export's staging
 * directory, reading rows through `tx` (the export's snapshot). Quarantined files are listed but left out: an
 * archive must not carry malware to a person's disk. Returns the paths written, relative to `staging`.
 */
export async function writeOwnFiles(
  tx: JobDb,
  userId: string,
  staging: string,
  storage: ObjectStorage,
): Promise<string[]> {
  const rows = await createFilesRepository({ db: tx }).filesOfOwner(userId);
  const written: string[] = [];
  const index: IndexEntry[] = [];
  if (rows.length > 0) await mkdir(join(staging, 'files'), { recursive: true, mode: 0o700 });
  for (const row of rows) {
    const entry: IndexEntry = {
      id: row.id,
      original_filename: row.original_filename,
      mime_type: row.mime_type,
      size: row.file_size,
      sha256: row.file_hash,
      created_at: row.created_at.toISOString(),
      path: null,
      left_out: null,
    };
    index.push(entry);
    if (scanStanding(row) === 'quarantined') {
      entry.left_out = `quarantined: the virus scanner found ${row.virus_scan_result ?? 'malware'}`;
      continue;
    }
    const path = `files/${row.id}/${archiveName(row.original_filename)}`;
    await mkdir(join(staging, 'files', row.id), { recursive: true, mode: 0o700 });
    let bytes;
    try {
      bytes = await storage.get(row.storage_path);
    } catch (error) {
      // One lost object must not cost the person the rest of their export; the index says which.
      if (!(error instanceof ObjectNotFoundError)) throw error;
      entry.left_out = 'the stored bytes are missing';
      continue;
    }
    await pipeline(bytes, createWriteStream(join(staging, path), { mode: 0o600 }));
    entry.path = path;
    written.push(path);
  }
  if (rows.length === 0) return [];
  await writeFile(join(staging, 'files', 'index.json'), `${JSON.stringify(index, null, 2)}\n`, { mode: 0o600 });
  return ['files/index.json', ...written];
}
