import type postgres from 'postgres';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations.ts';

export interface Readiness {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  migrations: { current: number | null; latest: number };
}

/** Ready = the database answers and its last applied migration is the newest one this build ships. */
export async function checkReadiness(sql: postgres.Sql, latestVersion: number): Promise<Readiness> {
  try {
    const [row] = await sql`
      SELECT max(substring(name from '^[0-9]+')::int) AS current
      FROM ${sql(MIGRATIONS_SCHEMA)}.${sql(MIGRATIONS_TABLE)}`;
    const current = row?.current === null || row?.current === undefined ? 0 : Number(row.current);
    return { ready: current === latestVersion, database: 'reachable', migrations: { current, latest: latestVersion } };
  } catch (error) {
    // The bookkeeping table is missing on a reachable but never-migrated database.
    const reachable = (error as { code?: string }).code === '42P01';
    return {
      ready: false,
      database: reachable ? 'reachable' : 'unreachable',
      migrations: { current: reachable ? 0 : null, latest: latestVersion },
    };
  }
}
