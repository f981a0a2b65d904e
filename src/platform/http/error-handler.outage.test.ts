import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../../domains/auth/index.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { testConfig, TEST_JWT_SECRET } from '../../../test/helpers/app.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { checkReadiness } from '../db/readiness.ts';
import { openPool, type Pool } from '../db/pool.ts';
import { isDatabaseOutage, OUTAGE_RETRY_AFTER_SECONDS } from './error-handler.ts';
import { createHttpServer, type HttpServer } from './server.ts';

/** A TCP server that accepts connections and never says a word: a database that hangs rather than refuses. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/veza`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The error a real failure produces, so the classification is tested against what drivers actually throw. */
async function errorOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('the action did not fail');
}

let database: TestDatabase;
let silent: Awaited<ReturnType<typeof silentServer>>;
let refusedUrl: string;
before(async () => {
  database = await migratedDatabase();
  silent = await silentServer();
  refusedUrl = `postgres://postgres@127.0.0.1:${await freePort()}/veza`;
});
after(async () => {
  await silent.close();
  await dropDatabase(database);
});

describe('isDatabaseOutage: which errors mean "the database cannot be reached right now"', () => {
  test('real driver failures: refused, connect timeout, acquire timeout, backend terminated mid-query', async () => {
    const refused = await errorOf(() => new pg.Client({ connectionString: refusedUrl }).connect());
    assert.equal((refused as { code?: string }).code, 'ECONNREFUSED');

    const connectTimeout = await errorOf(async () => {
      const client = new pg.Client({ connectionString: silent.url, connectionTimeoutMillis: 200 });
      await client.connect();
    });
    assert.match(String(connectTimeout), /timeout/);

    const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    const acquireTimeout = await errorOf(() => pool.connect());
    held.release();
    await pool.end();
    assert.match(String(acquireTimeout), /timeout exceeded when trying to connect/);

    const victim = new pg.Client({ connectionString: database.url });
    victim.on('error', () => {});
    await victim.connect();
    const victimPid = (victim as unknown as { processID: number }).processID;
    const terminated = errorOf(() => victim.query('SELECT pg_sleep(30)'));
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // Wait until the sleep runs, so the termination lands mid-statement.
    for (let i = 0; i < 100; i += 1) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
        [victimPid],
      );
      if (rows[0]?.n === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query('SELECT pg_terminate_backend($1)', [victimPid]);
    await admin.end();
    const killed = await terminated;
    await victim.end().catch(() => {});

    for (const [name, error] of Object.entries({ refused, connectTimeout, acquireTimeout, killed })) {
      assert.equal(isDatabaseOutage(error), true, `${name}: ${String(error)}`);
    }
  });

  const table: Array<[string, unknown, boolean]> = [
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    ['EPIPE', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), true],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), true],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout'), true],
    ['08006 connection_failure', { code: '08006', severity: 'FATAL' }, true],
    ['08P01 protocol_violation', { code: '08P01', severity: 'FATAL' }, true],
    ['57P01 admin_shutdown', { code: '57P01', severity: 'FATAL' }, true],
    ['57P02 crash_shutdown', { code: '57P02', severity: 'FATAL' }, true],
    ['57P03 cannot_connect_now (starting up)', { code: '57P03', severity: 'FATAL' }, true],
    ['53300 too_many_connections', { code: '53300', severity: 'FATAL' }, true],
    ['25006 read_only_sql_transaction (a standby mid-failover)', { code: '25006', severity: 'ERROR' }, true],
    ['wrapped in a cause', new Error('query failed', { cause: { code: 'ECONNREFUSED' } }), true],
    [
      'an AggregateError of every address tried',
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '')),
      true,
    ],
    ['23505 unique_violation', { code: '23505', severity: 'ERROR' }, false],
    ['40001 serialization_failure (busy, not down)', { code: '40001', severity: 'ERROR' }, false],
    ['57014 query_canceled (busy, not down)', { code: '57014', severity: 'ERROR' }, false],
    ['42P01 undefined_table', { code: '42P01', severity: 'ERROR' }, false],
    ['a bug', new TypeError("Cannot read properties of null (reading 'write')"), false],
    ['ENOENT', Object.assign(new Error('no such file'), { code: 'ENOENT' }), false],
    ['nothing', undefined, false],
    ['a string', 'Connection terminated', false],
  ];
  for (const [name, error, expected] of table) {
    test(`${name} → ${expected ? 'outage' : 'not an outage'}`, () => {
      assert.equal(isDatabaseOutage(error), expected);
    });
  }
});

