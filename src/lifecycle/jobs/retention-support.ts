// Shared by the retention jobs (ADR 0018): the registry's time limits and SQL conditions built from them.
// The batched deletes and updates live in ../batches.ts.
import { sql } from 'kysely';
import type { TableRegistry } from '../table-registry.ts';

export { nullInBatches, purgeInBatches, type BatchOptions } from '../batches.ts';

/**
 * The tables src/lifecycle/jobs/retention-sessions.ts enforces (spec §18.1 "Sessions expirées"); that job predates
 * the coverage list and keeps its own statements.
 */
export const RETENTION_SESSIONS_TABLES = [
  'email_verification_tokens',
  'password_reset_tokens',
  'refresh_tokens',
] as const;

export type { Fragment, Where } from '../batches.ts';
import type { Fragment } from '../batches.ts';

export interface TimeLimit {
  /** Registry maxAgeDays. */
  days: number;
  /** Registry clock column. */
  clock: string;
}

/** The registry's age limit of `table`; throws when the table has none, so a job never guesses a period. */
export function timeLimit(registry: TableRegistry, table: string): TimeLimit {
  const rule = registry[table]?.retention;
  if (!rule || rule.maxAgeDays === null || rule.clock === null) {
    throw new Error(`db/table-registry.json gives no time limit for ${table}`);
  }
  return { days: rule.maxAgeDays, clock: rule.clock };
}

/** `<table>.<clock>` older than the limit at `now` (the run's clock), as SQL (the clock is a timestamptz column). */
export function olderThan(table: string, limit: TimeLimit, now: Date): Fragment {
  return sql`${sql.ref(`${table}.${limit.clock}`)} < ${now}::timestamptz - make_interval(days => ${limit.days}::int)`;
}

/** `a OR b OR …` of conditions (FALSE for none). */
export function anyOf(conditions: Fragment[]): Fragment {
  if (conditions.length === 0) return sql`FALSE`;
  return sql`(${sql.join(conditions, sql` OR `)})`;
}

/** A double-quoted SQL identifier, for conditions built from catalog names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
