import { createHash } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import type { DB } from './db.generated.ts';

export type Database = Kysely<DB>;

/**
 * The application's one connection pool (node-postgres: ADR 0028), with Kysely on top of it.
 *
 * - Queries go through `db`: the query builder, or `sql\`…\`.execute(db)` for statements it can't express
 *   (`.rows` holds the rows). Transactions: `db.transaction().execute(async (tx) => …)`; everything run on `tx`
 *   uses the transaction's connection, so `SET LOCAL` / `set_config(…, true)` stay inside it.
 * - `pg` is the node-postgres pool under it, for the few things Kysely cannot carry: COPY, multi-statement
 *   text, LISTEN. A client taken with `pg.connect()` must be released (`client.release()`), in a `finally`.
 *
 * Failure behaviour: a connection PostgreSQL drops (restart, crash, pg_terminate_backend) fails the query
 * running on it with a catchable error whose `code` is a Node socket code or absent (no SQLSTATE), the broken
 * client leaves the pool, and the next acquire opens a new connection. Connecting and waiting for a free
 * connection are both bounded by `connectTimeoutMs`; past it the query fails with "timeout exceeded when
 * trying to connect" or "Connection terminated due to connection timeout" (`isConnectionError` recognises all of
 * these). An idle connection dying is logged through `onIdleError`, never thrown.
 */
export interface Pool {
  db: Database;
  pg: pg.Pool;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Told of errors on connections nobody is using (the server went away); they are dropped from the pool. */
  onIdleError?: (error: Error) => void;
  /**
   * Told how long each checkout through `db` waited for a connection, and whether it got one (metrics, ADR 0089).
   * Checkouts made directly on `pg` are not seen.
   */
  onAcquire?: (waitSeconds: number, acquired: boolean) => void;
}

type Timeouts = Pick<Config['db'], 'statementTimeoutMs' | 'lockTimeoutMs'>;

/**
 * Startup parameters of ours that PgBouncer cannot forward: it refuses them ("unsupported startup parameter") unless
 * its ignore_startup_parameters lists them, and then its connect_query must set what they carry (ADR 0026,
 * poolerConnectQuery). `options` carries TimeZone and plan_cache_mode (node-postgres sends other settings only
 * through it); application_name PgBouncer forwards to every server connection it lends.
 */
export const POOLER_SET_PARAMETERS = ['statement_timeout', 'lock_timeout', 'options'] as const;

/** Prepared statements use their generic plan from the first execution (ADR 0027). */
export const PLAN_CACHE_MODE = 'force_generic_plan';

/** Socket and pool errors that mean "no usable connection to PostgreSQL", as opposed to a failed statement. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
    if (/^08|^57P0[123]$/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code);
  }
  return /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(
    error.message,
  );
}

/**
 * Whether `error` says the database could not answer now rather than that the statement is wrong: a connection
 * problem, or a statement cancelled by a timeout, a lock wait, a deadlock, a serialization failure or a full server.
 * Retrying later may succeed.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['40001', '40P01', '55P03', '57014', '53300'].includes(code);
}

export function openPool(url: string, settings: Config['db'], options: PoolOptions = {}): Pool {
  const onIdleError =
    options.onIdleError ?? ((error: Error) => process.stderr.write(`database connection lost: ${error.message}\n`));
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    types: { getTypeParser },
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'veza-core',
    statement_timeout: settings.statementTimeoutMs,
    lock_timeout: settings.lockTimeoutMs,
    // ADR 0027: our statements are shaped for one cached plan each (the EXPLAIN test checks every benchmarked
    // one in this mode); without it a statement whose parameters allow plan-time partition pruning is planned
    // anew on every execution.
    options: `-c TimeZone=UTC -c plan_cache_mode=${PLAN_CACHE_MODE}`,
  });
  pool.on('error', onIdleError);
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: wrapClients(pool, settings.prepareStatements, options.onAcquire) }),
  });
  let closing: Promise<void> | undefined;
  return {
    db,
    pg: pool,
    // Kysely's destroy ends the pg pool; ending it twice would throw.
    close: () => (closing ??= db.destroy()),
  };
}

const DATE_OID = 1082;
const INTERVAL_OID = 1186;

/**
 * node-postgres' parsers, except where they differ from what the code was written against (postgres.js, ADR 0006):
 * a `date` is midnight UTC (pg would take the process's local midnight) and an `interval` stays text.
 * int8 and numeric stay strings in both (db.generated.ts types them so).
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === DATE_OID && format !== 'binary') return (value) => new Date(value);
  if (oid === INTERVAL_OID && format !== 'binary') return (value) => value;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/**
 * What Kysely's PostgresDialect sees of the pool. Each client gets an 'error' listener for as long as it lives:
 * pg-pool listens only while a client is idle, so a connection dropped between two statements of a checked-out
 * client (inside a transaction) would otherwise be an uncaught 'error' event. The statement that next uses that
 * client fails instead, and the client is discarded on release.
 *
 * With `prepare`, each statement is named after its text, so pg parses it once per connection and reuses it
 * (ADR 0027); without (PgBouncer in transaction mode, ADR 0026), statements are unnamed.
 */
function wrapClients(pool: pg.Pool, prepare: boolean, onAcquire: PoolOptions['onAcquire']): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const ignoreError = () => {};
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    client.on('error', ignoreError);
    const wrapper: PostgresPoolClient = {
      get processID() {
        return (client as unknown as { processID?: number }).processID;
      },
      query: ((text: unknown, parameters?: readonly unknown[]) => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        const values = parameters as unknown[];
        return prepare ? client.query({ name: statementName(text), text, values }) : client.query(text, values);
      }) as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy),
    };
    wrappers.set(client, wrapper);
    return wrapper;
  };
  return {
    options: pool.options,
    async connect() {
      const started = performance.now();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        onAcquire?.((performance.now() - started) / 1000, false);
        throw error;
      }
      onAcquire?.((performance.now() - started) / 1000, true);
      return wrappers.get(client) ?? wrap(client);
    },
    end: () => pool.end(),
  };
}

// A statement's text is hashed once; the map is bounded for the rare dynamically built statement.
const statementNames = new Map<string, string>();
const MAX_NAMED_TEXTS = 10_000;

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_NAMED_TEXTS) statementNames.clear();
    name = `veza_${createHash('sha1').update(text).digest('base64url')}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A Kysely that only compiles queries (`.compile()`), for tools that run the SQL some other way (bench, EXPLAIN). */
export function queryCompiler(): Database {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

/**
 * The `connect_query` of PgBouncer's database entry: sets on each server connection it opens the values of
 * POOLER_SET_PARAMETERS that the pool asks for and PgBouncer ignores (ADR 0026). Plain integers are milliseconds.
 */
export function poolerConnectQuery(settings: Timeouts): string {
  return (
    `SET statement_timeout = ${settings.statementTimeoutMs}; SET lock_timeout = ${settings.lockTimeoutMs}; ` +
    `SET plan_cache_mode = ${PLAN_CACHE_MODE}; SET TimeZone = UTC`
  );
}

/**
 * Fails unless the pool's connections carry the configured timeouts. Behind PgBouncer they come from its
 * connect_query, which nothing ties to VEZA_DB_* and whose errors PgBouncer only logs; run this once after
 * opening the pool there.
 */
export async function checkSessionSettings(db: Database, settings: Timeouts): Promise<void> {
  const { rows } = await sql<{ name: string; setting: string }>`
    SELECT name, setting FROM pg_settings
    WHERE name IN ('statement_timeout', 'lock_timeout', 'plan_cache_mode') ORDER BY name`.execute(db);
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
