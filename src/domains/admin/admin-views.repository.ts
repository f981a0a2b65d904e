// The SQL of the admin views (issue 18 §15; ADR 0096): read-only looks at job_runs (this domain's), and at the users
// rows the lifecycle jobs and the account list work from. Reading users here is the same read the lifecycle jobs
// make (src/lifecycle/jobs/gdpr-exports.ts, accounts-anonymise.ts); nothing is written.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';
import { beforePosition, POSITION_STAMP, positionStamp, type Position } from '../../platform/http/pagination.ts';

/** The jobs that enforce the table registry's retention rules (ADR 0018, 0019). */
export const RETENTION_JOB_PREFIX = 'retention.';
export const ACCOUNT_ANONYMISATION_JOB = 'accounts.anonymise';

export interface JobRunFilter {
  jobName?: string | undefined;
  status?: 'running' | 'succeeded' | 'failed' | undefined;
  retentionOnly: boolean;
  after?: Position | undefined;
  limit: number;
}

export interface UserFilter {
  q?: string | undefined;
  role?: string | undefined;
  banned?: boolean | undefined;
  includeDeleted: boolean;
  after?: Position | undefined;
  limit: number;
}

/** `%text%` for ILIKE with the text's own % and _ taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
}

/** The email an anonymised account carries (src/lifecycle/gdpr/account-deletion.ts, anonymisedEmail). */
const anonymised = sql<boolean>`email = 'deleted_' || id::text || '@anonymized.local'`;

export function createAdminViewsRepository(db: Database) {
  return {
    async jobRuns(filter: JobRunFilter) {
      let query = db
        .selectFrom('job_runs')
        .select([
          'id',
          'job_name',
          'triggered_by',
          'dry_run',
          'status',
          'started_at',
          'finished_at',
          'rows_by_table',
          'error_message',
          positionStamp().as(POSITION_STAMP),
        ]);
      if (filter.jobName !== undefined) query = query.where('job_name', '=', filter.jobName);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.retentionOnly)
        query = query.where((eb) =>
          eb.or([eb('job_name', 'like', `${RETENTION_JOB_PREFIX}%`), eb('job_name', '=', ACCOUNT_ANONYMISATION_JOB)]),
        );
      if (filter.after) query = query.where(beforePosition(filter.after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute();
    },

    /** Export requests not yet written (the gdpr.exports job's own condition), oldest first. */
    async pendingExports(limit: number) {
      const pending = db
        .selectFrom('users')
        .where('export_requested_at', 'is not', null)
        .where((eb) => eb.or([eb('exported_at', 'is', null), eb('export_requested_at', '>', eb.ref('exported_at'))]))
        .where('deleted_at', 'is', null);
      const [items, total] = await Promise.all([
        pending
          .select(['id as user_id', 'username', 'export_requested_at', 'exported_at'])
          .orderBy('export_requested_at')
          .orderBy('id')
          .limit(limit)
          .execute(),
        pending.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
      ]);
      return { items, total: Number(total.count) };
    },

    /** Accounts whose deletion was requested and that accounts.anonymise has not anonymised yet, oldest first. */
    async pendingDeletions(limit: number, graceDays: number) {
      const pending = db
        .selectFrom('users')
        .where('deleted_at', 'is not', null)
        .where(sql<boolean>`NOT (${anonymised})`);
      const [items, total] = await Promise.all([
        pending
          .select([
            'id as user_id',
            'username',
            'deleted_at',
            sql<Date>`deleted_at + make_interval(days => ${graceDays}::int)`.as('anonymise_after'),
          ])
          .orderBy('deleted_at')
          .orderBy('id')
          .limit(limit)
          .execute(),
        pending.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
      ]);
      return { items, total: Number(total.count) };
    },

    async users(filter: UserFilter) {
      let query = db
        .selectFrom('users')
        .select([
          'id',
          'username',
          'email',
          'display_name',
          'role',
          'is_banned',
          'is_active',
          'email_verified_at',
          'created_at',
          'last_login_at',
          'deleted_at',
          positionStamp().as(POSITION_STAMP),
        ]);
      if (filter.q !== undefined) {
        const pattern = containing(filter.q);
        query = query.where((eb) =>
          eb.or([
            eb('username', 'ilike', pattern),
            eb('email', 'ilike', pattern),
            eb('display_name', 'ilike', pattern),
          ]),
        );
      }
      if (filter.role !== undefined) query = query.where(sql<boolean>`role::text = ${filter.role}`);
      if (filter.banned !== undefined) query = query.where('is_banned', '=', filter.banned);
      if (!filter.includeDeleted) query = query.where('deleted_at', 'is', null);
      if (filter.after) query = query.where(beforePosition(filter.after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute();
    },
  };
}

export type AdminViewsRepository = ReturnType<typeof createAdminViewsRepository>;
