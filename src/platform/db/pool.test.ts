import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql as kyselySql } from 'kysely';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { openPool } from './pool.ts';

const database = useMigratedDatabase();

test('the pool applies its size, timeouts and plan caching (ADR 0027) to every connection, in UTC', async () => {
  const pool = openPool(database.current.url, {
    poolSize: 3,
    statementTimeoutMs: 1234,
    lockTimeoutMs: 567,
    prepareStatements: false,
  });
  try {
    const settings = await Promise.all(
      [1, 2, 3].map(
        () =>
          pool.sql`SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                          current_setting('TimeZone') AS zone, current_setting('plan_cache_mode') AS plans,
                          pg_backend_pid() AS pid, pg_sleep(0.2)`,
      ),
    );
    assert.deepEqual(
      settings.map(([row]) => [row?.statement, row?.lock, row?.zone, row?.plans]),
      Array(3).fill(['1234ms', '567ms', 'UTC', 'force_generic_plan']),
    );
    const [active] = await pool.sql`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'veza-core'`;
    assert.ok((active?.n ?? 0) <= 3, 'never more connections than the pool size');

    await assert.rejects(pool.sql`SELECT pg_sleep(2)`, { code: '57014' }, 'statement_timeout cancels a long query');
  } finally {
    await pool.close();
  }
});

test('close() ends every connection even when only raw SQL was used', async () => {
  const pool = openPool(database.current.url, {
    poolSize: 2,
    statementTimeoutMs: 0,
    lockTimeoutMs: 0,
    prepareStatements: true,
  });
  const [{ pid }] = (await pool.sql`SELECT pg_backend_pid() AS pid`) as unknown as [{ pid: number }];
  await pool.close();
  // The server ends the backend right after the client's Terminate message, asynchronously.
  let alive = 1;
  for (let attempt = 0; attempt < 40 && alive > 0; attempt += 1) {
    const [row] = await database.current.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`;
    alive = row?.n ?? 0;
    if (alive > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(alive, 0);
});

test('Kysely queries go through the same pool, typed from db.generated.ts', async () => {
  const pool = openPool(database.current.url, {
    poolSize: 2,
    statementTimeoutMs: 0,
    lockTimeoutMs: 0,
    prepareStatements: true,
  });
  try {
    const inserted = await pool.db
      .insertInto('users')
      .values({ email: 'kysely@example.test', username: 'kysely_user' })
      .returning(['id', 'role', 'created_at'])
      .executeTakeFirstOrThrow();
    assert.equal(inserted.role, 'user');
    assert.ok(inserted.created_at instanceof Date);
    const { rows } = await kyselySql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(pool.db);
    assert.equal(rows[0]?.n, 1);
  } finally {
    await pool.close();
  }
});
