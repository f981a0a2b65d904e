import { sql } from 'kysely';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations.ts';
import type { Database } from './pool.ts';
import type { ReplicaSet, ReplicaState } from './replica-set.ts';

export interface Readiness {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  migrations: { current: number | null; latest: number };
}

/**
 * How long /readyz waits for the database (ADR 0029). An orchestrator's probe typically gives up after one
 * second; answering "not ready" before then says more than a probe timeout does, and a check stuck behind a dead
 * server never piles up behind the next one.
 */
export const READINESS_TIMEOUT_MS = 750;

/**
 * Ready = the database answers within `timeoutMs` and its last applied migration is the newest one this build
 * ships. Never throws and never takes much longer than `timeoutMs`.
 */
export async function checkReadiness(
  db: Database,
  latestVersion: number,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const unreachable: Readiness = {
    ready: false,
    database: 'unreachable',
    migrations: { current: null, latest: latestVersion },
  };
  const query = sql<{ current: number | null }>`
    SELECT max(substring(name from '^[0-9]+')::int) AS current
    FROM ${sql.table(`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`)}`
    .execute(db)
    .then(
      ({ rows: [row] }): Readiness => {
        const current = row?.current === null || row?.current === undefined ? 0 : Number(row.current);
        return {
          ready: current === latestVersion,
          database: 'reachable',
          migrations: { current, latest: latestVersion },
        };
      },
      (error: unknown): Readiness =>
        // The bookkeeping table is missing on a reachable but never-migrated database.
        (error as { code?: string }).code === '42P01'
          ? { ready: false, database: 'reachable', migrations: { current: 0, latest: latestVersion } }
          : unreachable,
    );
  let timer: NodeJS.Timeout | undefined;
  // The query left behind by a timeout still ends on its own, bounded by the pool's connect timeout and the
  // statement timeout; its outcome is already mapped above, so it can never become an unhandled rejection.
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve(unreachable), timeoutMs);
  });
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The read replicas as their last periodic check left them (ADR 0099), for /readyz: nothing is asked of PostgreSQL
 * here, and a lagging or down replica does not make the service unready, since its reads go to the primary.
 */
export function replicaReadiness(
  replicas: ReplicaSet,
): Array<{ name: string; state: ReplicaState; lag_seconds: number | null }> {
  return replicas.status().map(({ name, state, lagSeconds }) => ({ name, state, lag_seconds: lagSeconds }));
}
