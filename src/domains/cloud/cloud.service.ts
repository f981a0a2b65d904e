// Rules of cloud accounts and backups (issue 17 §9-13, ADR 0085). Routes call one method each; SQL is in the
// repository, the WebDAV conversation in cloud.remote.ts, a run in cloud.backup.ts.
import type { SecretBox } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import {
  CREDENTIALS_PURPOSE,
  failedStatus,
  nextScheduledRun,
  openRemote,
  runBackup,
  type BackupDeps,
  type RunSummary,
} from './cloud.backup.ts';
import { CloudProblems } from './cloud.errors.ts';
import { mayUseCloudAccount } from './cloud.policy.ts';
import { classifyRemoteError, type RemoteError } from './cloud.remote.ts';
import * as repo from './cloud.repository.ts';
import type { ConnectAccount, CreateBackup } from './cloud.schemas.ts';
import { checkCloudUrl, ForbiddenCloudUrlError, type UrlGuardOptions } from './cloud.url-guard.ts';

export interface CloudServiceDeps extends Omit<BackupDeps, 'box'> {
  /** Opened once, on first use (the keys come from the configuration or the data directory). */
  box: () => Promise<SecretBox>;
  guard: UrlGuardOptions;
}

const num = (value: string | null) => (value === null ? null : Number(value));

