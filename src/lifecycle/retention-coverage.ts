// Which job enforces each retention rule of db/table-registry.json (spec §18.1, issue 4, ADR 0018). A registry entry
// with a time limit that no job enforces is a retention period nobody keeps: retention-coverage.test.ts fails on it.
import { ACTIVITY_TABLES } from './jobs/retention-activity.ts';
import { ANALYTICS_TABLES } from './jobs/retention-analytics.ts';
import { contentTables } from './jobs/retention-content.ts';
import { RETENTION_SESSIONS_TABLES } from './jobs/retention-support.ts';
import type { TableRegistry } from './table-registry.ts';

/**
 * The jobs this file does not derive from code, with the tables each enforces:
 * - retention.sessions: the expired tokens of §18.1 "Sessions expirées";
 * - partitions.maintain: drops login_attempts partitions wholly past 90 days, and archives then drops audit_logs
 *   partitions past 24 months (the only enforcement audit_logs has);
 * - accounts.anonymise: users 30 days after deleted_at (§19.3);
 * - retention.idempotency: idempotency keys past their 24 hours (ADR 0035);
 * - streaming.play-windows-expire: play counting windows once over, within a day (ADR 0045);
 * - chat.events-expire: the chat event log after 7 days (ADR 0054).
 */
export const STATIC_ENFORCEMENT: Readonly<Record<string, readonly string[]>> = {
  'retention.sessions': RETENTION_SESSIONS_TABLES,
  'partitions.maintain': ['audit_logs', 'login_attempts'],
  'accounts.anonymise': ['users'],
  'retention.idempotency': ['idempotency_keys'],
  'streaming.play-windows-expire': ['play_count_windows'],
  'chat.events-expire': ['chat_events'],
};

/** table → the names of the jobs that enforce its retention rule. */
export function retentionEnforcers(registry: TableRegistry): Map<string, string[]> {
  const enforcement: Record<string, readonly string[]> = {
    ...STATIC_ENFORCEMENT,
    'retention.activity': ACTIVITY_TABLES,
    'retention.analytics': ANALYTICS_TABLES,
    'retention.content': contentTables(registry),
  };
  const enforcers = new Map<string, string[]>();
  for (const [job, tables] of Object.entries(enforcement)) {
    for (const table of tables) enforcers.set(table, [...(enforcers.get(table) ?? []), job]);
  }
  return enforcers;
}

/** Registry tables with a time limit (maxAgeDays) that no job enforces. */
export function unenforcedRetention(registry: TableRegistry): string[] {
  const enforcers = retentionEnforcers(registry);
  return Object.entries(registry)
    .filter(([table, { retention }]) => retention.maxAgeDays !== null && !enforcers.has(table))
    .map(([table]) => table);
}
