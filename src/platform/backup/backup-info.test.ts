import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backupAgeSeconds,
  checkRestoreTarget,
  lastGoodBackup,
  parseInfo,
  parseRestoreTarget,
  parseVerifyOutput,
} from './backup-info.ts';
import { archivingDifferences, type ServerArchiving } from './archiving-status.ts';
import {
  archiveSettings,
  archiveSettingsStatements,
  backupSettingsFromEnv,
  renderPgbackrestConf,
  type BackupSettings,
} from './backup-settings.ts';

const at = (iso: string) => Date.parse(iso) / 1000;

function rawBackup(label: string, type: string, repo: number, start: string, stop: string, error = false) {
  return {
    label,
    type,
    error,
    database: { id: 1, 'repo-key': repo },
    timestamp: { start: at(start), stop: at(stop) },
    info: { size: 1000, delta: 1000, repository: { size: 300, delta: 300 } },
  };
}

// The shape pgBackRest 2.45 prints (trimmed to the fields Veza reads).
const INFO = JSON.stringify([
  {
    name: 'veza',
    status: { code: 0, message: 'ok' },
    repo: [
      { key: 1, cipher: 'none', status: { code: 0, message: 'ok' } },
      { key: 2, cipher: 'none', status: { code: 2, message: 'no valid backups' } },
    ],
    backup: [
      rawBackup('20261201-000000F', 'full', 1, '2026-12-01T00:00:00Z', '2026-12-01T00:10:00Z'),
      rawBackup('20261201-000000F_20261202-000000D', 'diff', 1, '2026-12-02T00:00:00Z', '2026-12-02T00:02:00Z'),
      rawBackup('20261201-000000F_20261202-060000I', 'incr', 1, '2026-12-02T06:00:00Z', '2026-12-02T06:01:00Z', true),
      rawBackup('20261202-020000F', 'full', 2, '2026-12-02T02:00:00Z', '2026-12-02T02:05:00Z'),
    ],
    archive: [
      { database: { 'repo-key': 1 }, id: '15-1', min: '000000010000000000000001', max: '00000001000000000000000A' },
    ],
  },
]);

describe('reading pgBackRest info', () => {
  const info = parseInfo(INFO, 'veza');

  test('backups come out oldest first with their repository, and the last good one skips a backup with errors', () => {
    assert.deepEqual(
      info.backups.map((backup) => [backup.label, backup.type, backup.repo, backup.error]),
      [
        ['20261201-000000F', 'full', 1, false],
        ['20261201-000000F_20261202-000000D', 'diff', 1, false],
        ['20261202-020000F', 'full', 2, false],
        ['20261201-000000F_20261202-060000I', 'incr', 1, true],
      ],
    );
    assert.equal(lastGoodBackup(info)?.label, '20261202-020000F');
    assert.equal(backupAgeSeconds(info, new Date('2026-12-02T05:05:00Z')), 3 * 3600);
    assert.deepEqual(info.repos, [
      { repo: 1, code: 0, message: 'ok' },
      { repo: 2, code: 2, message: 'no valid backups' },
    ]);
  });

  test('a stanza pgBackRest does not list, or one without backups, has no age', () => {
    assert.equal(backupAgeSeconds(parseInfo('[]', 'veza'), new Date()), null);
    assert.equal(parseInfo(INFO, 'other').status.code, 1);
  });
});

describe('restore targets', () => {
  const info = parseInfo(INFO, 'veza');
  const now = new Date('2026-12-03T00:00:00Z');

  test('as pgBackRest chooses: the first repository with a good backup stopped before the target, its newest one', () => {
    assert.equal(checkRestoreTarget(info, new Date('2026-12-01T00:10:00Z'), now).label, '20261201-000000F');
    assert.equal(
      checkRestoreTarget(info, new Date('2026-12-02T23:00:00Z'), now).label,
      '20261201-000000F_20261202-000000D',
      'the daily repository first, though the monthly full is newer',
    );
  });

  test('before the end of the oldest backup, in the future, or with no good backup: refused with the reason', () => {
    assert.throws(
      () => checkRestoreTarget(info, new Date('2026-12-01T00:05:00Z'), now),
      /restore target 2026-12-01T00:05:00.000Z is before the oldest backup, 20261201-000000F, which finished at 2026-12-01T00:10:00.000Z/,
    );
    assert.throws(() => checkRestoreTarget(info, new Date('2026-12-04T00:00:00Z'), now), /is in the future/);
    assert.throws(
      () => checkRestoreTarget(parseInfo('[]', 'veza'), new Date('2026-12-02T00:00:00Z'), now),
      /no good backup/,
    );
  });

  test('a timestamp needs its time zone', () => {
    assert.equal(parseRestoreTarget('2026-12-07T21:40:00Z').toISOString(), '2026-12-07T21:40:00.000Z');
    assert.equal(parseRestoreTarget('2026-12-07 22:40:00.250+01:00').toISOString(), '2026-12-07T21:40:00.250Z');
    for (const bad of ['2026-12-07 21:40:00', 'yesterday', '2026-13-07T21:40:00Z', '']) {
      assert.throws(() => parseRestoreTarget(bad), /is not a timestamp with a time zone/, bad);
    }
  });
});

