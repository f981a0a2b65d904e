// The admin views (issue 18 §15; ADR 0096): what the maintenance jobs did and have left to do, and the accounts.
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import type { AdminViewsRepository } from './admin-views.repository.ts';

/**
 * The registry's grace period before a deleted account is anonymised (ADR 0019: users, 30 days after deleted_at),
 * read when asked: the same file the anonymisation job reads when it runs.
 */
function deletionGraceDays(): number {
  const days = loadTableRegistry().users?.retention.maxAgeDays;
  if (!days) throw new Error('db/table-registry.json: users has no retention period');
  return days;
}

export interface JobRunQuery {
  limit: number;
  cursor?: string | undefined;
  job_name?: string | undefined;
  status?: 'running' | 'succeeded' | 'failed' | undefined;
}

export interface UserListQuery {
  limit: number;
  cursor?: string | undefined;
  q?: string | undefined;
  role?: string | undefined;
  banned?: boolean | undefined;
  include_deleted: boolean;
}

export class AdminViewsService {
  readonly #repository: AdminViewsRepository;

  constructor(repository: AdminViewsRepository) {
    this.#repository = repository;
  }

  async jobRuns(query: JobRunQuery, retentionOnly: boolean) {
    const rows = await this.#repository.jobRuns({
      jobName: query.job_name,
      status: query.status,
      retentionOnly,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(
      rows.map((row) => ({
        ...row,
        triggered_by: row.triggered_by as 'schedule' | 'manual',
        status: row.status as 'running' | 'succeeded' | 'failed',
        started_at: row.started_at.toISOString(),
        finished_at: row.finished_at?.toISOString() ?? null,
        rows_by_table: row.rows_by_table as Record<string, number>,
      })),
      query.limit,
    );
  }

  async pendingExports(limit: number) {
    const { items, total } = await this.#repository.pendingExports(limit);
    return {
      total,
      items: items.map((item) => ({
        user_id: item.user_id,
        username: item.username,
        export_requested_at: item.export_requested_at!.toISOString(),
        exported_at: item.exported_at?.toISOString() ?? null,
      })),
    };
  }

  async pendingDeletions(limit: number) {
    const { items, total } = await this.#repository.pendingDeletions(limit, deletionGraceDays());
    return {
      total,
      items: items.map((item) => ({
        user_id: item.user_id,
        username: item.username,
        deleted_at: item.deleted_at!.toISOString(),
        anonymise_after: item.anonymise_after.toISOString(),
      })),
    };
  }

  async users(query: UserListQuery) {
    const rows = await this.#repository.users({
      q: query.q,
      role: query.role,
      banned: query.banned,
      includeDeleted: query.include_deleted,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(
      rows.map((row) => ({
        ...row,
        email_verified_at: row.email_verified_at?.toISOString() ?? null,
        created_at: row.created_at.toISOString(),
        last_login_at: row.last_login_at?.toISOString() ?? null,
        deleted_at: row.deleted_at?.toISOString() ?? null,
      })),
      query.limit,
    );
  }
}
