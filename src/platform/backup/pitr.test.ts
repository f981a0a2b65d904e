import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PrivateCluster } from '../../../test/drill/private-cluster.ts';
import { runVeza } from '../../../test/helpers/veza-cli.ts';
import { archiveSettingsConfLines, backupSettingsFromEnv, type BackupSettings } from './backup-settings.ts';
import { parseRestoreTarget } from './backup-info.ts';
import {
  checkArchiving,
  lastGoodBackupAgeSeconds,
  readStanzaInfo,
  restoreToTime,
  runBackup,
  verifyRepositories,
} from './pgbackrest.ts';
import { RestoredCluster } from './restored-cluster.ts';

// The fast, CI-sized proof of point-in-time recovery (issue 19): a private cluster with a handful of rows.
// Recovery at scale (seeded data, RPO/RTO figures) belongs in `npm run drill`, not here.

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('backups and point-in-time recovery with pgBackRest, on a private cluster', () => {
  let backupDir: string;
  let workDir: string;
  let settings: BackupSettings;
  let cluster: PrivateCluster;
  let restored: RestoredCluster | undefined;
  let databaseUrl: string;
  let env: Record<string, string>;
  const veza = (args: string[]) => runVeza(args, env);
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };

  before(async () => {
    backupDir = await mkdtemp(join(tmpdir(), 'veza-backup-'));
    workDir = await mkdtemp(join(tmpdir(), 'veza-restore-'));
    await chmod(backupDir, 0o755);
    await chmod(workDir, 0o755);
    env = { VEZA_BACKUP_DIR: backupDir, VEZA_BACKUP_STANZA: 'pitr' };
    settings = backupSettingsFromEnv(env, workDir);
    // The cluster archives through the configuration `veza backup` writes, exactly as a server set up by
    // an operator would (ADR 0091); its Unix socket is how pgBackRest reaches it.
    cluster = await PrivateCluster.create(await freePort(), (dir) => [
      `unix_socket_directories = '${dir}'`,
      ...archiveSettingsConfLines(settings),
    ]);
    await query(cluster.url, 'CREATE DATABASE veza_pitr');
    databaseUrl = cluster.url.replace(/\/postgres$/, '/veza_pitr');
    env.DATABASE_URL = databaseUrl;
    await query(databaseUrl, 'CREATE TABLE marks (id int PRIMARY KEY, note text NOT NULL)');
    await query(databaseUrl, "INSERT INTO marks VALUES (1, 'before the backup')");
  });

  after(async () => {
    await restored?.stop().catch(() => {});
    await cluster?.destroy();
    await rm(backupDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
    console.log(`timings (ms): ${JSON.stringify(timings)}`);
  });

  let fullLabel: string;
  let target: string;

  test('veza backup run takes a full backup; status shows its age and that the server archives as configured', async () => {
    const run = await timed('full backup (CLI)', () => veza(['backup', 'run', '--type', 'full']));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const made = /backup (\S+F) \(full, daily\) finished/.exec(run.stdout);
    assert.ok(made, run.stdout);
    fullLabel = made[1]!;

    const [status, list] = await Promise.all([veza(['backup', 'status']), veza(['backup', 'list'])]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, new RegExp(`last good backup: ${fullLabel} \\(full, daily\\)`));
    const age = Number(/backup_age_seconds (\d+)/.exec(status.stdout)?.[1]);
    assert.ok(age >= 0 && age < 120, status.stdout);
    assert.doesNotMatch(status.stdout, /problem:/);

    const readable = await lastGoodBackupAgeSeconds(settings);
    assert.ok(readable !== null && readable >= 0 && readable < 120);

    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${fullLabel}\\s+full\\s+daily .* ok`));

    // The monthly repository takes full backups of its own (retention: 12 of them).
    const monthly = await timed('monthly full backup', () => runBackup(settings, { repo: 'monthly' }));
    assert.deepEqual([monthly.type, monthly.repo, monthly.error], ['full', 2, false]);
    await assert.rejects(runBackup(settings, { repo: 'monthly', type: 'incr' }), /full backups only/);
  });

  test('restore --to a moment between two commits brings back exactly the rows committed before it', async () => {
    await query(databaseUrl, "INSERT INTO marks VALUES (2, 'before the target, first')");
    await query(databaseUrl, "INSERT INTO marks VALUES (3, 'before the target, second')");
    await sleep(30);
    // The server's clock, not ours: commit timestamps are what recovery compares the target with.
    const [{ now } = { now: '' }] = await query<{ now: string }>(
      databaseUrl,
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`,
    );
    target = now;
    await sleep(30);
    await query(databaseUrl, "INSERT INTO marks VALUES (4, 'after the target')");
    await query(databaseUrl, "UPDATE marks SET note = 'changed after the target' WHERE id = 2");
    // What archive_timeout does within a minute in production: close the WAL segment and archive it.
    await timed('WAL switch and archive (pgbackrest check)', () => checkArchiving(settings));

    const into = join(workDir, 'restored');
    const restore = await timed('restore (CLI)', () => veza(['backup', 'restore', '--to', target, '--target', into]));
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, new RegExp(`from backup ${fullLabel}`));

    restored = await timed('restored server start, WAL replay and promotion', async () =>
      RestoredCluster.start(into, await freePort()),
    );
    const rows = await query<{ id: number; note: string }>(
      restored.url.replace(/\/postgres$/, '/veza_pitr'),
      'SELECT id, note FROM marks ORDER BY id',
    );
    assert.deepEqual(rows, [
      { id: 1, note: 'before the backup' },
      { id: 2, note: 'before the target, first' },
      { id: 3, note: 'before the target, second' },
    ]);
    const [{ archive_mode } = { archive_mode: '' }] = await query<{ archive_mode: string }>(
      restored.url,
      'SHOW archive_mode',
    );
    assert.equal(archive_mode, 'off', 'a restored copy must not archive into the production repository');
    await restored.stop();
    restored = undefined;

    // The source server still has everything.
    const live = await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM marks');
    assert.equal(live[0]?.n, 4);
  });

  test('a target before the oldest backup, in the future or without a time zone, or a non-empty directory, is refused and nothing is written', async () => {
    const info = await readStanzaInfo(settings);
    const oldest = info.backups[0]!;
    const into = join(workDir, 'never');
    const early = new Date(oldest.startedAt.getTime() - 3_600_000).toISOString();
    const tooEarly = await veza(['backup', 'restore', '--to', early, '--target', into]);
    assert.equal(tooEarly.code, 1);
    assert.match(
      tooEarly.stderr,
      new RegExp(`restore target ${early} is before the oldest backup, ${oldest.label}, which finished at`),
    );
    assert.equal(existsSync(into), false);

    // The same checks without a process each (the CLI is slow to start on a busy machine).
    const future = new Date(Date.now() + 3_600_000);
    await assert.rejects(restoreToTime(settings, { target: future, targetDir: into }), /is in the future/);
    assert.throws(() => parseRestoreTarget('2026-12-07 21:40:00'), /is not a timestamp with a time zone/);
    assert.equal(existsSync(into), false);
    // A non-empty directory is never restored over.
    await assert.rejects(
      restoreToTime(settings, { target: new Date(target), targetDir: backupDir }),
      /restore target directory .* is not empty/,
    );
  });

  test('verify passes on the intact repository and names the backup one of whose files was corrupted', async () => {
    const clean = await timed('verify', () => verifyRepositories(settings));
    assert.deepEqual(
      clean.map(({ repo, ok }) => ({ repo, ok })),
      [
        { repo: 1, ok: true },
        { repo: 2, ok: true },
      ],
      JSON.stringify(clean),
    );

    // Flip bytes in the middle of the largest stored file of the full backup, as a failing disk would.
    const stored = join(backupDir, 'repo', 'backup', 'pitr', fullLabel, 'pg_data', 'global');
    const sizes = await Promise.all(
      (await readdir(stored)).map(async (name) => ({ name, size: (await stat(join(stored, name))).size })),
    );
    const victim = sizes.sort((a, b) => b.size - a.size)[0]!;
    const file = await open(join(stored, victim.name), 'r+');
    await file.write(Buffer.from('corrupted!'), 0, 10, Math.floor(victim.size / 2));
    await file.close();

    const corrupt = await timed('verify of a corrupted backup (CLI)', () => veza(['backup', 'verify']));
    assert.equal(corrupt.code, 1, corrupt.stdout);
    assert.match(corrupt.stdout, /daily: CORRUPT/);
    assert.match(corrupt.stdout, /monthly: ok/);
    assert.match(corrupt.stdout, new RegExp(`invalid backup ${fullLabel}`));
    assert.match(corrupt.stdout, new RegExp(`invalid checksum '${fullLabel}/pg_data/global/${victim.name}'`));

    // A restore from that backup fails too, and leaves no half-restored directory behind. pgBackRest retries a
    // failed file after 0 s and 15 s (job-retry), sensible against a flaky S3, only slow here: no retry.
    const into = join(workDir, 'from-corrupt');
    process.env.PGBACKREST_JOB_RETRY = '0';
    await assert.rejects(
      timed('failed restore from the corrupted backup', () =>
        restoreToTime(settings, { target: new Date(target), targetDir: into }),
      ),
      (error: Error) => {
        console.log(`restore from the corrupted backup: ${error.message}`);
        return /pgbackrest restore failed/.test(error.message);
      },
    );
    delete process.env.PGBACKREST_JOB_RETRY;
    assert.equal(existsSync(into), false);
  });
});
