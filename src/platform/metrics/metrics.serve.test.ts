import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lifecycleJobs } from '../../lifecycle/lifecycle-jobs.ts';
import { startService } from '../../main.ts';
import { testConfig } from '../../../test/helpers/app.ts';
import { projectRoot } from '../project-root.ts';
import { dropDatabase, migratedDatabase } from '../../../test/helpers/database.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { parseExposition, sumOf, valueOf, type Family } from './exposition.test-support.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A request on a connection of its own, so that the cluster hands successive requests to different workers. */
function statusOnNewConnection(url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    }).on('error', reject);
  });
}

function labelValues(families: Map<string, Family>, name: string, label: string): string[] {
  const family = families.get(name);
  return [...new Set((family?.samples ?? []).map((sample) => sample.labels[label] ?? '(none)'))].sort();
}

test('veza serve with 2 workers: the primary serves every process’s metrics, each under its worker slot, and a replaced worker keeps its slot', async () => {
  const database = await migratedDatabase();
  cleanups.push(() => dropDatabase(database));
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-metrics-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const [httpPort, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      VEZA_DATA_DIR: dataDir,
      VEZA_HTTP_PORT: String(httpPort),
      VEZA_METRICS_PORT: String(metricsPort),
      VEZA_WORKERS: '2',
      VEZA_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    return Promise.resolve();
  });
  const waitFor = async (check: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 90_000;
    while (!(await check())) {
      if (child.exitCode !== null) throw new Error(`veza serve exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await waitFor(() => output.includes(`metrics on http://127.0.0.1:${metricsPort}/metrics`), 'the metrics listener');

  const base = `http://127.0.0.1:${httpPort}`;
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(response.status, 200);
    return parseExposition(await response.text());
  };
  const healthz = (families: Map<string, Family>, worker?: string) =>
    sumOf(families, 'veza_http_request_duration_seconds_count', {
      route: '/healthz',
      status_code: '200',
      ...(worker === undefined ? {} : { worker }),
    });

  const REQUESTS = 20;
  for (let index = 0; index < REQUESTS; index += 1) assert.equal(await statusOnNewConnection(`${base}/healthz`), 200);
  assert.equal(await statusOnNewConnection(`${base}/metrics`), 404, 'the API port serves no metrics');

  let families = await scrape();
  assert.equal(healthz(families), REQUESTS, 'every request counted once, whichever worker served it');
  assert.deepEqual(
    labelValues(families, 'veza_http_request_duration_seconds', 'worker'),
    ['0', '1'].filter((w) => healthz(families, w) > 0),
  );
  assert.deepEqual(labelValues(families, 'process_cpu_user_seconds_total', 'worker'), ['0', '1', 'primary']);
  assert.deepEqual(labelValues(families, 'veza_db_pool_max_connections', 'worker'), ['0', '1', 'primary']);
  assert.equal(valueOf(families, 'veza_db_pool_max_connections', { worker: '0' }), 10);
  assert.equal(valueOf(families, 'veza_db_pool_max_connections', { worker: 'primary' }), 2);
  // Replication is read once, by the primary; the jobs run there too.
  assert.deepEqual(labelValues(families, 'veza_db_replicas', 'worker'), ['primary']);
  assert.equal(valueOf(families, 'veza_db_replicas'), 0);
  for (const job of lifecycleJobs) {
    assert.equal(valueOf(families, 'veza_job_runs_total', { job: job.name, status: 'failed', worker: 'primary' }), 0);
  }
  assert.deepEqual(labelValues(families, 'veza_websocket_connections', 'worker'), ['0', '1', 'primary']);
  assert.equal(sumOf(families, 'veza_websocket_connections'), 0);

  // A worker killed outright is replaced under the same slot: its counters start again from zero there, which
  // Prometheus reads as a reset of that series, and the other worker's series are untouched.
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.equal(children.length, 2, 'two workers');
  const slotOf = (pid: number) =>
    /(?:^|\0)VEZA_WORKER_SLOT=(\d+)(?:\0|$)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1] ?? '';
  const victim = children[0] ?? 0;
  const victimSlot = slotOf(victim);
  const otherSlot = victimSlot === '0' ? '1' : '0';
  const otherBefore = healthz(families, otherSlot);
  process.kill(victim, 'SIGKILL');
  await waitFor(async () => {
    const now = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    if (now.length !== 2 || now.includes(victim)) return false;
    families = await scrape();
    return labelValues(families, 'process_cpu_user_seconds_total', 'worker').join() === '0,1,primary';
  }, 'the replacement worker');
  const replacement = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number)
    .find((pid) => pid !== victim && !children.includes(pid));
  assert.equal(slotOf(replacement ?? 0), victimSlot, 'the replacement took the dead worker’s slot');
  assert.equal(healthz(families, victimSlot), 0);
  assert.equal(healthz(families, otherSlot), otherBefore);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});

test('one process: startService serves its metrics on VEZA_METRICS_PORT, without a worker label, jobs and replication included', async () => {
  const database = await migratedDatabase();
  cleanups.push(() => dropDatabase(database));
  const metricsPort = await freePort();
  const service = await startService(
    testConfig(database.url, {
      VEZA_HTTP_PORT: '0',
      VEZA_METRICS_PORT: String(metricsPort),
      VEZA_JOBS_ENABLED: 'true',
      VEZA_MIGRATE_ON_START: 'false',
    }),
    () => {},
  );
  let stopped = false;
  cleanups.push(() => (stopped ? Promise.resolve() : service.stop()));
  assert.equal(service.metricsUrl, `http://127.0.0.1:${metricsPort}`);
  for (let index = 0; index < 4; index += 1) assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${service.url}/metrics`)).status, 404, 'the API port serves no metrics');

  const families = parseExposition(await (await fetch(`${service.metricsUrl}/metrics`)).text());
  assert.equal(
    valueOf(families, 'veza_http_request_duration_seconds_count', {
      method: 'GET',
      route: '/healthz',
      status_code: '200',
    }),
    4,
  );
  assert.deepEqual(labelValues(families, 'process_cpu_user_seconds_total', 'worker'), ['(none)']);
  for (const job of lifecycleJobs) {
    assert.equal(valueOf(families, 'veza_job_runs_total', { job: job.name, status: 'failed' }), 0, job.name);
  }
  assert.equal(valueOf(families, 'veza_db_replicas'), 0);
  assert.equal(valueOf(families, 'veza_db_pool_max_connections'), 10);
  stopped = true;
  await service.stop();
  await assert.rejects(fetch(`${service.metricsUrl}/metrics`), 'the listener stops with the service');
});
