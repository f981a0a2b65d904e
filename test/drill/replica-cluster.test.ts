// Read replicas against a real streaming standby (issue 19 §5, ADR 0099): a private primary, a hot standby made with
// `pg_basebackup -R`, and the whole application routing the reads of its replica-enabled routes between them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import postgres from 'postgres';
import { buildApp } from '../../src/app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../../src/domains/auth/index.ts';
import { loadConstraintColumns } from '../../src/platform/db/constraint-columns.ts';
import { listMigrationFiles, Migrator } from '../../src/platform/db/migrations.ts';
import { openPool, type Pool } from '../../src/platform/db/pool.ts';
import { openReadRouting, type ReadRouting } from '../../src/platform/db/read-routing.ts';
import { parseLsn, type ReplicaState } from '../../src/platform/db/replica-set.ts';
import type { HttpServer } from '../../src/platform/http/server.ts';
import { trackReadReplicas } from '../../src/platform/metrics/replication.ts';
import { authFactories } from '../factories/auth.ts';
import { TEST_JWT_SECRET, testConfig } from '../helpers/app.ts';
import { freePort } from '../helpers/free-port.ts';
import { PrivateCluster } from './private-cluster.ts';

/** Short, so that the lagging case is quick; far above what a request of this test takes. */
const MAX_LAG_SECONDS = 3;

let primary: PrivateCluster | undefined;
let standby: PrivateCluster | undefined;
let pool: Pool | undefined;
let routing: ReadRouting | undefined;
let app: HttpServer | undefined;
let primaryUrl = '';
let standbyUrl = '';
let accessTokens: AccessTokens;
let fixtures: postgres.Sql | undefined;
const logged: string[] = [];

