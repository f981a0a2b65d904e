import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { buildApp } from '../../app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../../domains/auth/index.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { TEST_JWT_SECRET, testConfig } from '../../../test/helpers/app.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { loadConfig } from '../config/config.ts';
import { loadConstraintColumns } from '../db/constraint-columns.ts';
import { listMigrationFiles } from '../db/migrations.ts';
import { openPool, type Pool } from '../db/pool.ts';
import type { HttpServer } from '../http/server.ts';
import type { JobDefinition } from '../jobs/job.ts';
import { runJob } from '../jobs/run-job.ts';
import { parseExposition, sumOf, valueOf, type Family } from './exposition.test-support.ts';
import { measuredJobRun } from './job-metrics.ts';
import { Metrics, UNMATCHED_ROUTE } from './metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';

const POOL_SIZE = 4;
const DURATION = 'veza_http_request_duration_seconds';

let database: TestDatabase;
let pool: Pool;
let app: HttpServer;
let appUrl: string;
let metrics: Metrics;
let metricsServer: MetricsServer;

before(async () => {
  database = await migratedDatabase();
  metrics = new Metrics();
  pool = openPool(
    database.url,
    {
      poolSize: POOL_SIZE,
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 3_000,
      prepareStatements: true,
    },
    { onAcquire: metrics.observePoolAcquire },
  );
  metrics.trackPool(pool.pg);
  metrics.trackReplication(pool.db);
  const accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);
  app = await buildApp({
    pool,
    config: testConfig(database.url),
    accessTokens,
    authenticate: createAuthenticator(accessTokens, pool.db),
    latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
    constraintColumns: await loadConstraintColumns(pool.db),
    logLevel: 'silent',
    metrics,
  });
  appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  metricsServer = await startMetricsServer({ host: '127.0.0.1', port: 0, gather: () => metrics.registry.metrics() });
});

after(async () => {
  await metricsServer?.close();
  await app?.close();
  await pool?.close();
  if (database) await dropDatabase(database);
});

