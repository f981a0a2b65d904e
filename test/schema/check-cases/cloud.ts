import type { CheckCase } from './check-case.ts';

const past = new Date('2020-01-01T00:00:00Z');
const later = new Date('2020-01-01T01:00:00Z');

export const cloudCheckCases: CheckCase[] = [
  { table: 'cloud_accounts', constraint: 'chk_cloud_accounts_provider_valid', bad: { provider: 'onedrive' } },
  {
    table: 'cloud_accounts',
    constraint: 'chk_cloud_accounts_server_url_format',
    bad: { server_url: 'cloud.example.test' },
  },
  {
    table: 'cloud_accounts',
    constraint: 'chk_cloud_accounts_server_url_required',
    bad: { provider: 'webdav', server_url: null },
  },
  {
    table: 'cloud_accounts',
    constraint: 'chk_cloud_accounts_bucket_required',
    bad: { provider: 's3', bucket_name: null },
  },
  {
    table: 'cloud_accounts',
    constraint: 'chk_cloud_accounts_credentials_not_empty',
    bad: { encrypted_credentials: Buffer.alloc(0) },
  },
  {
    table: 'cloud_accounts',
    constraint: 'chk_cloud_accounts_key_version_positive',
    bad: { credentials_key_version: 0 },
  },
  { table: 'cloud_accounts', constraint: 'chk_cloud_accounts_status_valid', bad: { status: 'connected' } },
  { table: 'cloud_accounts', constraint: 'chk_cloud_accounts_quota_non_negative', bad: { quota_total_bytes: -1 } },
  { table: 'cloud_accounts', constraint: 'chk_cloud_accounts_quota_non_negative', bad: { quota_used_bytes: -1 } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_scope_valid', bad: { scope: 'messages' } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_schedule_format', bad: { schedule: 'every night' } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_retention_count_positive', bad: { retention_count: 0 } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_status_valid', bad: { status: 'running' } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_last_run_status_valid', bad: { last_run_status: 'ok' } },
  { table: 'backup_jobs', constraint: 'chk_backup_jobs_bytes_non_negative', bad: { bytes_transferred: -1 } },
  {
    table: 'backup_jobs',
    constraint: 'chk_backup_jobs_finished_after_start',
    bad: { last_run_at: later, last_run_finished_at: past },
  },
  { table: 'sync_operations', constraint: 'chk_sync_operations_direction_valid', bad: { direction: 'both' } },
  { table: 'sync_operations', constraint: 'chk_sync_operations_status_valid', bad: { status: 'done' } },
  {
    table: 'sync_operations',
    constraint: 'chk_sync_operations_bytes_non_negative',
    bad: { bytes_total: null, bytes_transferred: -1 },
  },
  {
    table: 'sync_operations',
    constraint: 'chk_sync_operations_bytes_non_negative',
    bad: { bytes_total: -1, bytes_transferred: -2 },
  },
  {
    table: 'sync_operations',
    constraint: 'chk_sync_operations_bytes_within_total',
    bad: { bytes_total: 10, bytes_transferred: 11 },
  },
  { table: 'sync_operations', constraint: 'chk_sync_operations_retry_count_non_negative', bad: { retry_count: -1 } },
  {
    table: 'sync_operations',
    constraint: 'chk_sync_operations_finished_after_start',
    bad: { started_at: later, finished_at: past },
  },
  {
    table: 'sync_operations',
    constraint: 'chk_sync_operations_finished_at_set',
    bad: { status: 'completed', finished_at: null },
  },
];
