// The crash drill (issue 11, ADR 0029): a real `veza serve` under a steady write load while its PostgreSQL is
// crashed and restarted, or while its pool's connections are killed mid-transaction. Shared by
// test/drill/crash-drill.test.ts (a short run in CI) and test/drill/run.ts (`npm run drill`, the full one).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../src/platform/project-root.ts';
import { freePort } from '../helpers/free-port.ts';
import { PrivateCluster } from './private-cluster.ts';

export type DisruptionKind = 'crash' | 'terminate';

export interface DrillOptions {
  /** Crash cycles: `pg_ctl stop -m immediate`, down for `outageMs`, started again. */
  crashCycles: number;
  /** Terminate cycles: `pg_terminate_backend` on the service's connections that are inside a transaction. */
  terminateCycles: number;
  /** No response may take longer than this (ADR 0029). */
  boundMs?: number;
  /** How long the cluster stays down in a crash cycle. */
  outageMs?: number;
  /** Concurrent request loops. */
  clients?: number;
  log?: (line: string) => void;
}

export interface CycleResult {
  kind: DisruptionKind;
  cycle: number;
  /** Requests started during this cycle, and their answers. */
  requests: number;
  ok: number;
  unavailable: number;
  /** PostgreSQL back (pg_ctl start returned, or the kill done) → first 2xx. */
  recoveryMs: number | null;
  /** PostgreSQL back → /readyz answers 200 (crash cycles). */
  readyMs: number | null;
  /** /readyz while the cluster is down: its status and how long it took (crash cycles). */
  readyzDuringOutage: { status: number; ms: number } | null;
  /** Terminate cycles: backends killed, and how many of them were between statements of an open transaction. */
  killed: number;
  killedIdleInTransaction: number;
}

export interface DrillResult {
  cycles: CycleResult[];
  requests: number;
  statusCounts: Record<string, number>;
  /** Answers other than 2xx, 503 (and 429, should a rate limit apply): each is a failure of the drill. */
  unexpected: Array<{ status: number; body: string }>;
  /** Requests that took longer than the bound, or never answered within it. */
  overBound: number;
  maxLatencyMs: number;
  /** Non-2xx answers to requests started after the service had answered 2xx again following a disruption. */
  afterRecoveryFailures: number;
  acknowledged: number;
  /** Acknowledged (2xx) registrations whose account is missing from the database afterwards. */
  lost: number;
  /** Times the `veza serve` process ended on its own. */
  deaths: number;
  boundMs: number;
  /** The last lines `veza serve` wrote, for a failure message. */
  serveOutput: string;
}

export interface Outcome {
  startedAt: number;
  endedAt: number;
  status: number;
  body: string;
  /** The username of an acknowledged registration: the API answers 202 without an id (ADR 0033). */
  username?: string;
  /** The Retry-After header of a non-2xx answer, if any. */
  retryAfter?: string;
}

const isOk = (status: number) => status >= 200 && status < 300;
const isAllowed = (status: number) => isOk(status) || status === 503 || status === 429;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

const OUTPUT_LIMIT = 20_000;

/** `veza serve` as an operator runs it, against the drill's cluster; restarted if it dies so the count goes on. */
export class Service {
  child: ChildProcess | undefined;
  deaths = 0;
  output = '';
  readonly baseUrl: string;
  private stopping = false;
  private readonly env: Record<string, string>;

  constructor(port: number, env: Record<string, string>) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.env = { ...env, VEZA_HTTP_PORT: String(port) };
  }

  async start(): Promise<void> {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
      env: { ...inherited, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const listening = new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
        if (this.output.includes('veza listening on')) resolve();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.deaths += 1;
        reject(new Error(`veza serve exited (${code ?? signal}):\n${this.output}`));
      });
    });
    listening.catch(() => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    try {
      await listening;
    } finally {
      clearTimeout(timer);
    }
    this.output = '';
    child.once('exit', () => {
      // Restarting in the background keeps the load going, so every death is counted, not just the first.
      if (!this.stopping) void this.start().catch(() => {});
    });
  }

  /** SIGTERM, as an operator stops it; resolves with its exit code. */
  async stop(): Promise<number | null> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Concurrent loops of registrations through the HTTP API, each request timed against the bound. */
export class WriteLoad {
  readonly outcomes: Outcome[] = [];
  lastOkAt = 0;
  private running = true;
  private loops: Promise<void>[] = [];
  private sequence = 0;
  private readonly tag = randomBytes(4).toString('hex');
  private readonly baseUrl: string;
  private readonly boundMs: number;

  constructor(baseUrl: string, boundMs: number) {
    this.baseUrl = baseUrl;
    this.boundMs = boundMs;
  }

