import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Registry } from 'prom-client';
import { PrivateCluster } from '../../../test/drill/private-cluster.ts';
import { runVeza } from '../../../test/helpers/veza-cli.ts';
import { listMigrationFiles, Migrator } from '../db/migrations.ts';
import { openPool, type Pool } from '../db/pool.ts';
import { runJob } from '../jobs/run-job.ts';
import { backupJobs } from './backup-jobs.ts';
import { backupFactsReader, trackBackupMetrics } from './backup-metrics.ts';
import { archiveSettingsConfLines, backupSettingsFromEnv, type BackupSettings } from './backup-settings.ts';
import { checkArchiving, readStanzaInfo } from './pgbackrest.ts';
import { RestoredCluster } from './restored-cluster.ts';
import { freePort, readLastRestoreTest } from './restore-test.ts';

// Issue 19 items 1-3 on a private cluster of its own: the backup before a production migration, the scheduled backup
// and restore-test jobs (recorded in job_runs), the file snapshots restored with a point-in-time restore, and the
// backup gauges read from the real repository. Scale and timings belong in `npm run drill`.

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('scheduled backups, the backup before a production migration, restore tests and file snapshots', () => {
  let root: string;
  let filesDir: string;
  let settings: BackupSettings;
  let cluster: PrivateCluster;
  let databaseUrl: string;
  let pool: Pool | undefined;
  let env: Record<string, string>;
  const veza = (args: string[], extra: Record<string, string> = {}) => runVeza(args, { ...env, ...extra });
  const jobs = () => Object.fromEntries(backupJobs(env).map((job) => [job.name, job]));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'veza-backup-ops-'));
    await chmod(root, 0o755);
    filesDir = join(root, 'files');
    env = {
      VEZA_DATA_DIR: join(root, 'data'),
      VEZA_BACKUP_DIR: join(root, 'backup'),
      VEZA_BACKUP_STANZA: 'ops',
      VEZA_FILES_DIR: filesDir,
      VEZA_STORAGE: 'local',
    };
    settings = backupSettingsFromEnv(env, env.VEZA_DATA_DIR!);
    cluster = await PrivateCluster.create(await freePort(), (dir) => [
      `unix_socket_directories = '${dir}'`,
      ...archiveSettingsConfLines(settings),
    ]);
    await query(cluster.url, 'CREATE DATABASE veza_ops');
    databaseUrl = cluster.url.replace(/\/postgres$/, '/veza_ops');
    env.DATABASE_URL = databaseUrl;
  });

  after(async () => {
    await pool?.close();
    await cluster?.destroy();
    await rm(root, { recursive: true, force: true });
  });

  /** Migrations applied to the cluster's database (0 before the migrations table exists). */
  const applied = async (): Promise<number> => {
    const [table] = await query<{ name: string | null }>(
      databaseUrl,
      "SELECT to_regclass('veza_meta.schema_migrations')::text AS name",
    );
    if (!table?.name) return 0;
    const [row] = await query<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM veza_meta.schema_migrations');
    return row?.n ?? 0;
  };

  test('NODE_ENV=production: veza db migrate refuses when the backup fails, backs up first otherwise', async () => {
    await mkdir(join(filesDir, 'audio', 'ab'), { recursive: true });
    await writeFile(join(filesDir, 'audio', 'ab', 'one.flac'), 'bytes of the first upload');
    await writeFile(join(filesDir, 'audio', 'ab', 'two.flac'), 'bytes of the second upload');

    // A server archiving otherwise than configured cannot be backed up: no migration then.
    const refused = await veza(['db', 'migrate'], {
      NODE_ENV: 'production',
      VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS: '30',
    });
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /refusing to migrate: the full backup required before a schema change/);
    assert.match(refused.stderr, /archive_timeout differ/);
    assert.equal(await applied(), 0);

    const migrated = await veza(['db', 'migrate'], { NODE_ENV: 'production' });
    assert.equal(migrated.code, 0, migrated.stderr);
    const label = /backup (\S+F) taken; migrating/.exec(migrated.stdout)?.[1];
    assert.ok(label, migrated.stdout);
    assert.match(migrated.stdout, /applied\s+0001_platform_foundation/);
    const info = await readStanzaInfo(settings);
    assert.deepEqual(
      info.backups.map((backup) => [backup.label, backup.type]),
      [[label, 'full']],
    );
    // The file store was snapshotted with the backup, under its label.
    assert.equal(
      await readFile(join(settings.dir, 'files', label, 'audio', 'ab', 'two.flac'), 'utf8'),
      'bytes of the second upload',
    );

    // Nothing pending: no backup. --skip-backup in an emergency: a loud warning, no backup, the migration runs.
    const all = await applied();
    assert.deepEqual(await new Migrator(databaseUrl).rollback({ steps: 1 }), [listMigrationFiles().at(-1)!.name]);
    const skipped = await veza(['db', 'migrate', '--skip-backup'], {
      NODE_ENV: 'production',
      VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS: '30',
    });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /WARNING: --skip-backup: migrating 1 migration\(s\) WITHOUT the full backup/);
    assert.equal((await readStanzaInfo(settings)).backups.length, 1);
    assert.equal(await applied(), all);
  });

  test('the scheduled backup and restore-test jobs run through the job runner and are recorded in job_runs', async () => {
    pool = openPool(
      databaseUrl,
      { poolSize: 3, connectTimeoutMs: 10_000, statementTimeoutMs: 0, lockTimeoutMs: 0, prepareStatements: false },
      {},
    );
    const run = (name: string) =>
      runJob(jobs()[name]!, {
        db: pool!.db,
        dataDir: env.VEZA_DATA_DIR!,
        triggeredBy: 'schedule',
        log: (line) => console.log(line),
      });

    // Upload-like rows in a schema of the test's own: the schema check rightly flags any table public has that no
    // migration made.
    await query(databaseUrl, 'CREATE SCHEMA fixture; CREATE TABLE fixture.stored_files (key text PRIMARY KEY)');
    await query(databaseUrl, "INSERT INTO fixture.stored_files VALUES ('audio/ab/one.flac'), ('audio/ab/two.flac')");
    const incr = await run('backup.incr');
    assert.equal(incr.status, 'succeeded', incr.error ?? '');

    const test = await run('backup.restore-test');
    assert.equal(test.status, 'succeeded', test.error ?? '');
    // The restored copy's row counts are the run's rows_by_table: at least the incremental's run, recorded before
    // its backup started (what else depends on which WAL segment archive_timeout has closed meanwhile).
    assert.ok((test.rowsByTable.job_runs ?? 0) >= 1, JSON.stringify(test.rowsByTable));
    assert.equal(test.rowsByTable.stored_files, undefined);
    const [recorded] = await query<{ job_name: string; status: string; rows_by_table: Record<string, number> }>(
      databaseUrl,
      'SELECT job_name, status, rows_by_table FROM job_runs WHERE id = $1',
      [test.id],
    );
    assert.deepEqual([recorded?.job_name, recorded?.status], ['backup.restore-test', 'succeeded']);
    assert.equal(recorded?.rows_by_table.job_runs, test.rowsByTable.job_runs);
    const last = await readLastRestoreTest(settings);
    assert.equal(last?.ok, true);
    assert.deepEqual(last?.schemaProblems, []);
    assert.equal(existsSync(join(settings.dir, 'restore-test')) && last?.backup !== null, true);

    const verify = await run('backup.verify');
    assert.equal(verify.status, 'succeeded', verify.error ?? '');

    // The gauges, from the real repository: a backup of a minute ago, a restore test that passed.
    const registry = new Registry();
    trackBackupMetrics(registry, backupFactsReader(settings));
    const text = await registry.metrics();
    const age = Number(/^veza_backup_last_success_age_seconds (\S+)$/m.exec(text)?.[1]);
    assert.ok(age >= 0 && age < 300, text);
    assert.match(text, /^veza_backup_restore_test_ok 1$/m);
    assert.match(text, /^veza_backup_info_readable 1$/m);
  });

  test('a point-in-time restore puts back the stored files its rows name, from the snapshots of the backups', async () => {
    // A file uploaded after the last backup, named by a row committed before the target.
    await writeFile(join(filesDir, 'audio', 'ab', 'three.flac'), 'bytes of the third upload');
    await query(databaseUrl, "INSERT INTO fixture.stored_files VALUES ('audio/ab/three.flac')");
    await sleep(30);
    const [{ now } = { now: '' }] = await query<{ now: string }>(
      databaseUrl,
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`,
    );
    await sleep(30);
    // After the target: the next backup (which snapshots three.flac), then the files deleted as a sweep would.
    const diff = await runJob(jobs()['backup.diff']!, {
      db: pool!.db,
      dataDir: env.VEZA_DATA_DIR!,
      triggeredBy: 'schedule',
    });
    assert.equal(diff.status, 'succeeded', diff.error ?? '');
    await unlink(join(filesDir, 'audio', 'ab', 'two.flac'));
    await unlink(join(filesDir, 'audio', 'ab', 'three.flac'));
    await checkArchiving(settings);

    const into = join(root, 'restored');
    const restore = await veza(['backup', 'restore', '--to', now, '--target', into, '--files-to', filesDir]);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /put back 2 stored file\(s\)/);
    const restored = await RestoredCluster.start(into, await freePort());
    try {
      const rows = await query<{ key: string }>(
        restored.url.replace(/\/postgres$/, '/veza_ops'),
        'SELECT key FROM fixture.stored_files ORDER BY key',
      );
      assert.deepEqual(
        rows.map((row) => row.key),
        ['audio/ab/one.flac', 'audio/ab/three.flac', 'audio/ab/two.flac'],
      );
      for (const row of rows) assert.ok(existsSync(join(filesDir, row.key)), `${row.key} exists after the restore`);
      assert.equal(await readFile(join(filesDir, 'audio', 'ab', 'two.flac'), 'utf8'), 'bytes of the second upload');
      assert.equal(await readFile(join(filesDir, 'audio', 'ab', 'three.flac'), 'utf8'), 'bytes of the third upload');
    } finally {
      await restored.stop();
    }

    const status = await veza(['backup', 'status']);
    assert.match(status.stdout, /last restore test: ok .* tables/);
    assert.match(status.stdout, /backup_age_seconds \d+/);
  });
});
