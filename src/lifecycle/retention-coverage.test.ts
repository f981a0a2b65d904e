import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { accountsAnonymise } from './jobs/accounts-anonymise.ts';
import { maintainPartitions } from './jobs/partitions.ts';
import { retentionActivity } from './jobs/retention-activity.ts';
import { retentionAnalytics } from './jobs/retention-analytics.ts';
import { retentionContent } from './jobs/retention-content.ts';
import { retentionIdempotency } from './jobs/retention-idempotency.ts';
import { retentionSessions } from './jobs/retention-sessions.ts';
import { playWindowsExpire } from '../domains/streaming/index.ts';
import { chatEventsExpire } from '../domains/chat/index.ts';
import { retentionEnforcers, STATIC_ENFORCEMENT, unenforcedRetention } from './retention-coverage.ts';
import { loadTableRegistry, parseTableRegistry, TABLE_REGISTRY_FILE } from './table-registry.ts';

const registry = loadTableRegistry();

test('every registry entry with a time limit is enforced by a job', () => {
  assert.deepEqual(unenforcedRetention(registry), []);
});

test('a job claims only tables whose registry entry has a time limit', () => {
  for (const [table, jobs] of retentionEnforcers(registry)) {
    assert.notEqual(registry[table]?.retention.maxAgeDays ?? null, null, `${table} (${jobs.join(', ')})`);
  }
});

test('the jobs named are the real jobs', () => {
  const names = new Set(
    [
      accountsAnonymise,
      maintainPartitions,
      retentionActivity,
      retentionAnalytics,
      retentionContent,
      retentionIdempotency,
      retentionSessions,
      playWindowsExpire,
      chatEventsExpire,
    ].map((job) => job.name),
  );
  for (const jobs of retentionEnforcers(registry).values()) for (const job of jobs) assert.ok(names.has(job), job);
  assert.deepEqual(Object.keys(STATIC_ENFORCEMENT).sort(), [
    'accounts.anonymise',
    'chat.events-expire',
    'partitions.maintain',
    'retention.idempotency',
    'retention.sessions',
    'streaming.play-windows-expire',
  ]);
});

test('§18.1, row by row: who enforces what', () => {
  const enforcers = retentionEnforcers(registry);
  const of = (table: string) => enforcers.get(table)?.sort();
  assert.deepEqual(of('login_attempts'), ['partitions.maintain', 'retention.activity']);
  assert.deepEqual(of('typing_indicators'), ['retention.activity']);
  assert.deepEqual(of('user_presence'), ['retention.activity']);
  assert.deepEqual(of('refresh_tokens'), ['retention.sessions']);
  for (const table of ['analytics_events', 'playback_history', 'daily_metrics'])
    assert.deepEqual(of(table), ['retention.analytics']);
  assert.deepEqual(of('users'), ['accounts.anonymise']);
  for (const table of ['orders', 'order_items', 'transactions', 'messages', 'direct_messages']) {
    assert.deepEqual(of(table), ['retention.content'], table);
  }
  assert.deepEqual(of('audit_logs'), ['partitions.maintain']);
});

test('the check fails for a new time limit no job enforces, and not for one the registry-driven job takes', () => {
  const json = JSON.parse(readFileSync(TABLE_REGISTRY_FILE, 'utf8')) as Record<string, unknown>;
  const entry = (action: string) => ({
    userFacing: false,
    personalData: 'linked',
    retention: { policy: 'fixed_period', maxAgeDays: 90, clock: 'created_at', action, spec: 'test', note: 'test' },
  });
  const withTables = (extra: Record<string, unknown>) =>
    parseTableRegistry(
      Object.fromEntries(Object.entries({ ...json, ...extra }).sort(([a], [b]) => (a < b ? -1 : 1))),
      'test',
    );
  // anonymise needs to know which columns: without an ANONYMISED_COLUMNS entry nothing enforces it.
  assert.deepEqual(unenforcedRetention(withTables({ widget_views: entry('anonymise') })), ['widget_views']);
  // archive_then_delete is done by no row job.
  assert.deepEqual(unenforcedRetention(withTables({ widget_logs: entry('archive_then_delete') })), ['widget_logs']);
  // a plain delete after a fixed period is taken by retention.content from the registry alone.
  const covered = withTables({ widget_clicks: entry('delete') });
  assert.deepEqual(unenforcedRetention(covered), []);
  assert.deepEqual(retentionEnforcers(covered).get('widget_clicks'), ['retention.content']);
});
