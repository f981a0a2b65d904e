// Shared by the retention jobs (ADR 0018): the registry's time limits and SQL conditions built from them.
// The batched deletes and updates live in ../batches.ts.
import type { JobSql } from '../../platform/jobs/job.ts';
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

/** `<table>.<clock>` older than the limit, as SQL (the clock is a timestamptz column). */
export function olderThan(sql: JobSql, table: string, limit: TimeLimit): Fragment {
  return sql`${sql(table)}.${sql(limit.clock)} < NOW() - make_interval(days => ${limit.days}::int)`;
}

/** `a OR b OR …` of conditions (FALSE for none). */
export function anyOf(sql: JobSql, conditions: Fragment[]): Fragment {
  const [first, ...rest] = conditions;
  if (!first) return sql`FALSE`;
  const joined = rest.reduce((left, condition) => sql`${left} OR ${condition}`, first);
  return sql`(${joined})`;
}

/** A double-quoted SQL identifier, for conditions built from catalog names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