  start(clients: number, maxDurationMs: number): void {
    const deadline = Date.now() + maxDurationMs;
    this.loops = Array.from({ length: clients }, async () => {
      while (this.running && Date.now() < deadline) {
        await this.registerOne();
        // A steady load, not a flood: the machine is shared, and the drill is about errors, not throughput.
        await sleep(10);
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async registerOne(): Promise<void> {
    this.sequence += 1;
    const username = `drill_${this.tag}_${this.sequence}`;
    const startedAt = Date.now();
    let status = 0;
    let body: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(`${this.baseUrl}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${username}@drill.example`,
          username,
          password: `crash-drill-${randomBytes(6).toString('hex')}`,
          data_processing_consent: true,
        }),
        // Past the bound the request counts as over it anyway; this only keeps a hang from stalling the drill.
        signal: AbortSignal.timeout(this.boundMs + 2_000),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      body = await response.text();
    } catch (error) {
      body = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const endedAt = Date.now();
    const outcome: Outcome = { startedAt, endedAt, status, body };
    if (retryAfter !== null) outcome.retryAfter = retryAfter;
    if (isOk(status)) {
      outcome.username = username;
      this.lastOkAt = Math.max(this.lastOkAt, endedAt);
    }
    this.outcomes.push(outcome);
  }
}

async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - startedAt };
  } catch {
    return { status: 0, ms: Date.now() - startedAt };
  }
}

