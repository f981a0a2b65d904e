// Cloud storage (spec §13): the few users who connect a Nextcloud, WebDAV, S3, Dropbox or Google Drive account,
// their backup jobs and the file transfers.
import { byteaHex, type Row } from '../copy-text.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { DAY_MS, HOUR_MS, iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, streams, type Universe } from '../universe.ts';
import { VOLUMES } from '../volumes.ts';
import { userCreated, userId, username, users } from './auth.ts';
import { personalFileId } from './files.ts';

const S = streams(
  'cloud_accounts',
  'cloud_accounts.id',
  'backup_jobs',
  'backup_jobs.id',
  'sync_operations',
  'sync_operations.id',
);

const PROVIDERS = ['nextcloud', 'webdav', 's3', 'dropbox', 'google_drive'] as const;

function accountFanout(u: Universe): Fanout {
  return u.cached('cloud_accounts', () =>
    // the first creator (users(u).staff) always has one, so that no scale leaves the module empty
    Fanout.of(u, S.cloud_accounts, users(u).count, (user, rng) =>
      user === users(u).staff || rng.chance(VOLUMES.cloudAccountShare) ? 1 : 0,
    ),
  );
}

interface Account {
  user: number;
  created: number;
}

/** The accounts in row order with their owner and creation time. */
function accounts(u: Universe): Account[] {
  return u.cached('cloud_accounts.list', () => {
    const fanout = accountFanout(u);
    const list: Account[] = [];
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let a = fanout.start[user] as number; a < (fanout.start[user + 1] as number); a++) {
        list.push({ user, created: u.time.after(userCreated(u, user), u.unit(S.cloud_accounts, a, 1)) });
      }
    }
    return list;
  });
}

function accountId(u: Universe, account: number): string {
  return u.id(S['cloud_accounts.id'], account);
}

const cloudAccounts = copyTable({
  name: 'cloud_accounts',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'provider',
    'display_name',
    'server_url',
    'bucket_name',
    'region',
    'remote_root_path',
    'username',
    'encrypted_credentials',
    'credentials_key_version',
    'token_expires_at',
    'status',
    'quota_total_bytes',
    'quota_used_bytes',
    'last_synced_at',
    'last_error',
    'created_at',
    'updated_at',
  ],
  count: (u) => accounts(u).length,
  *rows(u): Iterable<Row> {
    const list = accounts(u);
    const rng = u.rng();
    for (let a = 0; a < list.length; a++) {
      const { user, created } = list[a] as Account;
      rng.reset(S['cloud_accounts.id'], a);
      const provider = rng.pick(PROVIDERS);
      const state = rng.next();
      const status =
        state < 0.85
          ? 'active'
          : state < 0.9
            ? 'error'
            : state < 0.95
              ? 'reauth_required'
              : state < 0.98
                ? 'disabled'
                : 'pending';
      const quota = rng.pick([100, 500, 1000, 2000]) * 1_000_000_000;
      const synced = status === 'pending' ? NaN : u.time.after(created, 0.6 + rng.next() * 0.4);
      yield [
        accountId(u, a),
        userId(u, user),
        provider,
        rng.chance(0.5) ? `My ${provider.replace('_', ' ')}` : null,
        provider === 'nextcloud' || provider === 'webdav' ? `https://cloud${a}.example.net/remote.php/dav` : null,
        provider === 's3' ? `veza-backup-${a}` : null,
        provider === 's3' ? rng.pick(['eu-west-3', 'eu-central-1', 'us-east-1']) : null,
        rng.chance(0.7) ? '/' : '/Music',
        provider === 's3' ? `AKIA${rng.hex(16).toUpperCase()}` : username(u, user),
        byteaHex(rng.hex(96)),
        1,
        provider === 'dropbox' || provider === 'google_drive' ? iso(u.time.anchor + HOUR_MS) : null,
        status,
        provider === 's3' ? null : quota,
        provider === 's3' ? null : Math.floor(quota * rng.next() * 0.8),
        Number.isNaN(synced) ? null : iso(synced),
        status === 'error' ? 'connection refused by the remote server' : null,
        iso(created),
        iso(Number.isNaN(synced) ? created : synced),
      ];
    }
  },
});

function backupFanout(u: Universe): Fanout {
  return u.cached('backup_jobs', () =>
    Fanout.of(u, S.backup_jobs, accounts(u).length, (account, rng) =>
      account === 0 || rng.chance(VOLUMES.backupJobShare) ? 1 : 0,
    ),
  );
}

