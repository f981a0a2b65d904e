// "Configs and flags change behaviour across two running instances without a restart" (issue 18, done when; ADR
// 0096): two instances of the whole application on one database; a change made through A shows in B's behaviour
// within a bound, by polling. Then the fallback: with no listener (the bus down), a copy is at most its TTL old.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../auth/index.ts';
import { withActor } from '../../platform/db/actor.ts';
import { loadConstraintColumns } from '../../platform/db/constraint-columns.ts';
import { listMigrationFiles } from '../../platform/db/migrations.ts';
import { openPool, type Pool } from '../../platform/db/pool.ts';
import type { HttpServer } from '../../platform/http/server.ts';
import { TEST_JWT_SECRET, testConfig } from '../../../test/helpers/app.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { SettingsCache, SettingsListener } from './configs.cache.ts';
import { upsertStoredConfig, notifySettingsChanged } from './configs.repository.ts';
import { account, caller, type Account } from './configs.test-support.ts';

interface Instance {
  app: HttpServer;
  pool: Pool;
}

let database: TestDatabase;
const instances: Instance[] = [];
const accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);

before(async () => {
  database = await migratedDatabase();
  for (let i = 0; i < 2; i += 1) {
    const pool = openPool(database.url, {
      poolSize: 4,
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 3_000,
      prepareStatements: true,
    });
    const app = await buildApp({
      pool,
      config: testConfig(database.url),
      accessTokens,
      authenticate: createAuthenticator(accessTokens, pool.db),
      latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
      constraintColumns: await loadConstraintColumns(pool.db),
      logLevel: 'silent',
    });
    await app.ready();
    instances.push({ app, pool });
  }
});

after(async () => {
  for (const { app, pool } of instances) {
    await app.close();
    await pool.close();
  }
  await dropDatabase(database);
});

/** Polls `check` until it holds, every 20 ms, failing after `withinMs`: answers how long it took. */
async function eventually(what: string, check: () => Promise<boolean>, withinMs = 5_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > withinMs) assert.fail(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const registration = (app: HttpServer, n: number) =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: {
      email: `two-instances-${n}@example.test`,
      username: `two_instances_${n}`,
      password: 'a long enough passphrase 42',
      data_processing_consent: true,
    },
  });

test('a setting changed through instance A changes what instance B does, without a restart', async (t) => {
  const [a, b] = instances as [Instance, Instance];
  const boss = await account(database.sql, accessTokens, 'admin');
  // B has read the settings (registration is open) and holds them in its cache.
  assert.equal((await registration(b.app, 1)).statusCode, 202);
  assert.equal(
    (await caller(a.app, boss)('PUT', '/v1/admin/configs/auth.registration_open', { value: false })).statusCode,
    200,
  );
  let n = 100;
  const took = await eventually(
    'B refuses registration',
    async () => (await registration(b.app, (n += 1))).statusCode === 403,
  );
  assert.ok(took < 5_000);
  t.diagnostic(`registration closed on B ${took} ms after A's answer`);
  const publicOnB = await caller(b.app, null)('GET', '/v1/configs/public');
  assert.equal(publicOnB.json<Record<string, unknown>>()['auth.registration_open'], false);
  assert.equal(
    (await caller(a.app, boss)('PUT', '/v1/admin/configs/auth.registration_open', { value: true })).statusCode,
    200,
  );
  await eventually(
    'B accepts registration again',
    async () => (await registration(b.app, (n += 1))).statusCode === 202,
  );
});

