import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import type { BackupRecord } from './backup-info.ts';
import { backupScheduleEnabled, backupJobs } from './backup-jobs.ts';
import { trackBackupMetrics, type BackupFacts } from './backup-metrics.ts';
import {
  listFileSnapshots,
  pruneFileSnapshots,
  restoreFiles,
  snapshotFiles,
  snapshotsForRestore,
} from './file-snapshots.ts';

describe('file snapshots tied to backup labels', () => {
  let root: string;
  let files: string;
  let snapshots: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'veza-file-snapshots-'));
    files = join(root, 'files');
    snapshots = join(root, 'snapshots');
    await mkdir(join(files, 'a'), { recursive: true });
    await writeFile(join(files, 'a', 'one'), 'one');
    await writeFile(join(files, 'a', 'two'), 'two');
    // An upload in progress: the local backend's temporaries are never snapshotted.
    await writeFile(join(files, 'a', '.tmp-123'), 'half');
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('a snapshot hard-links the live files, the next links to it, and a delete or overwrite does not reach them', async () => {
    const first = await snapshotFiles(files, snapshots, '20261201-010000F');
    assert.deepEqual([first.files, first.bytes, first.linked], [2, 6, 2]);
    assert.equal((await stat(join(snapshots, '20261201-010000F', 'a', 'one'))).nlink, 2);

    await writeFile(join(files, 'a', 'three'), 'three');
    const second = await snapshotFiles(files, snapshots, '20261201-010000F_20261201-070000I');
    assert.equal(second.files, 3);
    // one and two are linked to the live file and the first snapshot: three names for the same bytes.
    assert.equal((await stat(join(snapshots, '20261201-010000F_20261201-070000I', 'a', 'one'))).nlink, 3);

    await unlink(join(files, 'a', 'two'));
    await unlink(join(files, 'a', 'three'));
    // The local backend replaces a file by renaming a new one over it: the snapshot keeps the old inode.
    await writeFile(join(files, 'a', '.tmp-new'), 'ONE, replaced');
    const { rename } = await import('node:fs/promises');
    await rename(join(files, 'a', '.tmp-new'), join(files, 'a', 'one'));
    assert.equal(await readFile(join(snapshots, '20261201-010000F', 'a', 'one'), 'utf8'), 'one');
    assert.deepEqual(await listFileSnapshots(snapshots), ['20261201-010000F', '20261201-010000F_20261201-070000I']);

    const restored = await restoreFiles(snapshots, ['20261201-010000F', '20261201-010000F_20261201-070000I'], files);
    assert.equal(restored, 2, 'two and three come back; one exists and is left alone');
    assert.equal(await readFile(join(files, 'a', 'two'), 'utf8'), 'two');
    assert.equal(await readFile(join(files, 'a', 'three'), 'utf8'), 'three');
    assert.equal(await readFile(join(files, 'a', 'one'), 'utf8'), 'ONE, replaced');

    assert.deepEqual(await pruneFileSnapshots(snapshots, new Set(['20261201-010000F_20261201-070000I'])), [
      '20261201-010000F',
    ]);
    assert.equal(await readFile(join(snapshots, '20261201-010000F_20261201-070000I', 'a', 'one'), 'utf8'), 'one');
  });

  test('a restore to a moment uses the snapshot of its backup and that of the first backup finished after it', () => {
    const record = (label: string, stop: string) => ({ label, stoppedAt: new Date(stop) }) as unknown as BackupRecord;
    const backups = [
      record('F1', '2026-12-01T01:05:00Z'),
      record('F1_I1', '2026-12-01T07:01:00Z'),
      record('F1_I2', '2026-12-01T13:01:00Z'),
    ];
    const available = ['F1', 'F1_I1', 'F1_I2'];
    assert.deepEqual(snapshotsForRestore(available, backups, 'F1', new Date('2026-12-01T03:00:00Z')), ['F1', 'F1_I1']);
    assert.deepEqual(snapshotsForRestore(available, backups, 'F1_I2', new Date('2026-12-01T14:00:00Z')), ['F1_I2']);
    assert.deepEqual(snapshotsForRestore(['F1_I1'], backups, 'F1', undefined), []);
  });
});

describe('the backup schedule and gauges', () => {
  test('the backup jobs are scheduled only with VEZA_BACKUP_SCHEDULE=on, on the spec rhythm', () => {
    assert.equal(backupScheduleEnabled({}), false);
    assert.equal(backupScheduleEnabled({ VEZA_BACKUP_SCHEDULE: 'on' }), true);
    assert.throws(
      () => backupScheduleEnabled({ VEZA_BACKUP_SCHEDULE: 'yes' }),
      /VEZA_BACKUP_SCHEDULE must be on or off/,
    );
    assert.deepEqual(
      backupJobs({}).map((job) => [job.name, job.defaultSchedule]),
      [
        ['backup.full', '0 1 * * 0'],
        ['backup.diff', '0 1 * * 1-6'],
        ['backup.incr', '0 7,13,19 * * *'],
        ['backup.monthly', '30 2 1 * *'],
        ['backup.verify', '0 4 * * 3'],
        ['backup.restore-test', '0 5 * * 4'],
      ],
    );
  });

  test('the repository is read at most once per cache period; ages grow with the clock in between', async () => {
    let clock = Date.parse('2026-12-07T12:00:00Z');
    let reads = 0;
    let facts: BackupFacts = {
      lastGoodBackupAt: new Date('2026-12-07T07:00:00Z'),
      lastRestoreTest: { at: new Date('2026-12-03T05:00:00Z'), ok: false },
    };
    const registry = new Registry();
    trackBackupMetrics(
      registry,
      () => {
        reads += 1;
        return reads === 3 ? Promise.reject(new Error('pgbackrest info failed')) : Promise.resolve(facts);
      },
      { cacheMs: 60_000, now: () => clock },
    );
    const value = (text: string, name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    let text = await registry.metrics();
    assert.equal(value(text, 'veza_backup_last_success_age_seconds'), String(5 * 3600));
    assert.equal(value(text, 'veza_backup_restore_test_ok'), '0');
    assert.equal(value(text, 'veza_backup_info_readable'), '1');
    assert.equal(reads, 1);

    clock += 30_000;
    facts = { ...facts, lastGoodBackupAt: new Date('2026-12-07T11:59:00Z') };
    text = await registry.metrics();
    assert.equal(reads, 1, 'within the cache period, no new reading');
    assert.equal(value(text, 'veza_backup_last_success_age_seconds'), String(5 * 3600 + 30));

    clock += 30_000;
    text = await registry.metrics();
    assert.equal(reads, 2);
    assert.equal(value(text, 'veza_backup_last_success_age_seconds'), '120');

    clock += 60_000;
    text = await registry.metrics();
    assert.equal(reads, 3);
    assert.equal(value(text, 'veza_backup_info_readable'), '0');
    assert.equal(value(text, 'veza_backup_last_success_age_seconds'), '180', 'the last known backup still ages');
  });
});
