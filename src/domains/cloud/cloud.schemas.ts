// The cloud API contract (issue 17 §9-13, ADR 0085): accounts on a Nextcloud or WebDAV server, their backups and
// the transfer log. TypeBox schemas = OpenAPI document. No response schema has a credentials field: the app password
// goes in once and never comes back out.
import { Type, type Static } from 'typebox';
import {
  closed,
  Line,
  LINE_CONTROL,
  literals,
  Nullable,
  Timestamp,
  Uuid,
} from '../../platform/http/schema-primitives.ts';

/** A folder on the remote: absolute, no `.` or `..` segment (the service checks), no control characters. */
const RemoteFolder = (description: string) =>
  Type.String({ minLength: 1, maxLength: 1000, pattern: `^/[^${LINE_CONTROL}\\\\]*$`, description });

export const PROVIDERS = ['nextcloud', 'webdav'] as const;
export const ACCOUNT_STATUSES = ['pending', 'active', 'error', 'reauth_required', 'disabled'] as const;
/** `tracks` exists in the table but is not offered: a track's audio is one of the person's files, all of which `files` copies. */
export const SCOPES = ['all', 'files', 'account_data'] as const;

export const AccountIdParams = Type.Object({ id: Uuid }, closed);
export const BackupIdParams = Type.Object({ id: Uuid }, closed);

export const ConnectAccountSchema = Type.Object(
  {
    provider: literals(PROVIDERS, 'nextcloud or any other WebDAV server'),
    server_url: Type.String({
      minLength: 8,
      maxLength: 2000,
      description:
        'The WebDAV endpoint, e.g. https://cloud.example.org/remote.php/dav/files/alice. Without user name or ' +
        'password in it (422 CLOUD_URL_INVALID); not resolving to loopback, private or link-local addresses ' +
        '(422 CLOUD_URL_FORBIDDEN).',
    }),
    username: Line(255),
    app_password: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'An app password of the server: stored encrypted, never returned',
      writeOnly: true,
    }),
    display_name: Type.Optional(Nullable(Line(100))),
    remote_root_path: Type.Optional(RemoteFolder('Folder under which Veza writes; / by default')),
  },
  closed,
);
export type ConnectAccount = Static<typeof ConnectAccountSchema>;

export const AccountSchema = Type.Object(
  {
    id: Uuid,
    provider: literals(PROVIDERS),
    display_name: Nullable(Type.String()),
    server_url: Type.String(),
    remote_root_path: Type.String(),
    username: Type.String(),
    status: literals(
      ACCOUNT_STATUSES,
      'pending (never tested), active, error (server down or full; retried), reauth_required (credentials refused)',
    ),
    quota_total_bytes: Nullable(Type.Integer()),
    quota_used_bytes: Nullable(Type.Integer()),
    last_synced_at: Nullable(Timestamp),
    last_error: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  closed,
);
export const AccountListSchema = Type.Object({ items: Type.Array(AccountSchema) }, closed);

export const CreateBackupSchema = Type.Object(
  {
    name: Line(100),
    scope: Type.Optional(literals(SCOPES, 'all (default), files (uploads only), account_data (the GDPR archive)')),
    destination_path: Type.Optional(RemoteFolder('Folder under the account root; /Veza Backups by default')),
    schedule: Type.Optional(
      Nullable(
        Type.String({ minLength: 9, maxLength: 100, description: 'Five-field cron expression; null: on demand only' }),
      ),
    ),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone; UTC by default' })),
    retention_count: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: 365, description: 'Backups kept on the server; null: all' })),
    ),
  },
  closed,
);
export type CreateBackup = Static<typeof CreateBackupSchema>;

export const BackupSchema = Type.Object(
  {
    id: Uuid,
    account_id: Uuid,
    name: Type.String(),
    scope: Type.String(),
    destination_path: Type.String(),
    schedule: Nullable(Type.String()),
    timezone: Type.String(),
    retention_count: Nullable(Type.Integer()),
    status: Type.String(),
    next_run_at: Nullable(Timestamp),
    last_run_at: Nullable(Timestamp),
    last_run_finished_at: Nullable(Timestamp),
    last_run_status: Nullable(Type.String({ description: 'running, succeeded, partial, failed' })),
    bytes_transferred: Type.Integer({ description: 'Bytes sent by the last run' }),
    last_error: Nullable(Type.String()),
    created_at: Timestamp,
  },
  closed,
);
export const BackupListSchema = Type.Object({ items: Type.Array(BackupSchema) }, closed);

export const RunSummarySchema = Type.Object(
  {
    backup_job_id: Uuid,
    status: Type.String({ description: 'succeeded, partial (some files failed), failed (the account failed)' }),
    backup: Nullable(Type.String({ description: 'Name of the backup on the server: backups/<name>.json' })),
    uploaded: Type.Integer(),
    skipped: Type.Integer({ description: 'Unchanged since they were sent (size and ETag)' }),
    failed: Type.Integer(),
    bytes: Type.Integer(),
    error: Nullable(Type.String()),
  },
  closed,
);

export const OperationsQuerySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }) },
  closed,
);

export const OperationSchema = Type.Object(
  {
    id: Uuid,
    file_id: Nullable(Uuid),
    direction: Type.String(),
    remote_path: Type.String(),
    status: Type.String({ description: 'pending, in_progress, completed, failed, cancelled' }),
    bytes_total: Nullable(Type.Integer()),
    bytes_transferred: Type.Integer(),
    retry_count: Type.Integer({ description: 'Attempts after the first (an interrupted run resumed)' }),
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
    error: Nullable(Type.String()),
    created_at: Timestamp,
  },
  closed,
);
export const OperationListSchema = Type.Object({ items: Type.Array(OperationSchema) }, closed);
