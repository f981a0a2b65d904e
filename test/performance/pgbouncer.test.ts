// Veza Core behind PgBouncer in transaction mode (ADR 0026, docs/pgbouncer.md), on a real PostgreSQL and Debian's
// pgbouncer: our pool works through it with the configured timeouts and a correct audit trail, what transaction
// pooling breaks is what we never do, and 1,000 clients share a pool of 20 server connections.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import postgres from 'postgres';
import { startPgBouncer, type RunningPgBouncer } from '../../bench/pgbouncer.ts';
import type { Config } from '../../src/platform/config/config.ts';
import { inTransaction } from '../../src/domains/auth/auth.repository.ts';
import { withActor } from '../../src/platform/db/actor.ts';
import { checkSessionSettings, openPool, type Pool } from '../../src/platform/db/pool.ts';
import { allFactories } from '../factories/index.ts';
import { adminUrl, useMigratedDatabase } from '../helpers/database.ts';

const database = useMigratedDatabase();

// Not the defaults, so that seeing them proves they came from these settings.
const DB_SETTINGS: Config['db'] = {
  poolSize: 10,
  connectTimeoutMs: 2000,
  statementTimeoutMs: 1200,
  lockTimeoutMs: 700,
  prepareStatements: false,
};

/** Direct connections of this file to its database, told apart from PgBouncer's by their application_name. */
const DIRECT_APPLICATION = 'veza-test-direct';
let directSql: postgres.Sql | undefined;
// Opened on first use: the root's before hooks (the database's creation among them) run concurrently.
const direct = () =>
  (directSql ??= postgres(database.current.url, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: DIRECT_APPLICATION },
  }));
after(async () => {
  await directSql?.end();
});

const newUser = async () => String((await allFactories.users!(direct())).id);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backends of the test database not opened by this file directly: PgBouncer's server connections. */
async function serverConnections(monitor: postgres.Sql): Promise<number> {
  const [row] = await monitor`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = ${database.current.name} AND backend_type = 'client backend'
      AND application_name IS DISTINCT FROM ${DIRECT_APPLICATION}`;
  return row?.n ?? 0;
}