async function adminQuery<Row extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Runs the drill end to end: its own cluster and service, removed afterwards whatever happens. */
export async function runCrashDrill(options: DrillOptions): Promise<DrillResult> {
  const boundMs = options.boundMs ?? 5_000;
  const outageMs = options.outageMs ?? 2_000;
  const log = options.log ?? (() => {});
  const cluster = await PrivateCluster.create(await freePort());
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-drill-data-'));
  let service: Service | undefined;
  let load: WriteLoad | undefined;
  try {
    await adminQuery(cluster.url, 'CREATE DATABASE veza');
    const databaseUrl = cluster.url.replace(/\/postgres$/, '/veza');
    service = new Service(await freePort(), {
      DATABASE_URL: databaseUrl,
      VEZA_DATA_DIR: dataDir,
      VEZA_BCRYPT_COST: '4',
      VEZA_LOG_LEVEL: 'warn',
      // The load registers far faster than a person may (ADR 0034's limits); the drill is about the database.
      VEZA_RATE_LIMITS: JSON.stringify({ register: { max: 1_000_000, window_seconds: 60 } }),
      VEZA_RATE_LIMIT_PER_MINUTE: '0',
    });
    log('starting veza serve (it migrates the new database first)');
    await service.start();
    const activeService = service;

    load = new WriteLoad(service.baseUrl, boundMs);
    const perCycleMs = outageMs + 15_000;
    load.start(options.clients ?? 4, (options.crashCycles + options.terminateCycles + 1) * perCycleMs + 60_000);
    const activeLoad = load;
    if (!(await waitUntil(() => activeLoad.lastOkAt > 0, 30_000))) {
      const seen = activeLoad.outcomes.slice(0, 3).map((o) => `${o.status} ${o.body.slice(0, 300)}`);
      throw new Error(`no registration succeeded before the first disruption:\n${seen.join('\n')}\n${service.output}`);
    }

    const cycles: CycleResult[] = [];
    // When each disruption began, and when PostgreSQL was back from it.
    const disruptions: Array<{ startedAt: number; backAt: number }> = [];
    const plan: DisruptionKind[] = [
      ...Array<DisruptionKind>(options.crashCycles).fill('crash'),
      ...Array<DisruptionKind>(options.terminateCycles).fill('terminate'),
    ];
    const cycleStarts: number[] = [];
    for (const [index, kind] of plan.entries()) {
      cycleStarts.push(Date.now());
      // Steady load first, so each disruption lands on a service that is busy writing.
      await sleep(2_000);
      const result: CycleResult = {
        kind,
        cycle: index + 1,
        requests: 0,
        ok: 0,
        unavailable: 0,
        recoveryMs: null,
        readyMs: null,
        readyzDuringOutage: null,
        killed: 0,
        killedIdleInTransaction: 0,
      };
      let backAt: number;
      const disruptedAt = Date.now();
      if (kind === 'crash') {
        await cluster.crash();
        result.readyzDuringOutage = await timedGet(`${activeService.baseUrl}/readyz`);
        await sleep(outageMs);
        await cluster.start();
        backAt = Date.now();
      } else {
        // Retried briefly: the load keeps a transaction open most of the time, but not at every instant.
        for (let attempt = 0; attempt < 100 && result.killed === 0; attempt += 1) {
          const killed = await adminQuery<{ state: string }>(
            databaseUrl,
            `SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'veza-core'
               AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
          );
          result.killed += killed.length;
          result.killedIdleInTransaction += killed.filter((row) => row.state === 'idle in transaction').length;
          if (result.killed === 0) await sleep(10);
        }
        backAt = Date.now();
      }
      disruptions.push({ startedAt: disruptedAt, backAt });
      const readiness = (async () => {
        for (let attempt = 0; kind === 'crash' && attempt < 300 && result.readyMs === null; attempt += 1) {
          if ((await timedGet(`${activeService.baseUrl}/readyz`)).status === 200) result.readyMs = Date.now() - backAt;
          else await sleep(50);
        }
      })();
      if (await waitUntil(() => activeLoad.lastOkAt >= backAt, 30_000))
        result.recoveryMs = activeLoad.lastOkAt - backAt;
      await readiness;
      cycles.push(result);
      log(`${kind} cycle ${result.cycle}: recovery ${result.recoveryMs ?? 'never'} ms`);
    }
    await sleep(1_000);
    await load.stop();

    const outcomes = load.outcomes;
    // A cycle's requests: from its steady start to the next cycle's.
    for (const [i, cycle] of cycles.entries()) {
      const inCycle = outcomes.filter(
        (o) => o.startedAt >= cycleStarts[i]! && o.startedAt < (cycleStarts[i + 1] ?? Infinity),
      );
      cycle.requests = inCycle.length;
      cycle.ok = inCycle.filter((o) => isOk(o.status)).length;
      cycle.unavailable = inCycle.filter((o) => o.status === 503).length;
    }
    const statusCounts: Record<string, number> = {};
    for (const outcome of outcomes) {
      const key = outcome.status === 0 ? 'no answer' : String(outcome.status);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
    }
    // A poisoned connection shows as a failure after recovery: a request started once the service had answered
    // 2xx again, and finished before the next disruption began.
    const afterRecoveryFailures = outcomes.filter((o) => {
      if (isOk(o.status)) return false;
      return disruptions.some(({ backAt }, i) => {
        const recoveredAt = outcomes.find((r) => isOk(r.status) && r.endedAt >= backAt)?.endedAt;
        const nextStartedAt = disruptions[i + 1]?.startedAt ?? Infinity;
        return recoveredAt !== undefined && o.startedAt > recoveredAt && o.endedAt < nextStartedAt;
      });
    }).length;

    const acknowledged = outcomes.flatMap((o) => (o.username ? [o.username] : []));
    const [found] = await adminQuery<{ n: number }>(
      databaseUrl,
      'SELECT count(*)::int AS n FROM users WHERE username = ANY($1::text[])',
      [acknowledged],
    );
    const deathsDuringRun = service.deaths;
    const exitCode = await service.stop();
    return {
      cycles,
      requests: outcomes.length,
      statusCounts,
      unexpected: outcomes
        .filter((o) => !isAllowed(o.status))
        .slice(0, 10)
        .map((o) => ({ status: o.status, body: o.body.slice(0, 300) })),
      overBound: outcomes.filter((o) => o.endedAt - o.startedAt > boundMs || o.status === 0).length,
      maxLatencyMs: Math.max(0, ...outcomes.map((o) => o.endedAt - o.startedAt)),
      afterRecoveryFailures,
      acknowledged: acknowledged.length,
      lost: acknowledged.length - (found?.n ?? 0),
      // A non-zero exit on SIGTERM at the end is a failure too: the process did not stop cleanly.
      deaths: deathsDuringRun + (exitCode === 0 ? 0 : 1),
      boundMs,
      serveOutput: service.output.slice(-4_000),
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await cluster.logTail()}`, {
      cause: error,
    });
  } finally {
    await load?.stop();
    await service?.stop();
    await cluster.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The summary `npm run drill` prints: one row per cycle, then the totals the ADR records. */
export function summaryTable(result: DrillResult): string {
  const recoveries = result.cycles
    .filter((c) => c.kind === 'crash' && c.recoveryMs !== null)
    .map((c) => c.recoveryMs!)
    .sort((a, b) => a - b);
  const middle = recoveries.length / 2;
  const median = recoveries.length ? (recoveries[Math.ceil(middle) - 1]! + recoveries[Math.floor(middle)]!) / 2 : null;
  const rows = [
    '| cycle | kind | requests | 2xx | 503 | recovery (ms) | ready (ms) | /readyz while down | killed (idle in tx) |',
    '|---:|---|---:|---:|---:|---:|---:|---|---:|',
    ...result.cycles.map(
      (c) =>
        `| ${c.cycle} | ${c.kind} | ${c.requests} | ${c.ok} | ${c.unavailable} | ${c.recoveryMs ?? 'never'} | ` +
        `${c.readyMs ?? '–'} | ${c.readyzDuringOutage ? `${c.readyzDuringOutage.status} in ${c.readyzDuringOutage.ms} ms` : '–'} | ` +
        `${c.kind === 'terminate' ? `${c.killed} (${c.killedIdleInTransaction})` : '–'} |`,
    ),
  ];
  const totals = [
    `process deaths: ${result.deaths}`,
    `acknowledged writes: ${result.acknowledged}, missing afterwards: ${result.lost}`,
    `responses other than 2xx/503/429: ${result.unexpected.length}`,
    `requests over the ${result.boundMs} ms bound: ${result.overBound} (max latency ${result.maxLatencyMs} ms)`,
    `non-2xx after recovery: ${result.afterRecoveryFailures}`,
    `crash recovery (PostgreSQL back → first 2xx): median ${median ?? '–'} ms, max ${recoveries.at(-1) ?? '–'} ms`,
    `status counts: ${JSON.stringify(result.statusCounts)}`,
  ];
  return [...rows, '', ...totals].join('\n');
}
