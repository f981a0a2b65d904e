import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { sql } from 'kysely';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import type { Config } from '../config/config.ts';
import { isConnectionError, openPool, type Pool } from './pool.ts';

const database = useMigratedDatabase();

const SETTINGS: Config['db'] = {
  poolSize: 2,
  connectTimeoutMs: 2000,
  statementTimeoutMs: 0,
  lockTimeoutMs: 0,
  prepareStatements: true,
};

async function withPool<T>(
  settings: Partial<Config['db']>,
  work: (pool: Pool, idleErrors: Error[]) => Promise<T>,
): Promise<T> {
  const idleErrors: Error[] = [];
  const pool = openPool(database.current.url, { ...SETTINGS, ...settings }, { onIdleError: (e) => idleErrors.push(e) });
  try {
    return await work(pool, idleErrors);
  } finally {
    await pool.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the pool applies its size, timeouts, name and plan caching (ADR 0027) to every connection, in UTC', async () => {
  await withPool(
    { poolSize: 3, statementTimeoutMs: 1234, lockTimeoutMs: 567, prepareStatements: false },
    async (pool) => {
      const settings = await Promise.all(
        [1, 2, 3].map(() =>
          sql<Record<string, string>>`
          SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                 current_setting('TimeZone') AS zone, current_setting('plan_cache_mode') AS plans,
                 current_setting('application_name') AS name, pg_backend_pid() AS pid, pg_sleep(0.2)`.execute(pool.db),
        ),
      );
      assert.deepEqual(
        settings.map(({ rows: [row] }) => [row?.statement, row?.lock, row?.zone, row?.plans, row?.name]),
        Array(3).fill(['1234ms', '567ms', 'UTC', 'force_generic_plan', 'veza-core']),
      );
      assert.equal(new Set(settings.map(({ rows: [row] }) => row?.pid)).size, 3, 'three concurrent connections');
      const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'veza-core'`.execute(pool.db);
      assert.ok((rows[0]?.n ?? 0) <= 3, 'never more connections than the pool size');

      await assert.rejects(sql`SELECT pg_sleep(2)`.execute(pool.db), { code: '57014' }, 'statement_timeout cancels');
    },
  );
});

test('with prepareStatements each statement is prepared once per connection under a name from its text', async () => {
  const preparedOnOneConnection = (pool: Pool) =>
    pool.db.transaction().execute(async (tx) => {
      for (const n of [1, 2, 3]) await sql`SELECT ${n}::int + 1 AS next`.execute(tx);
      return (
        await sql<{ name: string; statement: string }>`
          SELECT name, statement FROM pg_prepared_statements ORDER BY name`.execute(tx)
      ).rows;
    });

  const named = await withPool({ poolSize: 1, prepareStatements: true }, preparedOnOneConnection);
  const next = named.filter((row) => row.statement === 'SELECT $1::int + 1 AS next');
  assert.equal(next.length, 1, 'three executions, one prepared statement');
  assert.match(next[0]?.name ?? '', /^veza_[\w-]{27}$/);

  // Behind PgBouncer in transaction mode (ADR 0026) nothing may stay prepared on a server connection.
  const unnamed = await withPool({ poolSize: 1, prepareStatements: false }, preparedOnOneConnection);
  assert.deepEqual(unnamed, []);
});

test('values come back as the code expects: int8 and numeric as text, timestamptz as Date, date at UTC midnight', async () => {
  await withPool({}, async (pool) => {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT 9007199254740993::int8 AS big, 12.50::numeric(10, 2) AS price, 7::int AS small,
             '2024-03-01 12:00:00+00'::timestamptz AS at, '2024-03-01'::date AS day,
             '1 day 02:00:00'::interval AS span, ARRAY['a', 'b']::text[] AS list, '{"k": [1]}'::jsonb AS doc`.execute(
      pool.db,
    );
    const row = rows[0] ?? {};
    assert.equal(row.big, '9007199254740993');
    assert.equal(row.price, '12.50');
    assert.equal(row.small, 7);
    assert.deepEqual(row.at, new Date('2024-03-01T12:00:00Z'));
    assert.deepEqual(row.day, new Date('2024-03-01T00:00:00Z'));
    assert.equal(row.span, '1 day 02:00:00');
    assert.deepEqual(row.list, ['a', 'b']);
    assert.deepEqual(row.doc, { k: [1] });

    const user = await pool.db
      .insertInto('users')
      .values({ email: 'kysely@example.test', username: 'kysely_user' })
      .returning(['id', 'role', 'created_at'])
      .executeTakeFirstOrThrow();
    assert.equal(user.role, 'user');
    assert.ok(user.created_at instanceof Date);
    const count = await pool.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(count.n, '1');
  });
});