describe('our pool through PgBouncer in transaction mode', () => {
  let bouncer: RunningPgBouncer;
  let pool: Pool;

  before(async () => {
    bouncer = await startPgBouncer({
      serverUrl: database.current.url,
      poolSize: 4,
      maxClientConnections: 100,
      db: DB_SETTINGS,
    });
    pool = openPool(bouncer.url, DB_SETTINGS);
  });
  after(async () => {
    await pool?.close();
    await bouncer?.stop();
  });

  test('runs queries with the configured timeouts, time zone and name on every server connection', async () => {
    const rows = await Promise.all(
      Array.from(
        { length: 8 },
        async () =>
          (
            await sql<Record<string, string>>`
              SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                     current_setting('TimeZone') AS zone, current_setting('application_name') AS name,
                     pg_backend_pid() AS pid, pg_sleep(0.1)`.execute(pool.db)
          ).rows,
      ),
    );
    assert.deepEqual(
      new Set(rows.map(([row]) => JSON.stringify([row?.statement, row?.lock, row?.zone, row?.name]))),
      new Set([JSON.stringify(['1200ms', '700ms', 'UTC', 'veza-core'])]),
    );
    const pids = new Set(rows.map(([row]) => row?.pid));
    assert.ok(pids.size > 1 && pids.size <= 4, `8 clients of the app pool shared ${pids.size} server connections`);
    await checkSessionSettings(pool.db, DB_SETTINGS);

    const count = await pool.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(typeof count.n, 'string', 'Kysely runs through the pooler too');

    await assert.rejects(
      sql`SELECT pg_sleep(3)`.execute(pool.db),
      { code: '57014' },
      'statement_timeout cancels a long query',
    );
  });

  test("the timeouts are PgBouncer's: a pool configured otherwise does not get its own, and is told", async () => {
    const otherwise = openPool(bouncer.url, { ...DB_SETTINGS, poolSize: 1, statementTimeoutMs: 10_000 });
    try {
      const {
        rows: [row],
      } = await sql<{ statement: string }>`SELECT current_setting('statement_timeout') AS statement`.execute(
        otherwise.db,
      );
      assert.equal(row?.statement, '1200ms', "PgBouncer ignores the pool's startup value and sets its own");
      await assert.rejects(checkSessionSettings(otherwise.db, { ...DB_SETTINGS, statementTimeoutMs: 10_000 }), {
        message:
          /statement_timeout 1200ms.* connect_query='SET statement_timeout = 10000; SET lock_timeout = 700; SET plan_cache_mode = force_generic_plan; SET TimeZone = UTC'/,
      });
    } finally {
      await otherwise.close();
    }
  });

  test('the audit trail names the actor of each transaction, never the previous one on the same server', async () => {
    const actors = await Promise.all(Array.from({ length: 5 }, newUser));
    const targets = await Promise.all(Array.from({ length: 40 }, newUser));
    const actorOf = (index: number) => actors[index % actors.length] as string;

    // 40 transactions from 10 app connections over 4 server connections, both ways the services name the actor;
    // the pause between naming the actor and writing lets the transactions interleave.
    await Promise.all(
      targets.map((target, index) =>
        index % 2 === 0
          ? withActor(pool.db, actorOf(index), async (tx) => {
              await sql`SELECT pg_sleep(0.01)`.execute(tx);
              await sql`UPDATE users SET display_name = ${`renamed ${index}`} WHERE id = ${target}`.execute(tx);
            })
          : inTransaction(pool.db, actorOf(index), async (trx) => {
              await trx.selectNoFrom((eb) => eb.fn('pg_sleep', [eb.val(0.01)]).as('slept')).execute();
              await trx
                .updateTable('users')
                .set({ display_name: `renamed ${index}` })
                .where('id', '=', target)
                .execute();
            }),
      ),
    );
    // Then the same server connections run transactions naming nobody: no actor may linger from before.
    await Promise.all(
      targets.map((target) =>
        withActor(pool.db, null, (tx) =>
          sql`UPDATE users SET display_name = 'anonymous change' WHERE id = ${target}`.execute(tx),
        ),
      ),
    );

    const audited = await direct()`
      SELECT record_id, user_id, new_data ->> 'display_name' AS name FROM audit_logs
      WHERE table_name = 'users' AND operation = 'UPDATE' AND record_id IN ${direct()(targets)}`;
    assert.equal(audited.length, 80);
    for (const [index, target] of targets.entries()) {
      const rows = audited.filter((row) => row.record_id === target);
      assert.deepEqual(
        rows.map((row) => [row.name, row.user_id]).sort(),
        [
          ['anonymous change', null],
          [`renamed ${index}`, actorOf(index)],
        ],
        `audit rows of target ${index}`,
      );
    }
  });
});

describe('what transaction pooling breaks, and why the pool runs without prepared statements', () => {
  let bouncer: RunningPgBouncer;
  const clients: postgres.Sql[] = [];
  const client = (options: { prepare?: boolean } = {}) => {
    const sql = postgres(bouncer.url, { max: 1, prepare: false, onnotice: () => {}, ...options });
    clients.push(sql);
    return sql;
  };

  before(async () => {
    bouncer = await startPgBouncer({
      serverUrl: database.current.url,
      poolSize: 2,
      maxClientConnections: 20,
      db: DB_SETTINGS,
    });
  });
  after(async () => {
    await Promise.all(clients.map((sql) => sql.end()));
    await bouncer?.stop();
  });

  test('a statement prepared on one server connection does not exist on the next a transaction gets', async () => {
    const preparing = client({ prepare: true });
    const holder = client();
    const [first] = await preparing`SELECT ${1}::int + 1 AS two, pg_backend_pid() AS pid`;
    assert.equal(first?.two, 2);
    await holder.begin(async (tx) => {
      // The holder keeps the server connection the statement was prepared on, so the next transaction gets the
      // other one, where the statement postgres.js believes prepared was never created. Outside a transaction
      // postgres.js would quietly prepare it again; inside, the error aborts the transaction.
      const [held] = await tx`SELECT pg_backend_pid() AS pid`;
      assert.equal(held?.pid, first?.pid);
      await assert.rejects(
        preparing.begin((other) => other`SELECT ${1}::int + 1 AS two, pg_backend_pid() AS pid`),
        { code: '26000', message: /prepared statement ".+" does not exist/ },
      );
    });
  });

  test('session-level SET and PREPARE reach other clients', async () => {
    const setter = client();
    const neighbour = client();
    await setter`SET lock_timeout = '4321ms'`;
    await setter`PREPARE veza_probe AS SELECT 42 AS answer`;
    const seen = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const [row] = await neighbour`SELECT current_setting('lock_timeout') AS lock`;
      const executed = await neighbour`EXECUTE veza_probe`.then(
        ([answer]) => answer?.answer as number,
        () => undefined,
      );
      seen.push([row?.lock, executed]);
    }
    assert.ok(
      seen.some(([lock]) => lock === '4321ms'),
      `another client's session SET never showed: ${JSON.stringify(seen)}`,
    );
    assert.ok(
      seen.some(([, answer]) => answer === 42),
      `another client's prepared statement never ran: ${JSON.stringify(seen)}`,
    );
  });
});

