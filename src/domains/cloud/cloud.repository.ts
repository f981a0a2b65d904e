// The SQL of the cloud domain (spec §13, migration 0011; ADR 0085): cloud_accounts, backup_jobs, sync_operations.
// Rows in, rows out. The sealed credentials are read by one function only, for the code that connects.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';

export type Executor = Database | Transaction<DB>;

export type AccountStatus = 'pending' | 'active' | 'error' | 'reauth_required' | 'disabled';

export interface AccountRow {
  id: string;
  user_id: string;
  provider: string;
  display_name: string | null;
  server_url: string;
  remote_root_path: string;
  username: string;
  status: AccountStatus;
  quota_total_bytes: string | null;
  quota_used_bytes: string | null;
  last_synced_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const ACCOUNT_COLUMNS = [
  'id',
  'user_id',
  'provider',
  'display_name',
  'server_url',
  'remote_root_path',
  'username',
  'status',
  'quota_total_bytes',
  'quota_used_bytes',
  'last_synced_at',
  'last_error',
  'created_at',
  'updated_at',
] as const;

const toAccount = (row: Record<string, unknown>) => row as unknown as AccountRow;

export async function insertAccount(
  db: Executor,
  values: {
    user_id: string;
    provider: string;
    display_name: string | null;
    server_url: string;
    remote_root_path: string;
    username: string;
    encrypted_credentials: Buffer;
  },
): Promise<AccountRow | undefined> {
  const row = await db
    .insertInto('cloud_accounts')
    .values(values)
    .onConflict((conflict) => conflict.constraint('uq_cloud_accounts_user_provider_server_username').doNothing())
    .returning(ACCOUNT_COLUMNS)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function accountsOf(db: Executor, userId: string): Promise<AccountRow[]> {
  const rows = await db
    .selectFrom('cloud_accounts')
    .select(ACCOUNT_COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toAccount);
}

export async function findAccount(db: Executor, id: string): Promise<AccountRow | undefined> {
  const row = await db.selectFrom('cloud_accounts').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}

/** The sealed app password, for the code that connects; nothing else reads it. */
export async function sealedCredentialsOf(db: Executor, id: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('cloud_accounts')
    .select('encrypted_credentials')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.encrypted_credentials;
}

export async function deleteAccount(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('cloud_accounts').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Records what the last contact with the server found; answers the status before, under the row's lock, so that
 * exactly one of two concurrent failures sees the account turn bad (and notifies its owner).
 */
export async function recordAccountOutcome(
  tx: Transaction<DB>,
  id: string,
  outcome: {
    status: AccountStatus;
    last_error: string | null;
    quota?: { total: number | null; used: number | null };
    synced_at?: Date;
  },
): Promise<AccountStatus | undefined> {
  const before = await tx
    .selectFrom('cloud_accounts')
    .select('status')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  await tx
    .updateTable('cloud_accounts')
    .set({
      status: outcome.status,
      last_error: outcome.last_error,
      ...(outcome.quota ? { quota_total_bytes: outcome.quota.total, quota_used_bytes: outcome.quota.used } : {}),
      ...(outcome.synced_at ? { last_synced_at: outcome.synced_at } : {}),
    })
    .where('id', '=', id)
    .execute();
  return before.status as AccountStatus;
}

// Backup jobs

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface BackupJobRow {
  id: string;
  cloud_account_id: string;
  /** The account's owner: who may see and run the backup. */
  user_id: string;
  name: string;
  scope: 'all' | 'tracks' | 'files' | 'account_data';
  destination_path: string;
  schedule: string | null;
  timezone: string;
  retention_count: number | null;
  status: 'active' | 'paused';
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_run_finished_at: Date | null;
  last_run_status: RunStatus | null;
  bytes_transferred: string;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const JOB_COLUMNS = [
  'backup_jobs.id',
  'backup_jobs.cloud_account_id',
  'cloud_accounts.user_id',
  'backup_jobs.name',
  'backup_jobs.scope',
  'backup_jobs.destination_path',
  'backup_jobs.schedule',
  'backup_jobs.timezone',
  'backup_jobs.retention_count',
  'backup_jobs.status',
  'backup_jobs.next_run_at',
  'backup_jobs.last_run_at',
  'backup_jobs.last_run_finished_at',
  'backup_jobs.last_run_status',
  'backup_jobs.bytes_transferred',
  'backup_jobs.last_error',
  'backup_jobs.created_at',
  'backup_jobs.updated_at',
] as const;

const toJob = (row: Record<string, unknown>) => row as unknown as BackupJobRow;

const jobs = (db: Executor) =>
  db.selectFrom('backup_jobs').innerJoin('cloud_accounts', 'cloud_accounts.id', 'backup_jobs.cloud_account_id');

export async function insertBackupJob(
  db: Executor,
  values: {
    cloud_account_id: string;
    name: string;
    scope: string;
    destination_path: string;
    schedule: string | null;
    timezone: string;
    retention_count: number | null;
    next_run_at: Date | null;
  },
): Promise<BackupJobRow> {
  const { id } = await db.insertInto('backup_jobs').values(values).returning('id').executeTakeFirstOrThrow();
  return (await findBackupJob(db, id))!;
}

export async function findBackupJob(db: Executor, id: string): Promise<BackupJobRow | undefined> {
  const row = await jobs(db).select(JOB_COLUMNS).where('backup_jobs.id', '=', id).executeTakeFirst();
  return row && toJob(row);
}

export async function backupJobsOf(db: Executor, accountId: string): Promise<BackupJobRow[]> {
  const rows = await jobs(db)
    .select(JOB_COLUMNS)
    .where('backup_jobs.cloud_account_id', '=', accountId)
    .orderBy('backup_jobs.created_at')
    .orderBy('backup_jobs.id')
    .execute();
  return rows.map(toJob);
}

export async function deleteBackupJob(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('backup_jobs').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Jobs the scheduler should start: active, due, on an account that is not waiting for its owner. */
export async function dueBackupJobs(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('backup_jobs')
    .innerJoin('cloud_accounts', 'cloud_accounts.id', 'backup_jobs.cloud_account_id')
    .select('backup_jobs.id')
    .where('backup_jobs.status', '=', 'active')
    .where('backup_jobs.next_run_at', '<=', now)
    .where('cloud_accounts.status', 'in', ['active', 'error'])
    .orderBy('backup_jobs.next_run_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** How long a `running` run may stay silent (no transfer recorded) before another run takes over. */
export const STALE_RUN_MS = 15 * 60_000;

/**
 * Claims a run: `running`, unless a live run holds it. An unfinished run (failed or abandoned while running) is
 * resumed: it keeps its start, which names the backup on the remote, so the next run continues the same backup.
 * Answers the run's start, or undefined when another run holds the job.
 */
export async function claimRun(db: Executor, jobId: string, now: Date): Promise<Date | undefined> {
  const staleBefore = new Date(now.getTime() - STALE_RUN_MS);
  const row = await db
    .updateTable('backup_jobs')
    .set({
      last_run_status: 'running',
      last_run_at: sql<Date>`CASE WHEN last_run_status IN ('running', 'failed') AND last_run_at IS NOT NULL
        THEN last_run_at ELSE ${now}::timestamptz END`,
      last_run_finished_at: null,
      bytes_transferred: sql<string>`CASE WHEN last_run_status IN ('running', 'failed') THEN bytes_transferred ELSE 0 END`,
    })
    .where('id', '=', jobId)
    .where((eb) =>
      eb.or([
        eb('last_run_status', 'is', null),
        eb('last_run_status', '<>', 'running'),
        eb('updated_at', '<', staleBefore),
      ]),
    )
    .returning('last_run_at')
    .executeTakeFirst();
  return row?.last_run_at ?? undefined;
}

/** A transfer's bytes count toward the run; touching the row also shows the run is alive. */
export async function addRunBytes(db: Executor, jobId: string, bytes: number): Promise<void> {
  await db
    .updateTable('backup_jobs')
    .set({ bytes_transferred: sql<string>`bytes_transferred + ${bytes}` })
    .where('id', '=', jobId)
    .execute();
}

export async function finishRun(
  db: Executor,
  jobId: string,
  outcome: { status: RunStatus; finishedAt: Date; lastError: string | null; nextRunAt: Date | null },
): Promise<void> {
  await db
    .updateTable('backup_jobs')
    .set({
      last_run_status: outcome.status,
      last_run_finished_at: outcome.finishedAt,
      last_error: outcome.lastError,
      next_run_at: outcome.nextRunAt,
    })
    .where('id', '=', jobId)
    .execute();
}

// Sync operations

export type OperationStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

export interface OperationRow {
  id: string;
  cloud_account_id: string;
  backup_job_id: string | null;
  file_id: string | null;
  direction: string;
  remote_path: string;
  remote_etag: string | null;
  status: OperationStatus;
  bytes_total: string | null;
  bytes_transferred: string;
  retry_count: number;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  created_at: Date;
}

const OPERATION_COLUMNS = [
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
] as const;

const toOperation = (row: Record<string, unknown>) => row as unknown as OperationRow;

/** The newest finished upload to this remote path of this account: what the remote should still hold. */
export async function lastCompletedUpload(
  db: Executor,
  accountId: string,
  remotePath: string,
): Promise<OperationRow | undefined> {
  const row = await db
    .selectFrom('sync_operations')
    .select(OPERATION_COLUMNS)
    .where('cloud_account_id', '=', accountId)
    .where('remote_path', '=', remotePath)
    .where('direction', '=', 'upload')
    .where('status', '=', 'completed')
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toOperation(row);
}

/**
 * Starts a transfer: the unfinished row an interrupted run left for this path is taken up again (one row per file
 * transfer, its retry_count telling how many attempts it took), else a new row.
 */
export async function startTransfer(
  db: Executor,
  values: { accountId: string; jobId: string; fileId: string | null; remotePath: string; size: number; now: Date },
): Promise<string> {
  const unfinished = await db
    .updateTable('sync_operations')
    .set({
      status: 'in_progress',
      retry_count: sql<number>`retry_count + 1`,
      bytes_total: values.size,
      bytes_transferred: 0,
      started_at: values.now,
      finished_at: null,
      error: null,
    })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('sync_operations')
        .select('id')
        .where('backup_job_id', '=', values.jobId)
        .where('remote_path', '=', values.remotePath)
        .where('status', 'in', ['pending', 'in_progress', 'failed'])
        .orderBy('created_at', 'desc')
        .limit(1),
    )
    .returning('id')
    .executeTakeFirst();
  if (unfinished) return unfinished.id;
  const row = await db
    .insertInto('sync_operations')
    .values({
      cloud_account_id: values.accountId,
      backup_job_id: values.jobId,
      file_id: values.fileId,
      direction: 'upload',
      remote_path: values.remotePath,
      status: 'in_progress',
      bytes_total: values.size,
      started_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishTransfer(
  db: Executor,
  id: string,
  outcome:
    | { status: 'completed'; bytes: number; etag: string | null; at: Date }
    | { status: 'failed'; error: string; at: Date },
): Promise<void> {
  await db
    .updateTable('sync_operations')
    .set(
      outcome.status === 'completed'
        ? {
            status: 'completed',
            bytes_transferred: outcome.bytes,
            remote_etag: outcome.etag,
            finished_at: sql<Date>`GREATEST(${outcome.at}::timestamptz, started_at)`,
            error: null,
          }
        : {
            status: 'failed',
            error: outcome.error,
            finished_at: sql<Date>`GREATEST(${outcome.at}::timestamptz, started_at)`,
          },
    )
    .where('id', '=', id)
    .execute();
}

/** A backup's latest transfers, newest first. */
export async function operationsOf(db: Executor, jobId: string, limit: number): Promise<OperationRow[]> {
  const rows = await db
    .selectFrom('sync_operations')
    .select(OPERATION_COLUMNS)
    .where('backup_job_id', '=', jobId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toOperation);
}