test('a flag created, widened and deleted through A applies on B, without a restart', async (t) => {
  const [a, b] = instances as [Instance, Instance];
  const boss = await account(database.sql, accessTokens, 'admin');
  const member: Account = await account(database.sql, accessTokens, 'user');
  const flagsOnB = async () =>
    (await caller(b.app, member)('GET', '/v1/me/feature-flags')).json<{ flags: string[] }>().flags;
  assert.deepEqual(await flagsOnB(), []);
  const onA = caller(a.app, boss);
  assert.equal(
    (
      await onA('PUT', '/v1/admin/feature-flags/two.instances', {
        is_enabled: true,
        rollout_percentage: 100,
        conditions: { roles: ['admin'] },
      })
    ).statusCode,
    201,
  );
  // B reloads on the notice: the flag is known there, but targets admins only.
  await eventually('B knows the flag', async () => {
    const listed = await caller(b.app, boss)('GET', '/v1/admin/feature-flags/two.instances');
    return listed.statusCode === 200;
  });
  assert.deepEqual(await flagsOnB(), []);
  assert.equal(
    (await onA('PUT', '/v1/admin/feature-flags/two.instances', { is_enabled: true, rollout_percentage: 100 }))
      .statusCode,
    200,
  );
  const took = await eventually('the flag is on for the member on B', async () =>
    (await flagsOnB()).includes('two.instances'),
  );
  t.diagnostic(`flag on for the member on B ${took} ms after A's answer`);
  assert.equal((await onA('DELETE', '/v1/admin/feature-flags/two.instances')).statusCode, 204);
  await eventually('the flag is gone on B', async () => (await flagsOnB()).length === 0);
});

test('with the bus down a copy is served until its TTL, then reloaded; a notice or a reconnection drops it at once', async () => {
  const pool = instances[0]!.pool;
  let clock = 1_000_000;
  const cache = new SettingsCache(pool.db, { ttlMs: 30_000, now: () => clock });
  const boss = await account(database.sql, accessTokens, 'admin');
  const set = (value: unknown) =>
    withActor(pool.db, boss.id, (tx) =>
      upsertStoredConfig(tx, {
        key: 'analytics.k_anonymity_threshold',
        value,
        description: 'k',
        isPublic: false,
        updatedBy: boss.id,
      }),
    );
  const k = async () => (await cache.snapshot()).configs.get('analytics.k_anonymity_threshold')?.value;
  await set(7);
  assert.equal(await k(), 7);
  const loads = cache.loads;
  // Nobody listens (the bus is down): the change is not seen, and reads cost no query...
  await set(8);
  clock += 29_999;
  assert.equal(await k(), 7);
  assert.equal(cache.loads, loads);
  // ...until the TTL has passed.
  clock += 1;
  assert.equal(await k(), 8);

  // A listener that cannot connect (nothing listens on that port) leaves the cache working on its TTL.
  const down = new SettingsListener({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 }, cache, () => {});
  await down.start();
  assert.equal(down.listening, false);
  await down.close();

  // With a listener: a committed change is seen at once; a rolled-back one is never announced.
  const errors: Error[] = [];
  const listener = new SettingsListener(pool.pg.options, cache, (error) => errors.push(error));
  await listener.start();
  assert.equal(listener.listening, true);
  assert.equal(await k(), 8);
  await withActor(pool.db, boss.id, async (tx) => {
    await upsertStoredConfig(tx, {
      key: 'analytics.k_anonymity_threshold',
      value: 9,
      description: 'k',
      isPublic: false,
      updatedBy: boss.id,
    });
    await notifySettingsChanged(tx, 'config:analytics.k_anonymity_threshold');
  });
  await eventually('the notice reaches the cache', async () => (await k()) === 9);
  const before = cache.loads;
  await assert.rejects(
    withActor(pool.db, boss.id, async (tx) => {
      await notifySettingsChanged(tx, 'config:analytics.k_anonymity_threshold');
      throw new Error('rolled back');
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  await k();
  assert.equal(cache.loads, before, 'a rolled-back change was announced');

  // The listening connection is killed: the listener reconnects, and drops the copy (changes were unannounced).
  await set(10);
  await database.sql`
    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND query = 'LISTEN veza_admin_settings' AND pid <> pg_backend_pid()`;
  await eventually(
    'the listener reconnected and the copy was reloaded',
    async () => listener.listening && (await k()) === 10,
  );
  assert.ok(errors.length >= 1);
  await listener.close();
});