describe('the HTTP answer to an outage: 503 problem+json with Retry-After', () => {
  let app: HttpServer;
  before(async () => {
    app = createHttpServer({ logLevel: 'silent', constraintColumns: new Map() });
    app.get('/refused', async () => {
      const client = new pg.Client({ connectionString: refusedUrl });
      await client.connect();
      return {};
    });
    app.get('/starting-up', () => {
      throw Object.assign(new Error('the database system is starting up'), { code: '57P03', severity: 'FATAL' });
    });
    app.get('/serialization', () => {
      throw Object.assign(new Error('could not serialize access'), { code: '40001', severity: 'ERROR' });
    });
    await app.ready();
  });
  after(() => app.close());

  test('a refused connection and a server still starting: 503 SERVICE_UNAVAILABLE, Retry-After, nothing internal', async () => {
    for (const url of ['/refused', '/starting-up']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 503, url);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(response.headers['retry-after'], String(OUTAGE_RETRY_AFTER_SECONDS));
      const problem = JSON.parse(response.body) as Record<string, unknown>;
      assert.equal(problem.code, 'SERVICE_UNAVAILABLE');
      assert.equal(problem.status, 503);
      assert.equal(problem.instance, url);
      assert.doesNotMatch(response.body, /ECONNREFUSED|127\.0\.0\.1|starting up|stack/);
    }
  });

  test('contention (a serialisation failure) is a 503 too, with a shorter Retry-After', async () => {
    const response = await app.inject({ method: 'GET', url: '/serialization' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '1');
  });
});

describe('the whole app on a database that is down or hangs', () => {
  const apps: Array<{ app: HttpServer; pool: Pool }> = [];
  async function appOn(url: string) {
    const config = testConfig(url);
    const pool = openPool(url, config.db, { onIdleError: () => {} });
    const accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);
    const app = await buildApp({
      pool,
      config,
      accessTokens,
      authenticate: createAuthenticator(accessTokens, pool.db),
      latestMigrationVersion: 1,
      constraintColumns: new Map(),
      logLevel: 'silent',
    });
    await app.ready();
    apps.push({ app, pool });
    return { app, config, accessTokens };
  }
  after(async () => {
    for (const { app, pool } of apps) {
      await app.close();
      await pool.close();
    }
  });

  const registration = {
    email: 'outage@example.test',
    username: 'outage_user',
    password: 'a long and unusual passphrase',
    data_processing_consent: true,
  };

  test('hanging: /readyz answers 503 within a second; a write answers 503 within the connect timeout', async () => {
    const { app, config } = await appOn(silent.url);
    let started = Date.now();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.ok(Date.now() - started < 1_000, `/readyz took ${Date.now() - started} ms`);
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(JSON.parse(ready.body), {
      status: 'not_ready',
      database: 'unreachable',
      migrations: { current: null, latest: 1 },
    });

    started = Date.now();
    const write = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration });
    const took = Date.now() - started;
    assert.equal(write.statusCode, 503, write.body);
    assert.equal(write.headers['retry-after'], String(OUTAGE_RETRY_AFTER_SECONDS));
    assert.ok(took < config.db.connectTimeoutMs + 1_000, `the write took ${took} ms`);
  });

  test('refusing: a write and an authenticated read answer 503 at once', async () => {
    const { app, accessTokens } = await appOn(refusedUrl);
    const { token } = await accessTokens.issue({
      userId: '6f1c2a4e-0b7d-4f3e-9a51-2d8c7e6b5a40',
      tokenVersion: 0,
      role: 'user',
    });
    for (const request of [
      { method: 'POST' as const, url: '/v1/auth/register', payload: registration },
      { method: 'GET' as const, url: '/v1/me', headers: { authorization: `Bearer ${token}` } },
    ]) {
      const started = Date.now();
      const response = await app.inject(request);
      assert.equal(response.statusCode, 503, `${request.url}: ${response.body}`);
      assert.equal(JSON.parse(response.body).code, 'SERVICE_UNAVAILABLE');
      assert.ok(Date.now() - started < 1_000, `${request.url} took ${Date.now() - started} ms`);
    }
  });
});

describe('checkReadiness', () => {
  test('a reachable, migrated database is ready; the same check against a hanging one gives up on time', async () => {
    const config = testConfig(database.url);
    const pool = openPool(database.url, config.db);
    const hanging = openPool(silent.url, config.db, { onIdleError: () => {} });
    try {
      const ready = await checkReadiness(pool.db, 1);
      assert.equal(ready.database, 'reachable');
      assert.ok((ready.migrations.current ?? 0) >= 1);
      const started = Date.now();
      assert.deepEqual(await checkReadiness(hanging.db, 1, 300), {
        ready: false,
        database: 'unreachable',
        migrations: { current: null, latest: 1 },
      });
      const took = Date.now() - started;
      assert.ok(took >= 290 && took < 600, `gave up after ${took} ms`);
    } finally {
      await pool.close();
      await hanging.close();
    }
  });
});
