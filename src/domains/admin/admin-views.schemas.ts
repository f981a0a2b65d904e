// The admin views' API contract (issue 18 §15; ADR 0096): job runs, retention runs, pending GDPR requests and the
// account list. Read-only: role changes are PATCH /v1/admin/users/{id}/role (profiles), bans are moderation actions.
import { Type } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { closed, Line, literals, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';

const JOB_STATUSES = ['running', 'succeeded', 'failed'] as const;
const ROLES = ['user', 'creator', 'premium', 'moderator', 'admin'] as const;

export const JobRunQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    job_name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9_.-]+$', description: 'e.g. gdpr.exports' }),
    ),
    status: Type.Optional(literals(JOB_STATUSES)),
  },
  closed,
);

export const JobRunSchema = Type.Object({
  id: Uuid,
  job_name: Type.String(),
  triggered_by: literals(['schedule', 'manual'] as const),
  dry_run: Type.Boolean(),
  status: literals(JOB_STATUSES),
  started_at: Timestamp,
  finished_at: Nullable(Timestamp),
  rows_by_table: Type.Record(Type.String(), Type.Number(), {
    description: 'Rows each table had deleted, anonymised, archived or written',
  }),
  error_message: Nullable(Type.String()),
});

export const JobRunPageSchema = PageSchema(JobRunSchema);

export const PendingQuerySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  closed,
);

export const PendingExportsSchema = Type.Object({
  total: Type.Integer({ description: 'Requests waiting, all of them (items shows the oldest `limit`)' }),
  items: Type.Array(
    Type.Object({
      user_id: Uuid,
      username: Type.String(),
      export_requested_at: Timestamp,
      exported_at: Nullable(Timestamp, 'The previous export, older than this request'),
    }),
  ),
});

export const PendingDeletionsSchema = Type.Object({
  total: Type.Integer({ description: 'Accounts waiting, all of them (items shows the oldest `limit`)' }),
  items: Type.Array(
    Type.Object({
      user_id: Uuid,
      username: Type.String(),
      deleted_at: Timestamp,
      anonymise_after: Type.String({
        format: 'date-time',
        description: 'When accounts.anonymise removes the personal data (the registry’s grace period)',
      }),
    }),
  ),
});

export const UserListQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    q: Type.Optional(Line(100, 'Part of the username, email or display name (any case)')),
    role: Type.Optional(literals(ROLES)),
    banned: Type.Optional(Type.Boolean()),
    include_deleted: Type.Boolean({ default: false, description: 'Also accounts whose deletion was requested' }),
  },
  closed,
);

export const AdminUserSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  email: Type.String(),
  display_name: Nullable(Type.String()),
  role: literals(ROLES),
  is_banned: Type.Boolean(),
  is_active: Type.Boolean(),
  email_verified_at: Nullable(Timestamp),
  created_at: Timestamp,
  last_login_at: Nullable(Timestamp),
  deleted_at: Nullable(Timestamp),
});

export const AdminUserPageSchema = PageSchema(AdminUserSchema);