test('close() ends every connection', async () => {
  const pool = openPool(database.current.url, SETTINGS);
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(pool.db);
  await pool.close();
  await pool.close();
  // The server ends the backend right after the client's Terminate message, asynchronously.
  let alive = 1;
  for (let attempt = 0; attempt < 40 && alive > 0; attempt += 1) {
    const pid = rows[0]?.pid ?? 0;
    const [row] = await database.current.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`;
    alive = row?.n ?? 0;
    if (alive > 0) await sleep(50);
  }
  assert.equal(alive, 0);
});

test('waiting for a free connection is bounded by connectTimeoutMs and fails as a connection error', async () => {
  await withPool({ poolSize: 1, connectTimeoutMs: 300 }, async (pool) => {
    const holding = sql`SELECT pg_sleep(1.2)`.execute(pool.db);
    await sleep(50);
    const started = Date.now();
    const waited = await sql`SELECT 1`.execute(pool.db).then(
      () => assert.fail('the second query got the only connection'),
      (error: unknown) => error,
    );
    const elapsed = Date.now() - started;
    assert.ok(isConnectionError(waited), `not a connection error: ${String(waited)}`);
    assert.ok(elapsed >= 250 && elapsed < 1000, `gave up after ${elapsed} ms`);
    await holding;
  });
});

test('connecting to a server that never answers is bounded by connectTimeoutMs', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  const pool = openPool(`postgres://postgres@127.0.0.1:${port}/veza`, { ...SETTINGS, connectTimeoutMs: 300 });
  try {
    const started = Date.now();
    const error = await sql`SELECT 1`.execute(pool.db).then(
      () => assert.fail('a silent server answered'),
      (caught: unknown) => caught,
    );
    assert.ok(isConnectionError(error), `not a connection error: ${String(error)}`);
    assert.ok(Date.now() - started < 1500, `gave up after ${Date.now() - started} ms`);
  } finally {
    await pool.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('a connection the server drops fails only what runs on it; the pool reconnects by itself', async () => {
  const terminate = async (pid: number | undefined) => {
    await database.current.sql`SELECT pg_terminate_backend(${pid ?? 0}::int)`;
  };
  await withPool({ poolSize: 1 }, async (pool, idleErrors) => {
    // Idle: the pool reports it and drops the client; nothing is thrown at the process.
    const { rows: idle } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(pool.db);
    await terminate(idle[0]?.pid);
    for (let attempt = 0; attempt < 40 && idleErrors.length === 0; attempt += 1) await sleep(25);
    assert.equal(idleErrors.length, 1, 'the idle connection loss was reported');
    const { rows: fresh } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(pool.db);
    assert.notEqual(fresh[0]?.pid, idle[0]?.pid);

    // Inside a transaction, between two statements: the transaction fails with a catchable connection error.
    const failed = await pool.db
      .transaction()
      .execute(async (tx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
        await terminate(rows[0]?.pid);
        await sleep(100);
        await sql`SELECT 1`.execute(tx);
      })
      .then(
        () => assert.fail('the transaction survived its connection'),
        (error: unknown) => error,
      );
    assert.ok(isConnectionError(failed), `not a connection error: ${String(failed)}`);
    const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(pool.db);
    assert.equal(rows[0]?.ok, 1, 'the next query gets a working connection');
  });
});
