// The RPO/RTO drill of issue 19 (docs/operations.md "RPO and RTO"): a private cluster archiving into a pgBackRest
// repository of its own, seeded at a given scale, backed up, written to, then lost the way a dead disk is lost
// (immediate stop; nothing unarchived survives), restored from the repository alone and served by `veza serve`.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { projectRoot } from '../../src/platform/project-root.ts';
import { archiveSettingsConfLines, backupSettingsFromEnv } from '../../src/platform/backup/backup-settings.ts';
import { createStanza, restoreLatest, runBackup, writeBackupConfig } from '../../src/platform/backup/pgbackrest.ts';
import { RestoredCluster } from '../../src/platform/backup/restored-cluster.ts';
import { freePort } from '../../src/platform/backup/restore-test.ts';
import { Service } from './crash-drill.ts';
import { PrivateCluster } from './private-cluster.ts';

const run = promisify(execFile);

export interface BackupDrillOptions {
  scale: number;
  /** archive_timeout of the cluster, seconds (production default 60). */
  archiveTimeoutSeconds?: number;
  /** How long acknowledged writes go on after the backup before the disk is lost. */
  writeSeconds?: number;
  /** Rows of ~0.5 kB written in bulk after the backup, so that recovery has WAL to replay worth timing. */
  bulkRows?: number;
  log?: (line: string) => void;
}

