// The failover drill (issue 19, ADR 0098): one `veza serve` process under a steady registration load, connected
// through HAProxy to a three-node Patroni cluster in synchronous mode, while the primary is killed. Shared by
// test/drill/failover.test.ts (one failover, in CI) and test/drill/run.ts (`npm run drill`, every scenario).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.ts';
import { Service, WriteLoad, type Outcome } from './crash-drill.ts';
import { PatroniCluster, TIMING, query } from './patroni-cluster.ts';

/**
 * - `postmaster`: kill -9 of the primary's postmaster; its Patroni lives, fails over at once
 *   (primary_start_timeout 0) and brings the old primary back as a replica.
 * - `node`: kill -9 of the primary's Patroni and postmaster (its machine lost): the others wait for the leader
 *   key to expire (ttl); then the old node's Patroni is started again, as after a reboot.
 * - `etcd`: the DCS killed for `etcdOutageMs`: Patroni demotes a primary it cannot prove is still the leader.
 */
export type ScenarioKind = 'postmaster' | 'node' | 'etcd';

export interface FailoverOptions {
  scenarios: ScenarioKind[];
  clients?: number;
  /** No response may take longer than this (ADR 0029). */
  boundMs?: number;
  etcdOutageMs?: number;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  kind: ScenarioKind;
  /** The primary before the disruption, and after it (the same for `etcd`). */
  oldPrimary: string;
  newPrimary: string | undefined;
  /**
   * Disruption → the first 2xx to a request started after it: the seconds without service. For `etcd`: the
   * primary's demotion → the first 2xx once etcd is back.
   */
  unavailableMs: number | null;
  /** Disruption → another node is the writable primary as HAProxy checks it (leader key, out of recovery). */
  promotedMs: number | null;
  /** Answers to requests started from the disruption until service came back, by status ("no answer": none). */
  statusCounts: Record<string, number>;
  /** Disruption → the old primary runs again as a replica of the new one (postmaster, node). */
  rejoinedMs: number | null;
  /** A write sent straight to the old primary once it is back: what PostgreSQL answered. */
  oldPrimaryWrite: string | null;
  /** etcd: whether the primary stopped taking writes while the DCS was gone, and how long after it went. */
  demotedWithoutDcs: boolean | null;
  demotedMs: number | null;
  /** etcd: etcd back → the first 2xx. */
  recoveredAfterDcsMs: number | null;
}

export interface FailoverResult {
  scenarios: ScenarioResult[];
  requests: number;
  statusCounts: Record<string, number>;
  /** Answers other than 2xx, 503 and 429. */
  unexpected: Array<{ status: number; body: string }>;
  /** 503 answers without a Retry-After header. */
  withoutRetryAfter: number;
  overBound: number;
  maxLatencyMs: number;
  acknowledged: number;
  /** Acknowledged registrations missing on the final primary. */
  lost: number;
  /** Times `veza serve` ended on its own: recovery must not need a restart. */
  deaths: number;
  boundMs: number;
  serveOutput: string;
  /** Distinct errors `veza serve` logged at level error (500s among them), for a failure message. */
  serveErrors: string[];
  /** Requests whose write reached a read-only node (SQLSTATE 25006) during a switch, as `veza serve` logged them. */
  readOnlyAnswers: number;
  clusterLogs: string;
}

const isOk = (status: number) => status >= 200 && status < 300;
const isAllowed = (status: number) => isOk(status) || status === 503 || status === 429;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statusKey = (status: number) => (status === 0 ? 'no answer' : String(status));

function countStatuses(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[statusKey(outcome.status)] = (counts[statusKey(outcome.status)] ?? 0) + 1;
  return counts;
}

/**
 * Collects the distinct request failures (pino level 50) `veza serve` writes, as they come: its kept output is
 * a sliding window that thousands of 503 warnings would push them out of.
 */
