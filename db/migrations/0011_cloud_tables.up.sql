SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §13 gives the three cloud storage tables only by name; their columns are designed here under the spec's rules.

-- spec §13 "cloud_accounts - Nextcloud/cloud integrations"
CREATE TABLE cloud_accounts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    provider VARCHAR(50) NOT NULL,
    display_name VARCHAR(100),
    server_url TEXT,
    bucket_name VARCHAR(255),
    region VARCHAR(50),
    remote_root_path TEXT NOT NULL DEFAULT '/',
    username VARCHAR(255) NOT NULL,
    encrypted_credentials BYTEA NOT NULL,
    credentials_key_version INTEGER NOT NULL DEFAULT 1,
    token_expires_at TIMESTAMPTZ,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    quota_total_bytes BIGINT,
    quota_used_bytes BIGINT,
    last_synced_at TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_cloud_accounts_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    -- NULLS NOT DISTINCT: Dropbox and Google Drive accounts have no server_url and must still be unique.
    CONSTRAINT uq_cloud_accounts_user_provider_server_username UNIQUE NULLS NOT DISTINCT (user_id, provider, server_url, username),
    CONSTRAINT chk_cloud_accounts_provider_valid CHECK (provider IN ('nextcloud', 'webdav', 's3', 'dropbox', 'google_drive')),
    CONSTRAINT chk_cloud_accounts_server_url_format CHECK (server_url ~ '^https?://'),
    CONSTRAINT chk_cloud_accounts_server_url_required CHECK (provider NOT IN ('nextcloud', 'webdav') OR server_url IS NOT NULL),
    CONSTRAINT chk_cloud_accounts_bucket_required CHECK (provider <> 's3' OR bucket_name IS NOT NULL),
    CONSTRAINT chk_cloud_accounts_credentials_not_empty CHECK (octet_length(encrypted_credentials) > 0),
    CONSTRAINT chk_cloud_accounts_key_version_positive CHECK (credentials_key_version >= 1),
    CONSTRAINT chk_cloud_accounts_status_valid CHECK (status IN ('pending', 'active', 'error', 'reauth_required', 'disabled')),
    CONSTRAINT chk_cloud_accounts_quota_non_negative CHECK (quota_total_bytes >= 0 AND quota_used_bytes >= 0)
);
CREATE INDEX idx_cloud_accounts_status ON cloud_accounts(status);
CREATE TRIGGER trg_cloud_accounts_updated_at BEFORE UPDATE ON cloud_accounts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE cloud_accounts IS 'External storage accounts (Nextcloud, WebDAV, S3, Dropbox, Google Drive) a user connected for backup and sync (spec §13). Deleted outright when disconnected, so no credentials linger';
COMMENT ON COLUMN cloud_accounts.provider IS 'nextcloud, webdav, s3, dropbox, google_drive';
COMMENT ON COLUMN cloud_accounts.display_name IS 'The user''s label for the account';
COMMENT ON COLUMN cloud_accounts.server_url IS 'Base URL of a Nextcloud/WebDAV server (required) or a custom S3 endpoint; NULL for Dropbox, Google Drive and AWS S3';
COMMENT ON COLUMN cloud_accounts.bucket_name IS 'S3 bucket (required for s3)';
COMMENT ON COLUMN cloud_accounts.region IS 'S3 region';
COMMENT ON COLUMN cloud_accounts.remote_root_path IS 'Folder of the remote storage under which Veza reads and writes';
COMMENT ON COLUMN cloud_accounts.username IS 'Login (Nextcloud/WebDAV), access key id (S3) or account email (OAuth providers); not secret';
COMMENT ON COLUMN cloud_accounts.encrypted_credentials IS 'Password, app password, S3 secret key or OAuth tokens, encrypted by the application (AES-256-GCM) before storage; the key is never in the database';
COMMENT ON COLUMN cloud_accounts.credentials_key_version IS 'Version of the application key that encrypted encrypted_credentials, for key rotation';
COMMENT ON COLUMN cloud_accounts.token_expires_at IS 'Expiry of the OAuth access token held in encrypted_credentials; NULL for password and key credentials';
COMMENT ON COLUMN cloud_accounts.status IS 'pending (not yet verified), active, error (last operation failed), reauth_required (credentials rejected), disabled (paused by the user)';
COMMENT ON COLUMN cloud_accounts.quota_total_bytes IS 'Storage quota reported by the provider; NULL when unknown';
COMMENT ON COLUMN cloud_accounts.quota_used_bytes IS 'Used storage reported by the provider; NULL when unknown';
COMMENT ON COLUMN cloud_accounts.last_error IS 'Message of the last failed operation; cleared on success';

