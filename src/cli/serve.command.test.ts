import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import postgres from 'postgres';
import { lifecycleJobs } from '../lifecycle/lifecycle-jobs.ts';
import { listMigrationFiles } from '../platform/db/migrations.ts';
import { projectRoot } from '../platform/project-root.ts';
import { dropDatabase, emptyDatabase } from '../../test/helpers/database.ts';
import { freePort } from '../../test/helpers/free-port.ts';

const latest = listMigrationFiles().at(-1)?.version ?? 0;
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Served {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `veza serve` as a user would, and waits until it says it listens. */
async function startServe(env: Record<string, string>): Promise<Served> {
  const httpPort = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: { ...inherited, VEZA_HTTP_PORT: String(httpPort), VEZA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('veza listening on')) {
    if (child.exitCode !== null) throw new Error(`veza serve exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`veza serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, baseUrl: `http://127.0.0.1:${httpPort}`, output: () => output, exited };
}

/** Direct children of a process (Linux). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function statusOnNewConnection(url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    }).on('error', reject);
  });
}

async function json(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('veza serve', () => {
  test('on the embedded default: starts PostgreSQL 15, migrates, is ready, stops cleanly on SIGTERM, restarts on the same data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veza-serve-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { VEZA_DATA_DIR: dataDir, VEZA_EMBEDDED_PG_PORT: String(await freePort()) };

    const first = await startServe(env);
    assert.deepEqual(await json(`${first.baseUrl}/healthz`), { status: 200, body: { status: 'ok' } });
    assert.deepEqual(await json(`${first.baseUrl}/readyz`), {
      status: 200,
      body: { status: 'ready', database: 'reachable', migrations: { current: latest, latest } },
    });
    const version = await readFile(join(dataDir, 'postgres', 'PG_VERSION'), 'utf8');
    assert.equal(version.trim(), '15');

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());
    assert.equal(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL was shut down');

    const second = await startServe(env);
    assert.doesNotMatch(second.output(), /applied \d+ migration/, 'the second start finds the schema up to date');
    assert.equal((await json(`${second.baseUrl}/readyz`)).status, 200);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0, second.output());
  });

  test('runs every maintenance job on its schedule: the schedules are registered in the database at start', async () => {
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const served = await startServe({
      DATABASE_URL: database.url,
      VEZA_JOB_SCHEDULES: '{"retention.sessions": "0 5 * * *"}',
    });
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const schedules = await sql`SELECT name, cron FROM pgboss.schedule ORDER BY name`;
      assert.deepEqual(
        schedules.map((row) => row.name),
        lifecycleJobs.map((job) => job.name).sort(),
      );
      assert.equal(
        schedules.find((row) => row.name === 'retention.sessions')?.cron,
        '0 5 * * *',
        'configured cron wins',
      );
    } finally {
      await sql.end();
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0);
    }
  });

  test('with VEZA_WORKERS=2: one primary migrates and schedules, two workers share the port, all stop together', async () => {
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const served = await startServe({ DATABASE_URL: database.url, VEZA_WORKERS: '2', VEZA_LOG_LEVEL: 'info' });
    // On a failed assertion, the cluster must not outlive the test (its workers follow the primary).
    cleanups.push(async () => {
      if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
      await served.exited;
    });
    assert.match(served.output(), /veza listening on \S+ \(2 workers\)/);
    assert.equal((served.output().match(/applied \d+ migration/g) ?? []).length, 1, 'migrated once');
    const workers = childrenOf(served.child.pid!);
    assert.equal(workers.length, 2, served.output());

    // A new connection per request: the primary deals connections to the workers in turn.
    for (let index = 0; index < 10; index += 1)
      assert.equal(await statusOnNewConnection(`${served.baseUrl}/readyz`), 200);
    const servingPids = () =>
      new Set(
        served
          .output()
          .split('\n')
          .filter((line) => line.includes('"request completed"') && line.includes('"/readyz"'))
          .map((line) => (JSON.parse(line) as { pid: number }).pid),
      );
    // Request lines are buffered for up to a quarter of a second.
    const deadline = Date.now() + 5_000;
    while (servingPids().size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([...servingPids()].sort(), [...workers].sort());

    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [{ count }] = (await sql`SELECT count(*)::int AS count FROM pgboss.schedule`) as unknown as [
        { count: number },
      ];
      assert.equal(count, lifecycleJobs.length, 'the primary registered the schedules');
    } finally {
      await sql.end();
    }
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0, served.output());
    for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} stopped`);
  });

  test('with VEZA_WORKERS=2, workers whose primary is killed outright stop serving', async () => {
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const served = await startServe({ DATABASE_URL: database.url, VEZA_WORKERS: '2', VEZA_JOBS_ENABLED: 'false' });
    const workers = childrenOf(served.child.pid!);
    assert.equal(workers.length, 2);
    served.child.kill('SIGKILL');
    await served.exited;
    const deadline = Date.now() + 15_000;
    while (workers.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(workers.filter(isAlive), [], 'no orphan worker');
  });

  test('with VEZA_MIGRATE_ON_START=false on an empty database, /readyz answers 503 with the versions', async () => {
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const served = await startServe({
      DATABASE_URL: database.url,
      VEZA_MIGRATE_ON_START: 'false',
      VEZA_JOBS_ENABLED: 'false',
    });
    assert.deepEqual(await json(`${served.baseUrl}/readyz`), {
      status: 503,
      body: { status: 'not_ready', database: 'reachable', migrations: { current: 0, latest } },
    });
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
  });

  test('one log format: start-up and migration lines are pino JSON like the request lines', async () => {
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const served = await startServe({ DATABASE_URL: database.url, VEZA_JOBS_ENABLED: 'false' });
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
    const lines = served
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    const notJson = lines.filter((line) => {
      try {
        return typeof (JSON.parse(line) as { msg?: unknown }).msg !== 'string';
      } catch {
        return true;
      }
    });
    assert.deepEqual(notJson, [], 'every line is a pino JSON object with a msg');
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.ok(messages.some((msg) => msg.startsWith('veza listening on')));
    assert.ok(
      messages.some((msg) => /migration/i.test(msg) && !msg.startsWith('applied')),
      'node-pg-migrate too',
    );
  });

  test('a busy port names the variables that change it', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => busy.close(() => resolve())));
    const port = (busy.address() as { port: number }).port;
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const database = await emptyDatabase();
    cleanups.push(() => dropDatabase(database));
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
      env: {
        ...inherited,
        DATABASE_URL: database.url,
        VEZA_HTTP_PORT: String(port),
        VEZA_MIGRATE_ON_START: 'false',
        VEZA_JOBS_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(stderr, /set VEZA_HTTP_PORT to a free port, or VEZA_HTTP_HOST to another address/);
  });
});