export interface BackupDrillResult {
  scale: number;
  archiveTimeoutSeconds: number;
  seedMs: number;
  databaseBytes: number;
  clusterBytes: number;
  backupMs: number;
  backupRepoBytes: number;
  /** WAL written between the backup's start and the loss, replayed by recovery. */
  walBytes: number;
  acknowledgedWrites: number;
  lostWrites: number;
  /** Commit time of the last acknowledged write minus that of the last one the restore brought back. */
  rpoSeconds: number;
  restoreMs: number;
  recoveryMs: number;
  serveMs: number;
  /** From "restore starts" to "/readyz answers 200" on the restored cluster. */
  rtoMs: number;
  readyzStatus: number;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function veza(args: string[], env: Record<string, string>): Promise<string> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const { stdout } = await run(process.execPath, [join(projectRoot, 'bin', 'veza.js'), ...args], {
    env: { ...inherited, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export async function runBackupDrill(options: BackupDrillOptions): Promise<BackupDrillResult> {
  const log = options.log ?? (() => {});
  const archiveTimeoutSeconds = options.archiveTimeoutSeconds ?? 60;
  const root = await mkdtemp(join(tmpdir(), 'veza-backup-drill-'));
  await chmod(root, 0o755);
  const env = {
    VEZA_DATA_DIR: join(root, 'data'),
    VEZA_BACKUP_DIR: join(root, 'backup'),
    VEZA_BACKUP_STANZA: 'drill',
    VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS: String(archiveTimeoutSeconds),
  };
  const settings = backupSettingsFromEnv(env, env.VEZA_DATA_DIR);
  const cluster = await PrivateCluster.create(await freePort(), (dir) => [
    `unix_socket_directories = '${dir}'`,
    ...archiveSettingsConfLines(settings),
  ]);
  let restored: RestoredCluster | undefined;
  let service: Service | undefined;
  try {
    const located = {
      ...settings,
      postgres: { dataDir: cluster.dataDir, port: cluster.port, socketDir: join(cluster.dataDir, '..') },
    };
    await writeBackupConfig(located);
    await query(cluster.url, 'CREATE DATABASE veza');
    const databaseUrl = cluster.url.replace(/\/postgres$/, '/veza');
    const cli = { ...env, DATABASE_URL: databaseUrl, VEZA_LOG_LEVEL: 'warn' };

    let started = performance.now();
    await veza(['db', 'migrate'], cli);
    log(`scale ${options.scale}: migrated; seeding`);
    await veza(['seed', '--scale', String(options.scale), '--anchor', '2026-12-01'], cli);
    const seedMs = Math.round(performance.now() - started);
    const [sizes] = await query<{ database: string; cluster: string }>(
      cluster.url,
      `SELECT pg_database_size('veza')::text AS database, (SELECT sum(pg_database_size(oid)) FROM pg_database)::text AS cluster`,
    );
    log(`scale ${options.scale}: seeded in ${Math.round(seedMs / 1000)} s, database ${sizes!.database} bytes`);

    await createStanza(located);
    // Seeding wrote gigabytes of WAL that archive_command pushes one segment at a time; a backup started before the
    // archive has caught up waits for its own last segment behind all of them.
    started = performance.now();
    await query(cluster.url, 'SELECT pg_switch_wal()');
    for (;;) {
      const [state] = await query<{ behind: boolean }>(
        cluster.url,
        `SELECT coalesce(last_archived_wal, '') < pg_walfile_name(pg_current_wal_lsn()) AS behind,
                pg_walfile_name(pg_current_wal_lsn()) AS current FROM pg_stat_archiver`,
      );
      const [segment] = await query<{ ready: number }>(
        cluster.url,
        "SELECT count(*)::int AS ready FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'",
      );
      if (!state?.behind || (segment?.ready ?? 0) === 0) break;
      await sleep(1000);
    }
    log(`archive caught up with seeding in ${Math.round(performance.now() - started)} ms`);
    const [{ lsn: backupStartLsn } = { lsn: '0/0' }] = await query<{ lsn: string }>(
      cluster.url,
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    started = performance.now();
    const backup = await runBackup(located, { type: 'full' });
    const backupMs = Math.round(performance.now() - started);
    log(`full backup ${backup.label} in ${backupMs} ms: ${backup.sizeBytes} bytes, ${backup.repoSizeBytes} stored`);

    await query(
      databaseUrl,
      `CREATE TABLE drill_bulk AS SELECT g, md5(g::text) || repeat('x', 400) AS pad FROM generate_series(1, $1::int) g`,
      [options.bulkRows ?? 200_000],
    );
    await query(databaseUrl, 'CREATE TABLE drill_marks (id bigint PRIMARY KEY, at timestamptz NOT NULL)');
    // Acknowledged writes, one at a time, each one's commit time as the server saw it.
    const writer = new pg.Client({ connectionString: databaseUrl });
    await writer.connect();
    let acknowledged = { id: 0, at: new Date(0) };
    const until = Date.now() + (options.writeSeconds ?? 90) * 1000;
    for (let id = 1; Date.now() < until; id += 1) {
      const [row] = (
        await writer.query<{ at: Date }>('INSERT INTO drill_marks VALUES ($1, clock_timestamp()) RETURNING at', [id])
      ).rows;
      acknowledged = { id, at: row!.at };
      await sleep(100);
    }
    await writer.end();
    const [{ lsn: lossLsn, wal } = { lsn: '', wal: '0' }] = await query<{ lsn: string; wal: string }>(
      cluster.url,
      `SELECT pg_current_wal_lsn()::text AS lsn, pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS wal`,
      [backupStartLsn],
    );
    // The disk vanishes right after the last acknowledged commit: every server process quits at once and what was
    // not archived is gone with the data directory (it is never read again).
    await cluster.crash();
    log(`WAL since the backup started: ${wal} bytes`);
    log(`primary lost at ${lossLsn} after ${acknowledged.id} acknowledged writes; restoring from the repository`);

    const restoreStarted = performance.now();
    const dataDir = join(root, 'restored');
    await restoreLatest(located, { targetDir: dataDir });
    const restoreMs = Math.round(performance.now() - restoreStarted);
    log(`restored in ${restoreMs} ms; starting the copy`);
    started = performance.now();
    restored = await RestoredCluster.start(dataDir, await freePort(), 3_600_000);
    const recoveryMs = Math.round(performance.now() - started);
    log(`WAL replayed and promoted in ${recoveryMs} ms; starting veza serve`);
    started = performance.now();
    const restoredUrl = restored.url.replace(/\/postgres$/, '/veza');
    service = new Service(await freePort(), { ...env, DATABASE_URL: restoredUrl, VEZA_LOG_LEVEL: 'warn' });
    await service.start();
    let readyzStatus = 0;
    for (let attempt = 0; attempt < 600 && readyzStatus !== 200; attempt += 1) {
      readyzStatus = await fetch(`${service.baseUrl}/readyz`)
        .then((response) => response.status)
        .catch(() => 0);
      if (readyzStatus !== 200) await sleep(100);
    }
    const serveMs = Math.round(performance.now() - started);
    const rtoMs = Math.round(performance.now() - restoreStarted);
    log(`/readyz ${readyzStatus} after ${serveMs} ms of veza serve; RTO ${rtoMs} ms`);

    const [last] = await query<{ id: string | null; at: Date | null }>(
      restoredUrl,
      'SELECT max(id)::text AS id, max(at) AS at FROM drill_marks',
    );
    const restoredId = Number(last?.id ?? 0);
    const restoredAt = last?.at ?? null;
    return {
      scale: options.scale,
      archiveTimeoutSeconds,
      seedMs,
      databaseBytes: Number(sizes!.database),
      clusterBytes: Number(sizes!.cluster),
      backupMs,
      backupRepoBytes: backup.repoSizeBytes,
      walBytes: Number(wal),
      acknowledgedWrites: acknowledged.id,
      lostWrites: acknowledged.id - restoredId,
      rpoSeconds:
        restoredAt === null
          ? (acknowledged.at.getTime() - backup.stoppedAt.getTime()) / 1000
          : (acknowledged.at.getTime() - restoredAt.getTime()) / 1000,
      restoreMs,
      recoveryMs,
      serveMs,
      rtoMs,
      readyzStatus,
    };
  } finally {
    await service?.stop().catch(() => null);
    await restored?.stop().catch(() => {});
    await cluster.destroy();
    await rm(root, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export function backupDrillTable(results: BackupDrillResult[]): string {
  const rows = results.map((r) =>
    [
      r.scale,
      `${mb(r.databaseBytes).toFixed(0)} MB`,
      `${(r.seedMs / 1000).toFixed(0)} s`,
      `${(r.backupMs / 1000).toFixed(1)} s (${(mb(r.clusterBytes) / (r.backupMs / 1000)).toFixed(1)} MB/s)`,
      `${mb(r.walBytes).toFixed(0)} MB`,
      `${r.lostWrites} of ${r.acknowledgedWrites}, ${r.rpoSeconds.toFixed(1)} s (archive_timeout ${r.archiveTimeoutSeconds} s)`,
      `${(r.restoreMs / 1000).toFixed(1)} s (${(mb(r.clusterBytes) / (r.restoreMs / 1000)).toFixed(1)} MB/s)`,
      `${(r.recoveryMs / 1000).toFixed(1)} s (${(mb(r.walBytes) / (r.recoveryMs / 1000)).toFixed(1)} MB/s of WAL)`,
      `${(r.serveMs / 1000).toFixed(1)} s`,
      `${(r.rtoMs / 1000).toFixed(1)} s (/readyz ${r.readyzStatus})`,
    ].join(' | '),
  );
  return [
    '| scale | database | seed | full backup | WAL after it | writes lost, RPO | restore | WAL replay + promotion | veza serve to /readyz | RTO |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