describe('1,000 clients through 20 server connections', () => {
  const CLIENTS = 1000;
  const SERVER_POOL = 20;
  let bouncer: RunningPgBouncer;
  let monitor: postgres.Sql;
  const clients: postgres.Sql[] = [];

  before(async () => {
    monitor = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    // The server connections of the poolers above end shortly after they stop.
    for (let attempt = 0; attempt < 100 && (await serverConnections(monitor)) > 0; attempt += 1) await sleep(50);
    bouncer = await startPgBouncer({
      serverUrl: database.current.url,
      poolSize: SERVER_POOL,
      maxClientConnections: CLIENTS + 100,
      db: DB_SETTINGS,
    });
  });
  after(async () => {
    await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
    await bouncer?.stop();
    await monitor?.end();
  });

  test('all 1,000 connect and query at once; the server never sees more than the pool', async (t) => {
    const started = Date.now();
    const peaks = { server: 0, serverInPooler: 0, clientsInPooler: 0, waiting: 0 };
    let sampling = true;
    const sample = async () => {
      while (sampling) {
        const [server, pools] = await Promise.all([serverConnections(monitor), bouncer.admin('SHOW POOLS')]);
        const ours = pools.find((row) => row.database === database.current.name);
        const sum = (...columns: string[]) => columns.reduce((total, column) => total + Number(ours?.[column] ?? 0), 0);
        peaks.server = Math.max(peaks.server, server);
        peaks.serverInPooler = Math.max(
          peaks.serverInPooler,
          sum('sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'),
        );
        peaks.clientsInPooler = Math.max(peaks.clientsInPooler, sum('cl_active', 'cl_waiting'));
        peaks.waiting = Math.max(peaks.waiting, sum('cl_waiting'));
        await sleep(20);
      }
    };
    const sampler = sample();

    // Each client is its own postgres.js with one connection: 1,000 sockets, each running a query concurrently,
    // twice (the second round on clients that are all connected already).
    for (let index = 0; index < CLIENTS; index += 1) {
      clients.push(
        postgres(bouncer.url, {
          max: 1,
          prepare: false,
          onnotice: () => {},
          connection: { application_name: 'veza-scale' },
        }),
      );
    }
    const round = () =>
      Promise.all(
        clients.map((sql) => sql`SELECT pg_backend_pid() AS pid, pg_sleep(0.02)`.then(([row]) => row?.pid as number)),
      );
    const firstRound = await round();
    const clientsConnected = (await bouncer.admin('SHOW CLIENTS')).filter(
      (row) => row.database === database.current.name,
    ).length;
    const secondRound = await round();
    sampling = false;
    await sampler;

    const backends = new Set([...firstRound, ...secondRound]);
    t.diagnostic(
      `${CLIENTS} clients in ${Date.now() - started} ms: PgBouncer saw ${clientsConnected} connected clients ` +
        `(peak ${peaks.clientsInPooler}, ${peaks.waiting} waiting), ${backends.size} server backends answered, ` +
        `server side peak ${peaks.server} connections (PgBouncer's count: ${peaks.serverInPooler})`,
    );
    assert.equal(firstRound.length + secondRound.length, 2 * CLIENTS, 'every query succeeded');
    assert.equal(clientsConnected, CLIENTS, 'PgBouncer held all 1,000 client connections at once');
    assert.ok(peaks.clientsInPooler >= CLIENTS, `PgBouncer's pool saw ${peaks.clientsInPooler} clients at most`);
    assert.ok(peaks.waiting > 0, 'clients queued for a server connection');
    assert.ok(backends.size <= SERVER_POOL, `${backends.size} server backends answered`);
    assert.ok(peaks.server > 0 && peaks.server <= SERVER_POOL, `the server had up to ${peaks.server} connections`);
    assert.ok(peaks.serverInPooler <= SERVER_POOL, `PgBouncer opened up to ${peaks.serverInPooler} server connections`);
  });
});
