import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BackupRecord } from './backup-info.ts';
import type { BackupSettings } from './backup-settings.ts';

/**
 * Uploaded files of the local storage backend, snapshotted with each database backup (ADR 0097): a restored row
 * that names a stored file must find its bytes. The local backend never rewrites a file in place (a put writes a
 * temporary name and renames it over), so a hard link taken at backup time keeps the bytes as they were even when
 * the live file is later deleted or replaced. A file already in the previous snapshot is linked to it, so a
 * snapshot on another disk costs only the files added since.
 */
export function fileSnapshotsDir(
  settings: Pick<BackupSettings, 'dir'>,
  env: Record<string, string | undefined>,
): string {
  return resolve(env.VEZA_BACKUP_FILES_DIR || resolve(settings.dir, 'files'));
}

export interface SnapshotResult {
  label: string;
  dir: string;
  files: number;
  bytes: number;
  /** Files stored by a hard link (to the live file or the previous snapshot) rather than a copy. */
  linked: number;
}

/** Every stored file under `root`, as paths relative to it; dot-names are the backend's unfinished temporaries. */
async function storedFiles(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split(sep).some((part) => part.startsWith('.')))
    .sort();
}

/** A hard link when both paths share a file system, else a copy. */
async function linkOrCopy(from: string, to: string): Promise<boolean> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
    await copyFile(from, to);
    return false;
  }
}

/** Labels of the snapshots taken, oldest first (pgBackRest labels sort by time). */
export async function listFileSnapshots(snapshotsDir: string): Promise<string[]> {
  if (!existsSync(snapshotsDir)) return [];
  return (await readdir(snapshotsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Snapshots the files under `filesRoot` as `<snapshotsDir>/<label>`. Taken after the database backup finished: a
 * row committed by then names a file written before it, so the snapshot holds every file the backup refers to.
 * Written under a temporary name and renamed, so a snapshot that exists is complete.
 */
export async function snapshotFiles(filesRoot: string, snapshotsDir: string, label: string): Promise<SnapshotResult> {
  const target = join(snapshotsDir, label);
  const partial = join(snapshotsDir, `.partial-${label}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o750 });
  const previous = (await listFileSnapshots(snapshotsDir)).filter((name) => name < label).at(-1);
  let files = 0;
  let bytes = 0;
  let linked = 0;
  for (const path of await storedFiles(filesRoot)) {
    const live = join(filesRoot, path);
    const size = (await stat(live)).size;
    const earlier = previous ? join(snapshotsDir, previous, path) : undefined;
    // Keys are never reused for other bytes, so the same key with the same size is the same file.
    const source = earlier && existsSync(earlier) && (await stat(earlier)).size === size ? earlier : live;
    if (await linkOrCopy(source, join(partial, path))) linked += 1;
    files += 1;
    bytes += size;
  }
  await rm(target, { recursive: true, force: true });
  await rename(partial, target);
  return { label, dir: target, files, bytes, linked };
}

/**
 * Puts back into `filesRoot` every file of the given snapshots it lacks; files it has are left alone (they are the
 * same bytes under the same key). Returns the number of files put back.
 */
export async function restoreFiles(snapshotsDir: string, labels: string[], filesRoot: string): Promise<number> {
  let restored = 0;
  for (const label of labels) {
    const dir = join(snapshotsDir, label);
    if (!existsSync(dir)) throw new Error(`no file snapshot ${label} in ${snapshotsDir}`);
    for (const path of await storedFiles(dir)) {
      const into = join(filesRoot, path);
      if (existsSync(into)) continue;
      await linkOrCopy(join(dir, path), into);
      restored += 1;
    }
  }
  return restored;
}

/**
 * The snapshots a restore from backup `from` to `target` needs: the backup's own, and the first one of a backup that
 * finished after the target, which holds the files uploaded between the backup and the target (unless deleted
 * before that later backup).
 */
export function snapshotsForRestore(
  available: string[],
  backups: readonly BackupRecord[],
  from: string,
  target: Date | undefined,
): string[] {
  const chosen = available.includes(from) ? [from] : [];
  if (target) {
    const after = backups
      .filter((backup) => available.includes(backup.label) && backup.stoppedAt.getTime() > target.getTime())
      .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime())[0];
    if (after && !chosen.includes(after.label)) chosen.push(after.label);
  }
  return chosen;
}

/** Drops the snapshots of backups the repositories no longer hold (expired by their retention). */
export async function pruneFileSnapshots(snapshotsDir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await listFileSnapshots(snapshotsDir)) {
    if (keep.has(name)) continue;
    await rm(join(snapshotsDir, name), { recursive: true, force: true });
    dropped.push(name);
  }
  return dropped;
}
