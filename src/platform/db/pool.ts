import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { Config } from '../config/config.ts';
import type { DB } from './db.generated.ts';

export type Database = Kysely<DB>;

export interface Pool {
  /** postgres.js, for the few statements Kysely can't express. */
  sql: postgres.Sql;
  db: Database;
  close(): Promise<void>;
}

type Timeouts = Pick<Config['db'], 'statementTimeoutMs' | 'lockTimeoutMs'>;

/**
 * Startup parameters of ours that PgBouncer cannot forward: it refuses them ("unsupported startup parameter") unless
 * its ignore_startup_parameters lists them, and then its connect_query must set them (ADR 0026, poolerConnectQuery).
 * application_name and TimeZone it forwards to every server connection it lends.
 */
export const POOLER_SET_PARAMETERS = ['statement_timeout', 'lock_timeout', 'plan_cache_mode'] as const;

/** Prepared statements use their generic plan from the first execution (ADR 0027). */
export const PLAN_CACHE_MODE = 'force_generic_plan';

/** The application's one connection pool (postgres.js: ADR 0006), with Kysely on top of it. */
export function openPool(url: string, settings: Config['db']): Pool {
  const sql = postgres(url, {
    max: settings.poolSize,
    prepare: settings.prepareStatements,
    onnotice: () => {},
    connection: {
      application_name: 'veza-core',
      statement_timeout: settings.statementTimeoutMs,
      lock_timeout: settings.lockTimeoutMs,
      timezone: 'UTC',
      // ADR 0027: our statements are shaped for one cached plan each (the EXPLAIN test checks every benchmarked
      // one in this mode); without it a statement whose parameters allow plan-time partition pruning is planned
      // anew on every execution.
      plan_cache_mode: PLAN_CACHE_MODE,
    },
  });
  const db = new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql }) });
  return {
    sql,
    db,
    // The dialect only ends postgres.js if Kysely ran a query; raw `sql` use alone would keep
    // sockets open and the process alive, so both are closed.
    async close() {
      await db.destroy();
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * The `connect_query` of PgBouncer's database entry: sets on each server connection it opens the values of
 * POOLER_SET_PARAMETERS that the pool asks for and PgBouncer ignores (ADR 0026). Plain integers are milliseconds.
 */
export function poolerConnectQuery(settings: Timeouts): string {
  return (
    `SET statement_timeout = ${settings.statementTimeoutMs}; SET lock_timeout = ${settings.lockTimeoutMs}; ` +
    `SET plan_cache_mode = ${PLAN_CACHE_MODE}`
  );
}

/**
 * Fails unless the pool's connections carry the configured timeouts. Behind PgBouncer they come from its
 * connect_query, which nothing ties to VEZA_DB_* and whose errors PgBouncer only logs; run this once after
 * opening the pool there.
 */
export async function checkSessionSettings(sql: postgres.Sql, settings: Timeouts): Promise<void> {
  const rows = await sql<{ name: string; setting: string }[]>`
    SELECT name, setting FROM pg_settings
    WHERE name IN ('statement_timeout', 'lock_timeout', 'plan_cache_mode') ORDER BY name`;
  const actual = Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  if (
    Number(actual.statement_timeout) === settings.statementTimeoutMs &&
    Number(actual.lock_timeout) === settings.lockTimeoutMs &&
    actual.plan_cache_mode === PLAN_CACHE_MODE
  ) {
    return;
  }
  throw new Error(
    `the database connections have statement_timeout ${actual.statement_timeout}ms, lock_timeout ` +
      `${actual.lock_timeout}ms and plan_cache_mode ${actual.plan_cache_mode}, not the configured ` +
      `${settings.statementTimeoutMs}ms, ${settings.lockTimeoutMs}ms and ${PLAN_CACHE_MODE}; ` +
      `behind PgBouncer, its database entry needs connect_query='${poolerConnectQuery(settings)}' (docs/pgbouncer.md)`,
  );
}