-- spec §13 "backup_jobs - Automated backups"
CREATE TABLE backup_jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    cloud_account_id UUID NOT NULL,
    name VARCHAR(100) NOT NULL,
    scope VARCHAR(50) NOT NULL DEFAULT 'all',
    destination_path TEXT NOT NULL DEFAULT '/Veza Backups',
    schedule VARCHAR(100),
    timezone VARCHAR(64) NOT NULL DEFAULT 'UTC',
    retention_count SMALLINT,
    status VARCHAR(50) NOT NULL DEFAULT 'active',
    next_run_at TIMESTAMPTZ,
    last_run_at TIMESTAMPTZ,
    last_run_finished_at TIMESTAMPTZ,
    last_run_status VARCHAR(50),
    bytes_transferred BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_backup_jobs_cloud_accounts FOREIGN KEY (cloud_account_id) REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    CONSTRAINT chk_backup_jobs_scope_valid CHECK (scope IN ('all', 'tracks', 'files', 'account_data')),
    CONSTRAINT chk_backup_jobs_schedule_format CHECK (schedule ~ '^\S+(\s+\S+){4}$'),
    CONSTRAINT chk_backup_jobs_retention_count_positive CHECK (retention_count > 0),
    CONSTRAINT chk_backup_jobs_status_valid CHECK (status IN ('active', 'paused')),
    CONSTRAINT chk_backup_jobs_last_run_status_valid CHECK (last_run_status IN ('running', 'succeeded', 'partial', 'failed')),
    CONSTRAINT chk_backup_jobs_bytes_non_negative CHECK (bytes_transferred >= 0),
    CONSTRAINT chk_backup_jobs_finished_after_start CHECK (last_run_finished_at >= last_run_at)
);
CREATE INDEX idx_backup_jobs_cloud_account_id ON backup_jobs(cloud_account_id);
CREATE INDEX idx_backup_jobs_next_run_at ON backup_jobs(next_run_at) WHERE status = 'active' AND next_run_at IS NOT NULL;
CREATE TRIGGER trg_backup_jobs_updated_at BEFORE UPDATE ON backup_jobs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE backup_jobs IS 'Backups of a user''s Veza content to one of their cloud accounts, run on a schedule or on demand (spec §13). The owner is the cloud account''s user';
COMMENT ON COLUMN backup_jobs.scope IS 'all, tracks (own tracks and their files), files (all uploaded files), account_data (the GDPR export archive)';
COMMENT ON COLUMN backup_jobs.destination_path IS 'Folder under the account''s remote_root_path receiving the backups';
COMMENT ON COLUMN backup_jobs.schedule IS 'Five-field cron expression (minute hour day-of-month month day-of-week) read in timezone; NULL for on-demand only';
COMMENT ON COLUMN backup_jobs.timezone IS 'IANA time zone the schedule is read in';
COMMENT ON COLUMN backup_jobs.retention_count IS 'Number of most recent backups kept on the remote; NULL keeps them all';
COMMENT ON COLUMN backup_jobs.status IS 'active, paused: whether the scheduler runs the job';
COMMENT ON COLUMN backup_jobs.next_run_at IS 'Next scheduled start, computed by the application from schedule; NULL when paused or on-demand';
COMMENT ON COLUMN backup_jobs.last_run_at IS 'Start of the last run; the per-file transfers of runs are in sync_operations';
COMMENT ON COLUMN backup_jobs.last_run_status IS 'running, succeeded, partial (some files failed), failed; NULL before the first run';
COMMENT ON COLUMN backup_jobs.bytes_transferred IS 'Bytes uploaded by the last run';
COMMENT ON COLUMN backup_jobs.last_error IS 'Error of the last run when it failed or was partial';

