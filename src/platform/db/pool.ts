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
