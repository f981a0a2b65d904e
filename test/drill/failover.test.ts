import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openPool } from '../../src/platform/db/pool.ts';
import { isDatabaseOutage } from '../../src/platform/http/error-handler.ts';
import { PatroniCluster, query } from './patroni-cluster.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The CI subset of the failover drill (ADR 0098; the whole drill, with `veza serve`, a node loss, etcd down and the
// old primary's return, is `npm run drill -- --only failover`). One pool of the application's kind, opened once,
// writes through HAProxy to a three-node Patroni cluster in synchronous mode while the primary's node is lost
// (Patroni and postmaster killed): every failure meanwhile must be one the API answers 503 (isDatabaseOutage), none may take longer than
// the drill's 5 s bound, every acknowledged insert must be on the new primary, and the same pool must write there.
test('a Patroni failover behind HAProxy (primary node lost): only outage errors, bounded, no acknowledged insert lost, same pool serves the new primary', async () => {
  const cluster = await PatroniCluster.start();
  const pool = openPool(cluster.url(), {
    poolSize: 4,
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 10_000,
    lockTimeoutMs: 3_000,
    prepareStatements: true,
  });
  pool.pg.on('error', () => {});
  try {
    await sql`CREATE TABLE failover_probe (id bigint PRIMARY KEY)`.execute(pool.db);
    const acknowledged: Array<{ id: number; at: number }> = [];
    const failures: Array<{ error: unknown; ms: number }> = [];
    let maxMs = 0;
    let next = 0;
    let running = true;
    const loops = Array.from({ length: 3 }, async () => {
      while (running) {
        next += 1;
        const id = next;
        const started = Date.now();
        try {
          await sql`INSERT INTO failover_probe (id) VALUES (${id})`.execute(pool.db);
          acknowledged.push({ id, at: Date.now() });
        } catch (error) {
          failures.push({ error, ms: Date.now() - started });
          await sleep(50);
        }
        maxMs = Math.max(maxMs, Date.now() - started);
      }
    });
    await cluster.waitFor(() => acknowledged.length >= 50, 30_000, 'steady writes');
    const oldPrimary = (await cluster.leader())!;
    // The whole node, Patroni with it: a postmaster killed alone is sometimes restarted in place by its own Patroni,
    // which still holds the leader key (no failover to prove); a lost node always hands over once the key expires.
    await cluster.killNode(oldPrimary);
    await cluster.waitFor(
      async () => {
        const leader = await cluster.leader();
        return leader !== undefined && leader !== oldPrimary;
      },
      60_000,
      'a new leader',
    );
    // Counted from the new leader on: writes acknowledged just before the kill landed must not stand for these.
    const failedOverAt = Date.now();
    await cluster.waitFor(
      () => acknowledged.filter((a) => a.at > failedOverAt).length >= 20,
      60_000,
      'writes acknowledged after the failover',
    );
    running = false;
    await Promise.all(loops);

    const newPrimary = await cluster.leader();
    assert.ok(newPrimary && newPrimary !== oldPrimary, `no failover: leader ${newPrimary}`);
    assert.ok(failures.length > 0, 'the kill disrupted nothing, so proves nothing');
    const notOutage = failures.filter((f) => !isDatabaseOutage(f.error)).map((f) => String(f.error));
    assert.deepEqual(notOutage, [], 'errors the API would answer other than 503');
    assert.ok(maxMs < 5_000, `an insert took ${maxMs} ms`);
    const ids = acknowledged.map((a) => a.id);
    const [row] = await query<{ n: number }>(
      cluster.url(),
      'SELECT count(*)::int AS n FROM failover_probe WHERE id = ANY($1::bigint[])',
      [ids],
    );
    assert.equal(row?.n, ids.length, 'acknowledged inserts missing on the new primary');
    const [where] = await query<{ port: number }>(cluster.url(), 'SELECT inet_server_port() AS port');
    assert.equal(where?.port, cluster.node(newPrimary).pgPort, 'HAProxy forwards to the new primary');
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await cluster.logs()}`, {
      cause: error,
    });
  } finally {
    await pool.close();
    await cluster.destroy();
  }
});