async function query<Row extends pg.QueryResultRow>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; ${JSON.stringify(routing?.replicas.status())}\n${logged.join('\n')}`,
      );
    }
    await sleep(50);
  }
}

const replica = () => routing!.replicas.replicas[0]!;

/** Waits until the standby has replayed everything the primary wrote so far and a check has seen it. */
async function caughtUp(): Promise<void> {
  const [row] = await query<{ lsn: string }>(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
  const target = parseLsn(row!.lsn);
  await waitFor('the standby to catch up', async () => {
    await routing!.replicas.checkNow();
    return replica().state === 'usable' && (replica().replayLsn ?? 0n) >= target;
  });
}

async function waitForState(state: ReplicaState): Promise<void> {
  await waitFor(`the replica to be ${state}`, async () => {
    await routing!.replicas.checkNow();
    return replica().state === state;
  });
}

/** A signed-in user, created on the primary by the suite's own factory. */
async function newUser(): Promise<{ id: string; username: string; authorization: string }> {
  const user = await authFactories.users(fixtures!, { data_processing_consent: true });
  const { token } = await accessTokens.issue({
    userId: user.id as string,
    tokenVersion: user.token_version as number,
    role: 'user',
  });
  return { id: user.id as string, username: user.username as string, authorization: `Bearer ${token}` };
}

async function profileBio(username: string, authorization?: string): Promise<{ status: number; bio: unknown }> {
  const response = await app!.inject({
    method: 'GET',
    url: `/v1/users/${username}`,
    headers: authorization ? { authorization } : {},
  });
  return {
    status: response.statusCode,
    bio: response.statusCode === 200 ? response.json<{ bio: unknown }>().bio : null,
  };
}

async function setBio(authorization: string, bio: string): Promise<void> {
  const response = await app!.inject({
    method: 'PATCH',
    url: '/v1/me/profile',
    headers: { authorization },
    payload: { bio },
  });
  assert.equal(response.statusCode, 200, response.body);
}

before(async () => {
  primary = await PrivateCluster.create(await freePort(), () => [
    'wal_level = replica',
    'max_wal_senders = 4',
    // A throwaway cluster: durability across an OS crash is not what this test is about, and fsyncs slow it down.
    'fsync = off',
  ]);
  await query(primary.url, 'CREATE DATABASE veza');
  primaryUrl = primary.url.replace(/\/postgres$/, '/veza');
  await new Migrator(primaryUrl, { log: () => {} }).migrate();
  fixtures = postgres(primaryUrl, { max: 2, onnotice: () => {} });
  standby = await PrivateCluster.standbyOf(primary, await freePort());
  standbyUrl = standby.url.replace(/\/postgres$/, '/veza');
  const config = testConfig(primaryUrl, {
    VEZA_DATABASE_READ_URLS: standbyUrl,
    VEZA_REPLICA_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS),
    // The background check only once a minute: the test runs each check itself (checkNow), so that what a request
    // finds is what the test set up, not what a check happened to see in between.
    VEZA_REPLICA_CHECK_INTERVAL_MS: '60000',
    // The connection refused by the stopped standby must fail fast, as in production (ADR 0029).
    VEZA_DB_CONNECT_TIMEOUT_MS: '2000',
  });
  pool = openPool(primaryUrl, config.db);
  routing = await openReadRouting(pool, config, (line) => logged.push(line));
  assert.ok(routing, 'VEZA_DATABASE_READ_URLS gives a read routing');
  accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);
  app = await buildApp({
    pool,
    config,
    accessTokens,
    authenticate: createAuthenticator(accessTokens, pool.db),
    latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
    constraintColumns: await loadConstraintColumns(pool.db),
    logLevel: 'silent',
    readRouting: routing,
  });
  await app.ready();
});

after(async () => {
  await app?.close();
  await routing?.close();
  await pool?.close();
  await fixtures?.end();
  await standby?.destroy();
  await primary?.destroy();
});

test('reads of replica-enabled routes go to the standby; everything else, and transactions, to the primary', async () => {
  const { db } = routing!.pool;
  const inRecovery = async () =>
    (await sql<{ standby: boolean }>`SELECT pg_is_in_recovery() AS standby`.execute(db)).rows[0]!.standby;
  await query(primaryUrl, 'CREATE SEQUENCE replica_probe');
  await caughtUp();
  assert.equal(await routing!.runReads(undefined, inRecovery), true, 'a read in a read context is on the standby');
  // Looks like a read, but writes: the standby refuses it (25006) before doing anything, and the primary runs it.
  const next = await routing!.runReads(undefined, async () => {
    const { rows } = await sql<{ value: string }>`SELECT nextval('replica_probe') AS value`.execute(db);
    return rows[0]!.value;
  });
  assert.equal(next, '1');
  assert.equal(await inRecovery(), false, 'outside a replica-enabled route: the primary');
  assert.equal(
    await routing!.runReads(undefined, () =>
      db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ standby: boolean }>`SELECT pg_is_in_recovery() AS standby`.execute(tx);
        return rows[0]!.standby;
      }),
    ),
    false,
    'a transaction, even in a read context, is on the primary',
  );

  const user = await newUser();
  await caughtUp();
  const before = { replica: replica().reads, primary: routing!.replicas.primaryReads };
  for (const url of [
    `/v1/users/${user.username}`,
    '/v1/products',
    '/v1/search?q=anything',
    '/v1/tracks/00000000-0000-4000-8000-000000000000',
  ]) {
    const response = await app!.inject({ method: 'GET', url });
    assert.ok(
      response.statusCode === 200 || response.statusCode === 404,
      `${url}: ${response.statusCode} ${response.body}`,
    );
  }
  assert.ok(replica().reads >= before.replica + 4, `each of the four routes read from the standby: ${replica().reads}`);
  assert.equal(routing!.replicas.primaryReads, before.primary, 'no routed read went to the primary');

  const registry = new Registry();
  trackReadReplicas(registry, routing!.replicas);
  const exposition = await registry.metrics();
  const name = replica().name;
  assert.match(exposition, new RegExp(`veza_db_read_replica_usable\\{replica="${name}",state="usable"\\} 1`));
  assert.match(exposition, new RegExp(`veza_db_read_replica_lag_seconds\\{replica="${name}"\\} 0`));
  assert.match(exposition, new RegExp(`veza_db_routed_reads\\{server="${name}"\\} ${replica().reads}`));

  const readyz = await app!.inject({ method: 'GET', url: '/readyz' });
  assert.equal(readyz.statusCode, 200, readyz.body);
  const replicas = readyz.json<{ replicas: Array<{ state: string; lag_seconds: number | null }> }>().replicas;
  assert.equal(replicas.length, 1);
  assert.equal(replicas[0]!.state, 'usable');
  assert.equal(typeof replicas[0]!.lag_seconds, 'number');
});

test('read-your-writes while the standby lags: the writer reads its write, another caller reads the standby', async () => {
  const writer = await newUser();
  const other = await newUser();
  await setBio(writer.authorization, 'before the pause');
  await caughtUp();
  await query(standbyUrl, 'SELECT pg_wal_replay_pause()');
  try {
    await setBio(writer.authorization, 'written while the standby is paused');
    // At once, well within the lag threshold: the standby is still "usable" for those who did not write.
    assert.equal(replica().state, 'usable');
    const own = await profileBio(writer.username, writer.authorization);
    assert.deepEqual(own, { status: 200, bio: 'written while the standby is paused' }, 'the writer reads its write');
    const readsBefore = replica().reads;
    const stale = await profileBio(writer.username, other.authorization);
    assert.deepEqual(stale, { status: 200, bio: 'before the pause' }, 'another caller is served by the paused standby');
    assert.equal(replica().reads, readsBefore + 1);
    const anonymous = await profileBio(writer.username);
    assert.equal(anonymous.bio, 'before the pause');

    // Past the threshold the standby is skipped for everyone, and /readyz says so without turning unready.
    await waitForState('lagging');
    assert.ok((replica().lagSeconds ?? 0) > MAX_LAG_SECONDS, `lag ${replica().lagSeconds}`);
    const primaryReads = routing!.replicas.primaryReads;
    assert.deepEqual(await profileBio(writer.username), { status: 200, bio: 'written while the standby is paused' });
    assert.equal(routing!.replicas.primaryReads, primaryReads + 1, 'the read went to the primary');
    const readyz = await app!.inject({ method: 'GET', url: '/readyz' });
    assert.equal(readyz.statusCode, 200, readyz.body);
    assert.equal(readyz.json<{ replicas: Array<{ state: string }> }>().replicas[0]!.state, 'lagging');
  } finally {
    await query(standbyUrl, 'SELECT pg_wal_replay_resume()');
  }
  await caughtUp();
  const readsBefore = replica().reads;
  assert.deepEqual(await profileBio(writer.username), { status: 200, bio: 'written while the standby is paused' });
  assert.equal(replica().reads, readsBefore + 1, 'caught up again, the standby serves reads again');
});

test('a stopped standby: reads fall back to the primary at once, never a 5xx, and /readyz stays ready', async () => {
  const user = await newUser();
  await caughtUp();
  await standby!.crash();
  // No check has run since: the requests are sent to the stopped standby, and each falls back on its own.
  assert.equal(replica().state, 'usable');
  const counts = { replica: replica().reads, primary: routing!.replicas.primaryReads };
  const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await profileBio(user.username)).status));
  assert.deepEqual(
    statuses,
    Array.from({ length: 10 }, () => 200),
  );
  assert.equal(replica().state, 'down', 'the first failed read marked it down');
  assert.ok(replica().reads > counts.replica, 'at least one request was sent to the stopped standby');
  assert.equal(routing!.replicas.primaryReads - counts.primary, 10, 'every one was served by the primary in the end');
  await waitForState('down');
  const primaryReads = routing!.replicas.primaryReads;
  assert.equal((await profileBio(user.username)).status, 200);
  assert.equal(routing!.replicas.primaryReads, primaryReads + 1);
  const readyz = await app!.inject({ method: 'GET', url: '/readyz' });
  assert.equal(readyz.statusCode, 200, readyz.body);
  assert.equal(readyz.json<{ replicas: Array<{ state: string }> }>().replicas[0]!.state, 'down');

  // Back, it serves again once a check has seen it replaying.
  await standby!.start();
  await caughtUp();
  const readsBefore = replica().reads;
  assert.equal((await profileBio(user.username)).status, 200);
  assert.equal(replica().reads, readsBefore + 1);
});