const backupJobs = copyTable({
  name: 'backup_jobs',
  dependsOn: ['cloud_accounts'],
  columns: [
    'id',
    'cloud_account_id',
    'name',
    'scope',
    'destination_path',
    'schedule',
    'timezone',
    'retention_count',
    'status',
    'next_run_at',
    'last_run_at',
    'last_run_finished_at',
    'last_run_status',
    'bytes_transferred',
    'last_error',
    'created_at',
    'updated_at',
  ],
  count: (u) => backupFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = backupFanout(u);
    const list = accounts(u);
    const rng = u.rng();
    for (let a = 0; a < list.length; a++) {
      for (let b = fanout.start[a] as number; b < (fanout.start[a + 1] as number); b++) {
        rng.reset(S['backup_jobs.id'], b);
        const created = (list[a] as Account).created + MINUTE_MS;
        // the last run was the night before the anchor, for the jobs that existed then
        const night =
          Math.floor((u.time.anchor - 1) / DAY_MS) * DAY_MS + 3 * HOUR_MS - (u.time.anchor % DAY_MS === 0 ? 0 : DAY_MS);
        const ran = created < night;
        const lastRun = ran ? night : NaN;
        const outcome = rng.next();
        const result = outcome < 0.9 ? 'succeeded' : outcome < 0.95 ? 'partial' : 'failed';
        const active = rng.chance(0.9);
        yield [
          u.id(S['backup_jobs.id'], b),
          accountId(u, a),
          rng.pick(['Nightly backup', 'Weekly stems', 'Masters', 'Everything']),
          rng.pick(['all', 'tracks', 'files', 'account_data']),
          '/Veza Backups',
          rng.pick(['0 3 * * *', '30 2 * * 1', '0 4 * * 0']),
          rng.pick(['UTC', 'Europe/Paris', 'America/New_York']),
          rng.chance(0.7) ? rng.pick([3, 7, 14, 30]) : null,
          active ? 'active' : 'paused',
          active ? iso(u.time.anchor + 3 * HOUR_MS) : null,
          ran ? iso(lastRun) : null,
          ran ? iso(lastRun + rng.between(1, 60) * MINUTE_MS) : null,
          ran ? result : null,
          ran ? rng.int(50_000_000_000) : 0,
          ran && result !== 'succeeded' ? 'some files could not be uploaded' : null,
          iso(created),
          iso(ran ? lastRun : created),
        ];
      }
    }
  },
});

function syncFanout(u: Universe): Fanout {
  return u.cached('sync_operations', () =>
    Fanout.of(u, S.sync_operations, accounts(u).length, (account, rng) =>
      Math.max(account === 0 ? 1 : 0, rng.exponentialCount(VOLUMES.syncOperationsPerAccount, 1000)),
    ),
  );
}

const syncOperations = copyTable({
  name: 'sync_operations',
  dependsOn: ['cloud_accounts', 'backup_jobs', 'files'],
  columns: [
    'id',
    'cloud_account_id',
    'backup_job_id',
    'file_id',
    'direction',
    'remote_path',
    'remote_etag',
    'status',
    'bytes_total',
    'bytes_transferred',
    'retry_count',
    'started_at',
    'finished_at',
    'error',
    'created_at',
    'updated_at',
  ],
  count: (u) => syncFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = syncFanout(u);
    const jobs = backupFanout(u);
    const list = accounts(u);
    const rng = u.rng();
    for (let a = 0; a < list.length; a++) {
      const { user, created: accountCreated } = list[a] as Account;
      const job = (jobs.counts[a] as number) > 0 ? (jobs.start[a] as number) : -1;
      for (let s = fanout.start[a] as number; s < (fanout.start[a + 1] as number); s++) {
        rng.reset(S['sync_operations.id'], s);
        const created = u.time.after(accountCreated + MINUTE_MS, rng.next());
        const outcome = rng.next();
        const status =
          outcome < 0.85
            ? 'completed'
            : outcome < 0.9
              ? 'failed'
              : outcome < 0.94
                ? 'pending'
                : outcome < 0.97
                  ? 'in_progress'
                  : 'cancelled';
        const total = rng.between(10_000, 500_000_000);
        const started = status === 'pending' ? NaN : created + rng.between(0, 60) * 1000;
        const finished =
          status === 'completed' || status === 'failed' || status === 'cancelled'
            ? started + rng.between(1, 600) * 1000
            : NaN;
        const slot = rng.int(VOLUMES.personalFilesPerUser);
        yield [
          u.id(S['sync_operations.id'], s),
          accountId(u, a),
          job >= 0 && rng.chance(0.5) ? u.id(S['backup_jobs.id'], job) : null,
          rng.chance(0.6) ? personalFileId(u, user, slot) : null,
          rng.chance(0.8) ? 'upload' : 'download',
          `/Veza Backups/${s}.${rng.pick(['wav', 'flac', 'zip', 'json'])}`,
          status === 'completed' ? `"${rng.hex(16)}"` : null,
          status,
          total,
          status === 'completed' ? total : status === 'pending' ? 0 : Math.floor(total * rng.next()),
          status === 'failed' ? rng.between(1, 5) : rng.chance(0.05) ? 1 : 0,
          Number.isNaN(started) ? null : iso(started),
          Number.isNaN(finished) ? null : iso(finished),
          status === 'failed' ? 'remote returned 507 Insufficient Storage' : null,
          iso(created),
          iso(Number.isNaN(finished) ? (Number.isNaN(started) ? created : started) : finished),
        ];
      }
    }
  },
});

export const cloudTables: SeedTable[] = [cloudAccounts, backupJobs, syncOperations];
