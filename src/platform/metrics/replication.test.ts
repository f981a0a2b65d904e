import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { PrivateCluster } from '../../../test/drill/private-cluster.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { openPool } from '../db/pool.ts';
import { parseExposition, valueOf } from './exposition.test-support.ts';
import { Metrics } from './metrics.ts';

const run = promisify(execFile);
/** Debian's PostgreSQL 15 (scripts/system-packages.sh), whose pg_basebackup matches the clusters' version. */
const BIN = '/usr/lib/postgresql/15/bin';
const STANDBY = 'veza_standby_test';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** As root, PostgreSQL's programs run as the `postgres` system user (like PrivateCluster's). */
async function owner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a streaming standby: counted, its byte lag grows while its replay is paused and returns to 0 after', async () => {
  const primary = await PrivateCluster.create(await freePort(), () => ['wal_level = replica', 'max_wal_senders = 4']);
  cleanups.push(() => primary.destroy());

  // The standby: a base backup of the primary, started as a hot standby streaming from it under a known name.
  const as = await owner();
  const dir = await mkdtemp(join(tmpdir(), 'veza-standby-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  if (as) await chown(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const options = { ...(as ?? {}), cwd: dir, timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } };
  await run(
    join(BIN, 'pg_basebackup'),
    ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', data, '-X', 'stream', '--no-sync'],
    options,
  );
  const standbyPort = await freePort();
  await appendFile(
    join(data, 'postgresql.conf'),
    `\nport = ${standbyPort}\nhot_standby = on\n` +
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=${STANDBY}'\n`,
  );
  await writeFile(join(data, 'standby.signal'), '');
  if (as) {
    await chown(join(data, 'postgresql.conf'), as.uid, as.gid);
    await chown(join(data, 'standby.signal'), as.uid, as.gid);
  }
  await run(join(BIN, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'server.log')], options);
  cleanups.push(() => run(join(BIN, 'pg_ctl'), ['stop', '-m', 'immediate', '-w', '-D', data], options));

  const metrics = new Metrics();
  const pool = openPool(primary.url, {
    poolSize: 2,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 10_000,
    lockTimeoutMs: 3_000,
    prepareStatements: true,
  });
  cleanups.push(() => pool.close());
  metrics.trackReplication(pool.db);
  const scrape = async () => parseExposition(await metrics.registry.metrics());
  const lag = (families: Awaited<ReturnType<typeof scrape>>) => ({
    replicas: valueOf(families, 'veza_db_replicas'),
    bytes: valueOf(families, 'veza_db_replication_lag_bytes', { replica: STANDBY }),
    seconds: valueOf(families, 'veza_db_replication_lag_seconds', { replica: STANDBY }),
  });

  const caughtUp = await waitFor(
    async () => lag(await scrape()),
    (now) => now.replicas === 1 && now.bytes === 0,
    'the standby to stream and catch up',
  );
  assert.equal(
    caughtUp.seconds !== undefined && caughtUp.seconds >= 0,
    true,
    'a caught-up standby has a lag of 0 s or its last measure',
  );

  const standby = postgres(`postgres://postgres@127.0.0.1:${standbyPort}/postgres`, { max: 1, onnotice: () => {} });
  cleanups.push(() => standby.end());
  const writer = postgres(primary.url, { max: 1, onnotice: () => {} });
  cleanups.push(() => writer.end());
  await standby`SELECT pg_wal_replay_pause()`;
  await writer`CREATE TABLE written_while_paused AS SELECT g FROM generate_series(1, 20000) AS g`;
  const behind = await waitFor(
    async () => lag(await scrape()),
    (now) => (now.bytes ?? 0) > 0,
    'a byte lag',
  );
  assert.equal(behind.replicas, 1, 'a paused standby still streams');
  assert.equal(valueOf(await scrape(), 'veza_db_replication_readable'), 1);

  await standby`SELECT pg_wal_replay_resume()`;
  const resumed = await waitFor(
    async () => lag(await scrape()),
    (now) => now.bytes === 0,
    'the standby to catch up',
  );
  assert.ok(resumed.seconds !== undefined && resumed.seconds >= 0, JSON.stringify(resumed));
});