async function scrapeText(): Promise<string> {
  const response = await fetch(`${metricsServer.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

async function scrape(): Promise<Map<string, Family>> {
  return parseExposition(await scrapeText());
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('metrics of one process', () => {
  test('HTTP requests are counted by route pattern, method and status; the URL and its ids never become labels', async () => {
    const before = await scrape();
    const count = (labels: Record<string, string>, families = before) => sumOf(families, `${DURATION}_count`, labels);
    const ids = [randomUUID(), randomUUID()];
    for (let index = 0; index < 3; index += 1) assert.equal((await fetch(`${appUrl}/healthz`)).status, 200);
    for (const id of ids) assert.equal((await fetch(`${appUrl}/v1/tracks/${id}`)).status, 404);
    assert.equal((await fetch(`${appUrl}/v1/tracks/not-a-uuid?secret=hunter2`)).status, 400);
    assert.equal((await fetch(`${appUrl}/no/such/route/${ids[0]}`)).status, 404);

    const text = await scrapeText();
    const now = parseExposition(text);
    assert.equal(
      count({ method: 'GET', route: '/healthz', status_code: '200' }, now) -
        count({ method: 'GET', route: '/healthz', status_code: '200' }),
      3,
    );
    const track = { method: 'GET', route: '/v1/tracks/:id' };
    assert.equal(count({ ...track, status_code: '404' }, now) - count({ ...track, status_code: '404' }), 2);
    assert.equal(count({ ...track, status_code: '400' }, now) - count({ ...track, status_code: '400' }), 1);
    const unmatched = { method: 'GET', route: UNMATCHED_ROUTE, status_code: '404' };
    assert.equal(count(unmatched, now) - count(unmatched), 1);
    // The buckets moved with the count: the three /healthz are each under 10 s.
    const bucket = { route: '/healthz', status_code: '200', le: '10' };
    assert.equal(sumOf(now, `${DURATION}_bucket`, bucket) - sumOf(before, `${DURATION}_bucket`, bucket), 3);
    assert.ok(
      sumOf(now, `${DURATION}_sum`, { route: '/healthz' }) > sumOf(before, `${DURATION}_sum`, { route: '/healthz' }),
    );

    for (const id of ids) assert.ok(!text.includes(id), 'no id reaches the exposition');
    assert.ok(!text.includes('not-a-uuid') && !text.includes('hunter2'), 'neither raw paths nor query strings do');
    assert.ok(!text.includes('/no/such/route'), 'an unmatched URL is not a label either');
  });

  test('no label value carries an id, a secret or the database URL', async () => {
    const { token } = await new AccessTokens(TEST_JWT_SECRET, 900).issue({
      userId: randomUUID(),
      tokenVersion: 0,
      role: 'user',
    });
    await fetch(`${appUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    const forbidden = [TEST_JWT_SECRET, token, database.url, 'Bearer', 'postgres://'];
    for (const family of (await scrape()).values()) {
      for (const sample of family.samples) {
        for (const [name, value] of Object.entries(sample.labels)) {
          assert.doesNotMatch(value, uuid, `${sample.name} ${name}`);
          for (const secret of forbidden) assert.ok(!value.includes(secret), `${sample.name} ${name} leaks ${secret}`);
          if (name === 'route') assert.ok(value === UNMATCHED_ROUTE || value.startsWith('/'), value);
        }
      }
    }
  });

  test('the pool: open, idle and waiting connections, its size, and how long checkouts waited', async () => {
    const before = await scrape();
    const acquired = valueOf(before, 'veza_db_pool_acquire_seconds_count') ?? 0;
    for (let index = 0; index < 5; index += 1) assert.equal((await fetch(`${appUrl}/readyz`)).status, 200);
    const now = await scrape();
    assert.ok((valueOf(now, 'veza_db_pool_acquire_seconds_count') ?? 0) >= acquired + 5, 'each /readyz checked out');
    assert.equal(valueOf(now, 'veza_db_pool_max_connections'), POOL_SIZE);
    const open = valueOf(now, 'veza_db_pool_connections') ?? -1;
    const idle = valueOf(now, 'veza_db_pool_idle_connections') ?? -1;
    assert.ok(open >= 1 && open <= POOL_SIZE, `open ${open}`);
    assert.ok(idle >= 0 && idle <= open, `idle ${idle}`);
    assert.equal(valueOf(now, 'veza_db_pool_waiting_clients'), 0);
  });

  test('a checkout that waits past the connect timeout counts as a failure, and the waiting gauge sees it wait', async () => {
    const own = new Metrics();
    const small = openPool(
      database.url,
      { poolSize: 1, connectTimeoutMs: 300, statementTimeoutMs: 10_000, lockTimeoutMs: 3_000, prepareStatements: true },
      { onAcquire: own.observePoolAcquire },
    );
    own.trackPool(small.pg);
    try {
      await small.db.connection().execute(async (held) => {
        await held.selectNoFrom((eb) => eb.val(1).as('one')).execute();
        const waiting = small.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
        await waitFor(() => Promise.resolve(small.pg.waitingCount === 1), 'a waiting checkout');
        assert.equal(valueOf(parseExposition(await own.registry.metrics()), 'veza_db_pool_waiting_clients'), 1);
        await assert.rejects(waiting, /timeout/);
      });
      const families = parseExposition(await own.registry.metrics());
      assert.equal(valueOf(families, 'veza_db_pool_acquire_failures_total'), 1);
      assert.equal(valueOf(families, 'veza_db_pool_acquire_seconds_count'), 1, 'only the held checkout succeeded');
    } finally {
      await small.close();
    }
  });

  test('job runs and failures are counted per job name, with the time of the last success', async () => {
    const succeeding: JobDefinition = {
      name: 'test.metrics-ok',
      description: 'does nothing',
      defaultSchedule: '0 0 * * *',
      run: async () => {},
    };
    const failing: JobDefinition = {
      ...succeeding,
      name: 'test.metrics-broken',
      run: () => Promise.reject(new Error('broken on purpose')),
    };
    metrics.declareJobs([succeeding.name, failing.name]);
    let families = await scrape();
    for (const job of [succeeding.name, failing.name]) {
      for (const status of ['succeeded', 'failed'])
        assert.equal(valueOf(families, 'veza_job_runs_total', { job, status }), 0);
    }
    const run = (job: JobDefinition) =>
      measuredJobRun(metrics, job, () =>
        runJob(job, { db: pool.db, dataDir: '/nonexistent', triggeredBy: 'schedule' }),
      );
    const startedAt = Date.now() / 1000;
    assert.equal((await run(succeeding)).status, 'succeeded');
    assert.equal((await run(succeeding)).status, 'succeeded');
    assert.equal((await run(failing)).status, 'failed');

    families = await scrape();
    const runs = (job: string, status: string) => valueOf(families, 'veza_job_runs_total', { job, status });
    assert.deepEqual(
      [
        runs(succeeding.name, 'succeeded'),
        runs(succeeding.name, 'failed'),
        runs(failing.name, 'succeeded'),
        runs(failing.name, 'failed'),
      ],
      [2, 0, 0, 1],
    );
    assert.equal(valueOf(families, 'veza_job_duration_seconds_count', { job: failing.name }), 1);
    const lastSuccess = valueOf(families, 'veza_job_last_success_timestamp_seconds', { job: succeeding.name }) ?? 0;
    assert.ok(lastSuccess >= startedAt - 1 && lastSuccess <= Date.now() / 1000 + 1, String(lastSuccess));
    assert.equal(valueOf(families, 'veza_job_last_success_timestamp_seconds', { job: failing.name }), undefined);
  });

  test('open chat WebSockets are counted while open', async () => {
    const open = async () => valueOf(await scrape(), 'veza_websocket_connections');
    assert.equal(await open(), 0);
    const sockets = [0, 1].map(() => new WebSocket(`${appUrl.replace('http', 'ws')}/v1/chat/socket`));
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('open', resolve))));
    await waitFor(async () => (await open()) === 2, 'two connections');
    sockets[0]?.close();
    await waitFor(async () => (await open()) === 1, 'one connection');
    sockets[1]?.close();
    await waitFor(async () => (await open()) === 0, 'no connection');
  });

  test('replication: with no standby, zero replicas and no lag series; default process metrics are there', async () => {
    const families = await scrape();
    assert.equal(valueOf(families, 'veza_db_replicas'), 0);
    assert.equal(valueOf(families, 'veza_db_replication_readable'), 1);
    assert.equal(families.get('veza_db_replication_lag_seconds')?.samples.length ?? 0, 0);
    assert.equal(families.get('veza_db_replication_lag_bytes')?.samples.length ?? 0, 0);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(families.has(name), name);
    }
    assert.equal(families.get('process_cpu_user_seconds_total')?.type, 'counter');
    assert.equal(families.get(DURATION)?.type, 'histogram');
  });

  test('replication that cannot be read is unknown (NaN, readable 0), never "no standby"', async () => {
    const own = new Metrics();
    const unreachable = openPool(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`, {
      poolSize: 1,
      connectTimeoutMs: 200,
      statementTimeoutMs: 1_000,
      lockTimeoutMs: 1_000,
      prepareStatements: true,
    });
    try {
      own.trackReplication(unreachable.db);
      const families = parseExposition(await own.registry.metrics());
      assert.ok(Number.isNaN(valueOf(families, 'veza_db_replicas')));
      assert.equal(valueOf(families, 'veza_db_replication_readable'), 0);
    } finally {
      await unreachable.close();
    }
  });

  test('the API serves no /metrics, and the metrics listener serves nothing but GET /metrics', async () => {
    for (const method of ['GET', 'POST']) {
      assert.equal((await app.inject({ method, url: '/metrics' })).statusCode, 404, `${method} /metrics on the API`);
      assert.equal((await app.inject({ method, url: '/v1/metrics' })).statusCode, 404);
    }
    assert.equal((await fetch(`${metricsServer.url}/`)).status, 404);
    assert.equal((await fetch(`${metricsServer.url}/metrics/../v1/me`)).status, 404);
    assert.equal((await fetch(`${metricsServer.url}/metrics`, { method: 'POST' })).status, 405);
    const head = await fetch(`${metricsServer.url}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('a metrics listener that cannot bind says which setting moves it', async () => {
    const port = Number(new URL(metricsServer.url).port);
    await assert.rejects(
      startMetricsServer({ host: '127.0.0.1', port, gather: () => Promise.resolve('') }),
      /cannot serve metrics on 127\.0\.0\.1:\d+ \(EADDRINUSE\): set VEZA_METRICS_PORT/,
    );
  });
});

describe('metrics configuration', () => {
  test('off unless VEZA_METRICS_PORT is set; loopback unless VEZA_METRICS_HOST says otherwise', () => {
    assert.deepEqual(loadConfig({}).metrics, { host: '127.0.0.1', port: undefined });
    assert.deepEqual(loadConfig({ VEZA_METRICS_PORT: '9464' }).metrics, { host: '127.0.0.1', port: 9464 });
    assert.throws(() => loadConfig({ VEZA_METRICS_PORT: '0' }), /VEZA_METRICS_PORT must be an integer from 1 to 65535/);
    assert.throws(() => loadConfig({ VEZA_METRICS_PORT: 'metrics' }), /VEZA_METRICS_PORT/);
  });
});