-- spec §13 "sync_operations - File sync tracking"
CREATE TABLE sync_operations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    cloud_account_id UUID NOT NULL,
    backup_job_id UUID,
    file_id UUID,
    direction VARCHAR(20) NOT NULL,
    remote_path TEXT NOT NULL,
    remote_etag VARCHAR(255),
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    bytes_total BIGINT,
    bytes_transferred BIGINT NOT NULL DEFAULT 0,
    retry_count SMALLINT NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_sync_operations_cloud_accounts FOREIGN KEY (cloud_account_id) REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    CONSTRAINT fk_sync_operations_backup_jobs FOREIGN KEY (backup_job_id) REFERENCES backup_jobs(id) ON DELETE SET NULL,
    CONSTRAINT fk_sync_operations_files FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_sync_operations_direction_valid CHECK (direction IN ('upload', 'download')),
    CONSTRAINT chk_sync_operations_status_valid CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'cancelled')),
    CONSTRAINT chk_sync_operations_bytes_non_negative CHECK (bytes_total >= 0 AND bytes_transferred >= 0),
    CONSTRAINT chk_sync_operations_bytes_within_total CHECK (bytes_transferred <= bytes_total),
    CONSTRAINT chk_sync_operations_retry_count_non_negative CHECK (retry_count >= 0),
    CONSTRAINT chk_sync_operations_finished_after_start CHECK (finished_at >= started_at),
    CONSTRAINT chk_sync_operations_finished_at_set CHECK (status NOT IN ('completed', 'failed') OR finished_at IS NOT NULL)
);
CREATE INDEX idx_sync_operations_cloud_account_id_created_at ON sync_operations(cloud_account_id, created_at DESC);
CREATE INDEX idx_sync_operations_backup_job_id ON sync_operations(backup_job_id) WHERE backup_job_id IS NOT NULL;
CREATE INDEX idx_sync_operations_file_id ON sync_operations(file_id) WHERE file_id IS NOT NULL;
CREATE INDEX idx_sync_operations_pending ON sync_operations(created_at) WHERE status IN ('pending', 'in_progress');
CREATE TRIGGER trg_sync_operations_updated_at BEFORE UPDATE ON sync_operations
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE sync_operations IS 'One file transfer between Veza storage and a cloud account, from a backup run or a manual sync (spec §13). An operational log: finished rows are purged after 90 days like the activity logs of spec §18.1';
COMMENT ON COLUMN sync_operations.backup_job_id IS 'Backup job whose run made the transfer; NULL for a manual sync';
COMMENT ON COLUMN sync_operations.file_id IS 'Veza file sent or received; NULL when it was deleted since, or before a download created it';
COMMENT ON COLUMN sync_operations.direction IS 'upload (Veza to the cloud account), download (cloud account to Veza)';
COMMENT ON COLUMN sync_operations.remote_path IS 'Path of the file on the remote, relative to the account''s remote_root_path';
COMMENT ON COLUMN sync_operations.remote_etag IS 'ETag or revision the remote reported, to skip unchanged files next time';
COMMENT ON COLUMN sync_operations.status IS 'pending, in_progress, completed, failed, cancelled';
COMMENT ON COLUMN sync_operations.bytes_total IS 'Size of the file; NULL until known';
COMMENT ON COLUMN sync_operations.bytes_transferred IS 'Bytes moved so far; lets an interrupted transfer resume';
COMMENT ON COLUMN sync_operations.retry_count IS 'Times the transfer was retried after a transient failure';
