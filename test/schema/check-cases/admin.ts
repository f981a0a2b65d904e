import type { CheckCase } from './check-case.ts';

const past = new Date('2020-01-01T00:00:00Z');
const inOneWeek = new Date(Date.now() + 7 * 86_400_000);
const reportedTrack = '6f1c1d7e-2b7a-4c61-9a55-3c1f0e0b9d21';

export const adminCheckCases: CheckCase[] = [
  {
    table: 'moderation_reports',
    constraint: 'chk_moderation_reports_entity_type_valid',
    bad: { entity_type: 'album' },
  },
  { table: 'moderation_reports', constraint: 'chk_moderation_reports_reason_valid', bad: { reason: 'rude' } },
  { table: 'moderation_reports', constraint: 'chk_moderation_reports_status_valid', bad: { status: 'closed' } },
  {
    table: 'moderation_reports',
    constraint: 'chk_moderation_reports_details_length',
    bad: { details: 'x'.repeat(5001) },
  },
  { table: 'moderation_reports', constraint: 'chk_moderation_reports_resolved_at_closed', bad: { status: 'resolved' } },
  {
    table: 'moderation_reports',
    constraint: 'chk_moderation_reports_resolved_at_closed',
    bad: { resolved_at: new Date() },
  },
  // Both reports come from the factory's shared reporter (see factories/admin.ts).
  {
    table: 'moderation_reports',
    constraint: 'uq_moderation_reports_reporter_entity_pending',
    first: { entity_type: 'track', entity_id: reportedTrack },
    bad: { entity_type: 'track', entity_id: reportedTrack, status: 'in_review' },
  },
  { table: 'moderation_actions', constraint: 'chk_moderation_actions_action_type_valid', bad: { action_type: 'kick' } },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_entity_type_valid',
    bad: { entity_type: 'album' },
  },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_entity_both_or_neither',
    bad: { entity_id: null },
  },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_target_present',
    bad: { target_user_id: null, entity_type: null, entity_id: null },
  },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_target_user_required',
    bad: { action_type: 'warn', target_user_id: null, expires_at: null },
  },
  { table: 'moderation_actions', constraint: 'chk_moderation_actions_reason_length', bad: { reason: '' } },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_reason_length',
    bad: { reason: 'x'.repeat(5001) },
  },
  {
    table: 'moderation_actions',
    constraint: 'chk_moderation_actions_expires_at_temporary',
    bad: { action_type: 'ban', expires_at: inOneWeek },
  },
  { table: 'moderation_actions', constraint: 'chk_moderation_actions_expires_at_future', bad: { expires_at: past } },
  { table: 'audit_logs', constraint: 'chk_audit_logs_operation_valid', bad: { operation: 'TRUNCATE' } },
  { table: 'audit_logs', constraint: 'chk_audit_logs_data_matches_operation', bad: { operation: 'DELETE' } },
  { table: 'audit_logs', constraint: 'chk_audit_logs_data_matches_operation', bad: { operation: 'INSERT' } },
  { table: 'audit_logs', constraint: 'chk_audit_logs_data_matches_operation', bad: { new_data: null } },
  { table: 'system_configs', constraint: 'chk_system_configs_key_format', bad: { key: 'Max File Size' } },
  { table: 'feature_flags', constraint: 'chk_feature_flags_key_format', bad: { key: 'new-upload-page' } },
  {
    table: 'feature_flags',
    constraint: 'chk_feature_flags_rollout_percentage_range',
    bad: { rollout_percentage: 101 },
  },
  { table: 'feature_flags', constraint: 'chk_feature_flags_rollout_percentage_range', bad: { rollout_percentage: -1 } },
  { table: 'feature_flags', constraint: 'chk_feature_flags_conditions_object', bad: { conditions: '[]' } },
  { table: 'job_runs', constraint: 'chk_job_runs_triggered_by_valid', bad: { triggered_by: 'cron' } },
  { table: 'job_runs', constraint: 'chk_job_runs_status_valid', bad: { status: 'done' } },
  { table: 'job_runs', constraint: 'chk_job_runs_finished_when_done', bad: { status: 'running' } },
  { table: 'job_runs', constraint: 'chk_job_runs_rows_by_table_object', bad: { rows_by_table: '[]' } },
  {
    table: 'idempotency_keys',
    constraint: 'chk_idempotency_keys_status_valid',
    bad: { status: 'done', response_status: null, completed_at: null },
  },
  {
    table: 'idempotency_keys',
    constraint: 'chk_idempotency_keys_response_when_completed',
    bad: { status: 'in_flight' },
  },
  {
    table: 'idempotency_keys',
    constraint: 'chk_idempotency_keys_response_when_completed',
    bad: { response_status: null },
  },
  {
    table: 'idempotency_keys',
    constraint: 'chk_idempotency_keys_response_headers_object',
    bad: { response_headers: '[]' },
  },
];
