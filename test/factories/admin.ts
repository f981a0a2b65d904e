import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const inOneWeek = () => new Date(Date.now() + 7 * 86_400_000);

/**
 * One reporter per database for the reports the factory creates on its own, so that the case for the
 * partial unique index uq_moderation_reports_reporter_entity_pending (one pending report per reporter
 * and object) can insert two reports by the same reporter without naming a user that exists.
 */
const reporters = new WeakMap<Sql, Promise<unknown>>();
function sharedReporter(sql: Sql): Promise<unknown> {
  let reporter = reporters.get(sql);
  if (!reporter) {
    reporter = authFactories.users(sql).then((user) => user.id);
    reporters.set(sql, reporter);
  }
  return reporter;
}

const moderation_reports: Factory = async (sql, o = {}) =>
  insertRow(sql, 'moderation_reports', {
    reporter_id: 'reporter_id' in o ? o.reporter_id : await sharedReporter(sql),
    entity_type: 'track',
    entity_id: randomUUID(),
    reported_user_id: await parentId(o, 'reported_user_id', () => authFactories.users(sql)),
    reason: 'spam',
    details: 'Same comment posted under every track',
    assigned_moderator_id: await parentId(o, 'assigned_moderator_id', () =>
      authFactories.users(sql, { role: 'moderator' }),
    ),
    ...o,
  });

export const adminFactories = {
  moderation_reports,
  moderation_actions: async (sql, o = {}) =>
    insertRow(sql, 'moderation_actions', {
      report_id: await parentId(o, 'report_id', () => moderation_reports(sql)),
      moderator_id: await parentId(o, 'moderator_id', () => authFactories.users(sql, { role: 'moderator' })),
      target_user_id: await parentId(o, 'target_user_id', () => authFactories.users(sql)),
      entity_type: 'track',
      entity_id: randomUUID(),
      action_type: 'hide_content',
      reason: 'Spam: the same comment posted under many tracks',
      expires_at: inOneWeek(),
      ...o,
    }),
  audit_logs: async (sql, o = {}) =>
    insertRow(sql, 'audit_logs', {
      table_name: 'users',
      operation: 'UPDATE',
      record_id: randomUUID(),
      old_data: { marketing_consent: false },
      new_data: { marketing_consent: true },
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  system_configs: async (sql, o = {}) =>
    insertRow(sql, 'system_configs', {
      key: `test.setting_${uniqueToken()}`,
      value: { max_file_size_mb: 500 },
      description: 'Largest upload accepted',
      updated_by: await parentId(o, 'updated_by', () => authFactories.users(sql, { role: 'admin' })),
      ...o,
    }),
  feature_flags: async (sql, o = {}) =>
    insertRow(sql, 'feature_flags', {
      key: `test.flag_${uniqueToken()}`,
      description: 'New upload page',
      is_enabled: true,
      rollout_percentage: 25,
      conditions: { roles: ['creator'] },
      updated_by: await parentId(o, 'updated_by', () => authFactories.users(sql, { role: 'admin' })),
      ...o,
    }),
  job_runs: (sql, o = {}) =>
    insertRow(sql, 'job_runs', {
      job_name: 'retention.sessions',
      triggered_by: 'manual',
      status: 'succeeded',
      finished_at: new Date(),
      rows_by_table: { refresh_tokens: 3 },
      ...o,
    }),
  idempotency_keys: async (sql, o = {}) =>
    insertRow(sql, 'idempotency_keys', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      idempotency_key: `key-${uniqueToken()}`,
      request_method: 'POST',
      request_route: '/v1/me/export',
      request_fingerprint: 'a'.repeat(64),
      status: 'completed',
      response_status: 202,
      response_headers: { 'content-type': 'application/json; charset=utf-8' },
      response_body: '{"status":"pending"}',
      completed_at: new Date(),
      expires_at: new Date(Date.now() + 86_400_000),
      ...o,
    }),
} satisfies Record<string, Factory>;