function accountView(row: repo.AccountRow) {
  return {
    id: row.id,
    provider: row.provider as 'nextcloud' | 'webdav',
    display_name: row.display_name,
    server_url: row.server_url,
    remote_root_path: row.remote_root_path,
    username: row.username,
    status: row.status,
    quota_total_bytes: num(row.quota_total_bytes),
    quota_used_bytes: num(row.quota_used_bytes),
    last_synced_at: row.last_synced_at?.toISOString() ?? null,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function backupView(row: repo.BackupJobRow) {
  return {
    id: row.id,
    account_id: row.cloud_account_id,
    name: row.name,
    scope: row.scope,
    destination_path: row.destination_path,
    schedule: row.schedule,
    timezone: row.timezone,
    retention_count: row.retention_count,
    status: row.status,
    next_run_at: row.next_run_at?.toISOString() ?? null,
    last_run_at: row.last_run_at?.toISOString() ?? null,
    last_run_finished_at: row.last_run_finished_at?.toISOString() ?? null,
    last_run_status: row.last_run_status,
    bytes_transferred: Number(row.bytes_transferred),
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
  };
}

function operationView(row: repo.OperationRow) {
  return {
    id: row.id,
    file_id: row.file_id,
    direction: row.direction,
    remote_path: row.remote_path,
    status: row.status,
    bytes_total: num(row.bytes_total),
    bytes_transferred: Number(row.bytes_transferred),
    retry_count: row.retry_count,
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
    error: row.error,
    created_at: row.created_at.toISOString(),
  };
}

/** A folder path as stored: one leading slash, no trailing one, no empty, `.` or `..` segment. */
function folder(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..'))
    throw new ApiError(CloudProblems.invalid, 'A folder must not contain . or .. segments');
  return `/${segments.join('/')}`;
}

function remoteProblem(error: RemoteError): ApiError {
  switch (error.kind) {
    case 'credentials_rejected':
      return new ApiError(CloudProblems.credentialsRejected, error.message);
    case 'storage_full':
      return new ApiError(CloudProblems.storageFull, error.message);
    case 'forbidden_address':
      return new ApiError(CloudProblems.urlForbidden, error.message);
    case 'unreachable':
    case 'rejected':
      return new ApiError(CloudProblems.serverUnreachable, error.message);
  }
}

export class CloudService {
  readonly #deps: CloudServiceDeps;

  constructor(deps: CloudServiceDeps) {
    this.#deps = deps;
  }

  get #db(): Database {
    return this.#deps.db;
  }

  async #ownAccount(caller: Caller, id: string): Promise<repo.AccountRow> {
    const account = await repo.findAccount(this.#db, id);
    authorize(mayUseCloudAccount(caller, account), CloudProblems.accountNotFound);
    return account!;
  }

  async #ownBackup(caller: Caller, id: string): Promise<repo.BackupJobRow> {
    const job = await repo.findBackupJob(this.#db, id);
    authorize(mayUseCloudAccount(caller, job), CloudProblems.backupNotFound);
    return job!;
  }

  async accounts(caller: Caller) {
    return { items: (await repo.accountsOf(this.#db, caller.userId)).map(accountView) };
  }

  async account(caller: Caller, id: string) {
    return accountView(await this.#ownAccount(caller, id));
  }

  /** Saves the account as `pending`; nothing is sent to the server until the connection test. */
  async connect(caller: Caller, body: ConnectAccount) {
    let serverUrl: string;
    try {
      serverUrl = await checkCloudUrl(body.server_url, this.#deps.guard);
    } catch (error) {
      if (!(error instanceof ForbiddenCloudUrlError)) throw error;
      throw new ApiError(
        error.kind === 'invalid' ? CloudProblems.urlInvalid : CloudProblems.urlForbidden,
        `server_url ${error.message}`,
      );
    }
    const box = await this.#deps.box();
    const row = await repo.insertAccount(this.#db, {
      user_id: caller.userId,
      provider: body.provider,
      display_name: body.display_name ?? null,
      server_url: serverUrl,
      remote_root_path: folder(body.remote_root_path ?? '/'),
      username: body.username,
      encrypted_credentials: Buffer.from(box.seal(body.app_password, CREDENTIALS_PURPOSE), 'utf8'),
    });
    if (!row) throw new ApiError(CloudProblems.accountExists);
    return accountView(row);
  }

  /** Deletes the row, and with it the sealed password, the backups and their transfer log (CASCADE). */
  async disconnect(caller: Caller, id: string): Promise<void> {
    await this.#ownAccount(caller, id);
    await repo.deleteAccount(this.#db, id);
  }

  /**
   * Lists the account's root folder with its credentials. Success makes it active (and reads the quota); a failure
   * is recorded on the account (reauth_required for refused credentials) and answered as a 4xx problem.
   */
  async test(caller: Caller, id: string) {
    const account = await this.#ownAccount(caller, id);
    const deps = { ...this.#deps, box: await this.#deps.box() };
    try {
      const remote = await openRemote(deps, account);
      const quota = await remote.probe(account.remote_root_path);
      await this.#db.transaction().execute((tx) =>
        repo.recordAccountOutcome(tx, id, {
          status: 'active',
          last_error: null,
          quota: { total: quota.quotaTotal, used: quota.quotaUsed },
        }),
      );
    } catch (error) {
      const failure = classifyRemoteError(error);
      await this.#db
        .transaction()
        .execute((tx) =>
          repo.recordAccountOutcome(tx, id, { status: failedStatus(failure), last_error: failure.message }),
        );
      throw remoteProblem(failure);
    }
    return this.account(caller, id);
  }

  async backups(caller: Caller, accountId: string) {
    await this.#ownAccount(caller, accountId);
    return { items: (await repo.backupJobsOf(this.#db, accountId)).map(backupView) };
  }

  async backup(caller: Caller, id: string) {
    return backupView(await this.#ownBackup(caller, id));
  }

  async createBackup(caller: Caller, accountId: string, body: CreateBackup, now = new Date()) {
    await this.#ownAccount(caller, accountId);
    const timezone = body.timezone ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw new ApiError(CloudProblems.invalid, 'timezone is not an IANA time zone');
    }
    const schedule = body.schedule?.trim().replace(/\s+/g, ' ') ?? null;
    let nextRunAt: Date | null = null;
    if (schedule !== null) {
      if (schedule.split(' ').length !== 5)
        throw new ApiError(CloudProblems.invalid, 'schedule must have five fields (minute hour day month weekday)');
      try {
        nextRunAt = nextScheduledRun(schedule, timezone, now);
      } catch {
        throw new ApiError(CloudProblems.invalid, 'schedule is not a valid cron expression');
      }
    }
    const row = await repo.insertBackupJob(this.#db, {
      cloud_account_id: accountId,
      name: body.name,
      scope: body.scope ?? 'all',
      destination_path: folder(body.destination_path ?? '/Veza Backups'),
      schedule,
      timezone,
      retention_count: body.retention_count ?? null,
      next_run_at: nextRunAt,
    });
    return backupView(row);
  }

  async deleteBackup(caller: Caller, id: string): Promise<void> {
    await this.#ownBackup(caller, id);
    await repo.deleteBackupJob(this.#db, id);
  }

  /** Runs the backup now, within the request; 409 while another run holds it or the account awaits a test. */
  async run(caller: Caller, id: string, now = new Date()): Promise<RunSummary> {
    const job = await this.#ownBackup(caller, id);
    const account = await repo.findAccount(this.#db, job.cloud_account_id);
    if (account?.status !== 'active' && account?.status !== 'error')
      throw new ApiError(CloudProblems.accountNotReady, `The account is ${account?.status ?? 'gone'}`);
    const summary = await runBackup({ ...this.#deps, box: await this.#deps.box() }, id, now);
    if (!summary) throw new ApiError(CloudProblems.backupNotFound);
    if (summary.status === 'busy') throw new ApiError(CloudProblems.backupRunning);
    return summary;
  }

  async operations(caller: Caller, id: string, limit: number) {
    await this.#ownBackup(caller, id);
    return { items: (await repo.operationsOf(this.#db, id, limit)).map(operationView) };
  }
}