function watchErrors(service: Service, into: string[], counts: { readOnly: number }): void {
  let pending = '';
  const scan = (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // 25006: a write reached a node that was (still, or again) a standby; answered 503 since ADR 0098.
      if (line.includes('read-only transaction')) counts.readOnly += 1;
      if (!line.includes('"level":50')) continue;
      const error = line.replace(/"(time|reqId|pid|hostname)":[^,]*,/g, '').slice(0, 800);
      if (!into.includes(error) && into.length < 10) into.push(error);
    }
  };
  service.child?.stdout?.on('data', scan);
  service.child?.stderr?.on('data', scan);
}

/** What PostgreSQL answers to a write sent directly to `url`: 'accepted', or the error's SQLSTATE and message. */
async function tryWrite(url: string): Promise<string> {
  try {
    await query(url, 'CREATE TABLE split_brain_probe (x int)');
    // Reaching here means the old primary took a write behind the new one's back: split brain.
    return 'accepted';
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `${code ?? 'error'} ${message ?? String(error)}`;
  }
}

/** Runs the drill end to end: its own cluster and service, removed afterwards whatever happens. */
export async function runFailoverDrill(options: FailoverOptions): Promise<FailoverResult> {
  const boundMs = options.boundMs ?? 5_000;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const cluster = await PatroniCluster.start((line) => log(`cluster: ${line}`));
  log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-failover-data-'));
  let service: Service | undefined;
  let load: WriteLoad | undefined;
  try {
    await query(cluster.url(), 'CREATE DATABASE veza');
    service = new Service(await freePort(), {
      DATABASE_URL: cluster.url('veza'),
      VEZA_DATA_DIR: dataDir,
      VEZA_BCRYPT_COST: '4',
      VEZA_LOG_LEVEL: 'warn',
      VEZA_RATE_LIMITS: JSON.stringify({ register: { max: 1_000_000, window_seconds: 60 } }),
      VEZA_RATE_LIMIT_PER_MINUTE: '0',
    });
    log('starting veza serve (it migrates the new database first)');
    await service.start();
    const serveErrors: string[] = [];
    const logged = { readOnly: 0 };
    watchErrors(service, serveErrors, logged);
    load = new WriteLoad(service.baseUrl, boundMs);
    load.start(options.clients ?? 4, 30 * 60_000);
    const activeLoad = load;
    await cluster.waitFor(() => activeLoad.lastOkAt > 0, 30_000, 'a first acknowledged registration');

    const scenarios: ScenarioResult[] = [];
    for (const kind of options.scenarios) {
      // Every scenario starts from a healthy cluster: three members running, one synchronous standby.
      await cluster.waitFor(
        async () => {
          const members = await cluster.members();
          return (
            members.filter((m) => m.state === 'running').length === 3 &&
            members.some((m) => m.role === 'sync_standby') &&
            members.some((m) => m.role === 'leader')
          );
        },
        120_000,
        'a healthy cluster before the next scenario',
      );
      await sleep(3_000);
      const oldPrimary = (await cluster.leader())!;
      const result: ScenarioResult = {
        kind,
        oldPrimary,
        newPrimary: undefined,
        unavailableMs: null,
        promotedMs: null,
        statusCounts: {},
        rejoinedMs: null,
        oldPrimaryWrite: null,
        demotedWithoutDcs: null,
        demotedMs: null,
        recoveredAfterDcsMs: null,
      };
      log(`${kind}: disrupting ${oldPrimary}`);
      const disruptedAt = Date.now();
      if (kind === 'postmaster') await cluster.killPostmaster(oldPrimary);
      else if (kind === 'node') await cluster.killNode(oldPrimary);
      else await cluster.killEtcd();

      const firstOkAfter = () =>
        activeLoad.outcomes.find((o) => o.startedAt >= disruptedAt && isOk(o.status))?.endedAt ?? null;
      if (kind === 'etcd') {
        const outageMs = options.etcdOutageMs ?? (TIMING.ttl + 10) * 1_000;
        // The primary is demoted when /primary stops answering 200 on it while the DCS is gone.
        let demotedAt: number | null = null;
        while (Date.now() < disruptedAt + outageMs && demotedAt === null) {
          if ((await cluster.primaryCheck(oldPrimary)) !== 200) demotedAt = Date.now();
          else await sleep(200);
        }
        result.demotedWithoutDcs = demotedAt !== null;
        result.demotedMs = demotedAt === null ? null : demotedAt - disruptedAt;
        await sleep(Math.max(0, disruptedAt + outageMs - Date.now()));
        const restartedAt = Date.now();
        await cluster.startEtcd();
        await cluster.waitFor(
          () => activeLoad.outcomes.some((o) => o.startedAt >= restartedAt && isOk(o.status)),
          120_000,
          'service after etcd came back',
        );
        result.newPrimary = await cluster.leader();
        const firstOkAfterRestart =
          activeLoad.outcomes.find((o) => o.startedAt >= restartedAt && isOk(o.status))?.endedAt ?? null;
        // Writes stop at the demotion and resume once etcd is back and a leader is elected again.
        result.unavailableMs = firstOkAfterRestart === null ? null : firstOkAfterRestart - (demotedAt ?? restartedAt);
        result.recoveredAfterDcsMs = firstOkAfterRestart === null ? null : firstOkAfterRestart - restartedAt;
        log(
          `etcd: primary demoted ${result.demotedMs ?? 'never'} ms after etcd died; etcd back after ` +
            `${restartedAt - disruptedAt} ms; writes again ${result.recoveredAfterDcsMs} ms later`,
        );
        result.statusCounts = countStatuses(
          activeLoad.outcomes.filter(
            (o) => o.startedAt >= disruptedAt && o.startedAt <= (firstOkAfterRestart ?? Infinity),
          ),
        );
      } else {
        result.promotedMs = await cluster.waitFor(
          async () => {
            const leader = await cluster.leader();
            return leader !== undefined && leader !== oldPrimary && (await cluster.isWritablePrimary(leader));
          },
          120_000,
          'a new primary',
        );
        result.newPrimary = await cluster.leader();
        await cluster.waitFor(() => firstOkAfter() !== null, 60_000, 'service on the new primary');
        const recoveredAt = firstOkAfter()!;
        result.unavailableMs = recoveredAt - disruptedAt;
        result.statusCounts = countStatuses(
          activeLoad.outcomes.filter((o) => o.startedAt >= disruptedAt && o.startedAt <= recoveredAt),
        );
        log(
          `${kind}: ${result.newPrimary} promoted after ${result.promotedMs} ms, service back after ${result.unavailableMs} ms`,
        );
        // The old primary comes back: by itself (postmaster) or when its Patroni is started again (node).
        if (kind === 'node') await cluster.startNode(oldPrimary);
        await cluster.waitFor(
          async () => {
            const member = (await cluster.members()).find((m) => m.name === oldPrimary);
            const status = await cluster.nodeStatus(oldPrimary);
            return (
              member?.state === 'running' &&
              (member.role === 'replica' || member.role === 'sync_standby') &&
              status?.role === 'replica' &&
              (await cluster.tryQuery(cluster.nodeUrl(oldPrimary))) !== null
            );
          },
          180_000,
          `${oldPrimary} to rejoin as a replica`,
        );
        result.rejoinedMs = Date.now() - disruptedAt;
        result.oldPrimaryWrite = await tryWrite(cluster.nodeUrl(oldPrimary, 'veza'));
        log(`${kind}: ${oldPrimary} rejoined after ${result.rejoinedMs} ms; a write to it: ${result.oldPrimaryWrite}`);
      }
      scenarios.push(result);
    }
    await sleep(2_000);
    await load.stop();

    const outcomes = load.outcomes;
    const acknowledged = outcomes.flatMap((o) => (o.username ? [o.username] : []));
    const [found] = await query<{ n: number }>(
      cluster.url('veza'),
      'SELECT count(*)::int AS n FROM users WHERE username = ANY($1::text[])',
      [acknowledged],
    );
    const deathsDuringRun = service.deaths;
    const exitCode = await service.stop();
    return {
      scenarios,
      requests: outcomes.length,
      statusCounts: countStatuses(outcomes),
      unexpected: outcomes
        .filter((o) => !isAllowed(o.status))
        .slice(0, 10)
        .map((o) => ({ status: o.status, body: o.body.slice(0, 300) })),
      withoutRetryAfter: outcomes.filter((o) => o.status === 503 && !o.retryAfter).length,
      overBound: outcomes.filter((o) => o.endedAt - o.startedAt > boundMs || o.status === 0).length,
      maxLatencyMs: Math.max(0, ...outcomes.map((o) => o.endedAt - o.startedAt)),
      acknowledged: acknowledged.length,
      lost: acknowledged.length - (found?.n ?? 0),
      deaths: deathsDuringRun + (exitCode === 0 ? 0 : 1),
      boundMs,
      serveOutput: service.output.slice(-4_000),
      serveErrors,
      readOnlyAnswers: logged.readOnly,
      clusterLogs: await cluster.logs(15),
    };
  } catch (error) {
    const logs = await cluster.logs();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${service?.output ?? ''}\n${logs}`, {
      cause: error,
    });
  } finally {
    await load?.stop();
    await service?.stop();
    await cluster.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The summary `npm run drill` prints: one row per scenario, then the totals. */
export function failoverTable(result: FailoverResult): string {
  const seconds = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(1));
  const rows = [
    '| scenario | primary → new | without service (s) | promoted (s) | old primary back as replica (s) | answers meanwhile | write to old primary / etcd |',
    '|---|---|---:|---:|---:|---|---|',
    ...result.scenarios.map(
      (s) =>
        `| ${s.kind} | ${s.oldPrimary} → ${s.newPrimary ?? '?'} | ${seconds(s.unavailableMs)} | ${seconds(s.promotedMs)} | ` +
        `${seconds(s.rejoinedMs)} | ${JSON.stringify(s.statusCounts)} | ` +
        `${s.kind === 'etcd' ? `demoted ${seconds(s.demotedMs)} s after etcd died; writes ${seconds(s.recoveredAfterDcsMs)} s after it returned` : (s.oldPrimaryWrite ?? '–').slice(0, 60)} |`,
    ),
  ];
  const totals = [
    `process deaths (restarts needed): ${result.deaths}`,
    `acknowledged writes: ${result.acknowledged}, missing on the final primary: ${result.lost}`,
    `answers other than 2xx/503/429: ${result.unexpected.length}; 503 without Retry-After: ${result.withoutRetryAfter}`,
    `writes that reached a read-only node mid-switch (25006, answered 503): ${result.readOnlyAnswers}`,
    `requests over the ${result.boundMs} ms bound: ${result.overBound} (max latency ${result.maxLatencyMs} ms)`,
    `status counts: ${JSON.stringify(result.statusCounts)}`,
  ];
  return [...rows, '', ...totals].join('\n');
}

/** What makes the drill fail, one line each; empty when it passed. */
export function failoverFailures(result: FailoverResult): string[] {
  const failures: string[] = [];
  if (result.deaths > 0) failures.push(`veza serve died or did not stop cleanly ${result.deaths} time(s)`);
  if (result.acknowledged === 0) failures.push('no write was acknowledged');
  if (result.lost > 0) failures.push(`${result.lost} acknowledged writes are missing on the final primary`);
  if (result.unexpected.length > 0)
    failures.push(`answers other than 2xx/503/429: ${JSON.stringify(result.statusCounts)}`);
  if (result.withoutRetryAfter > 0) failures.push(`${result.withoutRetryAfter} answers 503 without Retry-After`);
  if (result.overBound > 0) failures.push(`${result.overBound} requests over ${result.boundMs} ms or unanswered`);
  for (const scenario of result.scenarios) {
    if (scenario.unavailableMs === null) failures.push(`${scenario.kind}: service never came back`);
    if (scenario.kind === 'etcd') continue;
    if (scenario.rejoinedMs === null) failures.push(`${scenario.kind}: the old primary never rejoined`);
    // 25006 read_only_sql_transaction: the old primary came back as a standby and refused the write.
    if (!scenario.oldPrimaryWrite?.startsWith('25006'))
      failures.push(
        `${scenario.kind}: a write to the old primary was answered ${scenario.oldPrimaryWrite ?? 'nothing'}`,
      );
  }
  return failures;
}