describe('reading pgbackrest verify', () => {
  // Captured from pgBackRest 2.45 after one byte range of a stored file was overwritten; it still exits 0.
  const corrupt = `2026-12-07 21:27:07.258 P00   INFO: verify command begin 2.45: --config=/tmp/x/pgbackrest.conf --stanza=veza
2026-12-07 21:27:07.499 P01   INFO: invalid checksum '20261207-212656F/pg_data/global/1260_vm.lz4'
2026-12-07 21:27:07.510 P00   INFO: stanza: veza
                                    status: error
                                      backup: 20261207-212656F, status: invalid, total files checked: 964, total valid files: 963
                                        checksum invalid: 1
2026-12-07 21:27:07.510 P00   INFO: verify command end: completed successfully (254ms)`;

  test('a corrupted file makes the repository corrupt and names its backup and file', () => {
    assert.deepEqual(parseVerifyOutput(corrupt, 1), {
      repo: 1,
      ok: false,
      invalidBackups: ['20261207-212656F'],
      problems: ["invalid checksum '20261207-212656F/pg_data/global/1260_vm.lz4'", 'checksum invalid: 1'],
    });
  });

  test('a clean report is ok', () => {
    const clean = corrupt
      .split('\n')
      .filter((line) => !/invalid/.test(line))
      .join('\n')
      .replace('status: error', 'status: ok');
    assert.deepEqual(parseVerifyOutput(clean, 2), { repo: 2, ok: true, invalidBackups: [], problems: [] });
  });
});

describe('the generated configuration', () => {
  const settings: BackupSettings = {
    ...backupSettingsFromEnv({ VEZA_BACKUP_DIR: '/srv/backup', VEZA_BACKUP_STANZA: 'main' }, '/srv/data'),
    postgres: { dataDir: '/var/lib/postgresql/15/main', port: 5432, socketDir: '/var/run/postgresql' },
  };

  test('30 days of point-in-time recovery in the daily repository, twelve monthly fulls in the other', () => {
    const conf = renderPgbackrestConf(settings);
    for (const line of [
      'repo1-path=/srv/backup/repo',
      'repo1-retention-full-type=time',
      'repo1-retention-full=30',
      'repo2-path=/srv/backup/repo-monthly',
      'repo2-retention-full-type=count',
      'repo2-retention-full=12',
      'repo2-retention-archive=1',
      '[main]',
      'pg1-path=/var/lib/postgresql/15/main',
      'pg1-socket-path=/var/run/postgresql',
    ]) {
      assert.ok(conf.split('\n').includes(line), `${line} in\n${conf}`);
    }
  });

  test('S3 repositories when a bucket is named, keys left to the environment when not given', () => {
    const s3 = backupSettingsFromEnv(
      { VEZA_BACKUP_S3_BUCKET: 'veza-backups', VEZA_BACKUP_S3_ENDPOINT: 's3.eu-west-3.amazonaws.com' },
      '/srv/data',
    );
    const conf = renderPgbackrestConf(s3).split('\n');
    for (const line of [
      'repo1-type=s3',
      'repo1-s3-bucket=veza-backups',
      'repo1-path=/veza',
      'repo2-path=/veza-monthly',
    ]) {
      assert.ok(conf.includes(line), line);
    }
    assert.equal(
      conf.some((line) => line.includes('s3-key')),
      false,
    );
  });

  test('archive settings for a server someone else runs, quoted for SQL', () => {
    assert.deepEqual(archiveSettingsStatements(settings), [
      "ALTER SYSTEM SET archive_mode = 'on';",
      "ALTER SYSTEM SET archive_command = 'pgbackrest --config=/srv/backup/pgbackrest.conf --stanza=main archive-push %p';",
      "ALTER SYSTEM SET archive_timeout = '60s';",
    ]);
  });

  test('a server archiving otherwise than the configuration needs is told which settings differ', () => {
    const server: ServerArchiving = {
      location: settings.postgres,
      locationProblem: undefined,
      settings: { ...archiveSettings(settings) },
      lastArchivedWal: null,
      lastArchivedAt: null,
      failedCount: 0,
      lastFailedAt: null,
    };
    assert.deepEqual(archivingDifferences(settings, server), []);
    server.settings = { archive_mode: 'off', archive_command: '(disabled)', archive_timeout: '0s' };
    assert.deepEqual(archivingDifferences(settings, server), ['archive_mode', 'archive_command', 'archive_timeout']);
    server.settings = { ...archiveSettings(settings), archive_timeout: '300s' };
    assert.deepEqual(archivingDifferences(settings, server), ['archive_timeout']);
  });

  test('bad settings are refused with the variable named', () => {
    assert.throws(() => backupSettingsFromEnv({ VEZA_BACKUP_STANZA: 'Main db' }, '/d'), /VEZA_BACKUP_STANZA/);
    assert.throws(
      () => backupSettingsFromEnv({ VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS: '0' }, '/d'),
      /VEZA_BACKUP_ARCHIVE_TIMEOUT_SECONDS must be an integer from 1 to 3600/,
    );
  });
});
