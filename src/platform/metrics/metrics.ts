// What one process measures for Prometheus (ADR 0089): HTTP latency per route pattern, the pool, the jobs, the chat
// WebSockets, replication, and prom-client's default process metrics. Each process has its own registry; with
// VEZA_WORKERS > 1 every series carries a `worker` label and the primary serves them all (cluster-metrics.ts).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type pg from 'pg';
import type { Database } from '../db/pool.ts';
import { replicationStatus, type ReplicaLag, type ReplicationStatus } from './replication.ts';

export interface MetricsOptions {
  /**
   * This process's place among the cluster's: a worker's slot ("0", "1", …, reused by the worker that replaces it) or
   * "primary". Unset in a single-process service, whose series then carry no `worker` label.
   */
  worker?: string | undefined;
}

/** Seconds; from a cached /healthz (under a millisecond) to a request held by the 10 s statement timeout. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; a free connection is handed over in microseconds, VEZA_DB_CONNECT_TIMEOUT_MS (2 s) ends the wait. */
const ACQUIRE_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
/** Seconds; maintenance jobs take from a few milliseconds to the better part of an hour at scale. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** The HTTP methods a route can be declared with; anything else a client sends is counted as OTHER. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Route label of a request no route matched (404s, and requests refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

export class Metrics {
  readonly registry = new Registry();
  readonly #httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly #acquireWait: Histogram;
  readonly #acquireFailures: Counter;
  readonly #jobRuns: Counter<'job' | 'status'>;
  readonly #jobDuration: Histogram<'job'>;
  readonly #jobLastSuccess: Gauge<'job'>;
  readonly #pools = new Set<pg.Pool>();
  readonly #webSocketCounts = new Set<() => number>();
  #replicationTracked = false;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.worker !== undefined) this.registry.setDefaultLabels({ worker: options.worker });
    collectDefaultMetrics({ register: this.registry });

    this.#httpDuration = new Histogram({
      name: 'veza_http_request_duration_seconds',
      help: 'Time from request received to response sent, by route pattern (never the raw URL) and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });

    const pools = this.#pools;
    const poolGauge = (name: string, help: string, read: (pool: pg.Pool) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          let sum = 0;
          for (const pool of pools) sum += read(pool);
          this.set(sum);
        },
      });
    poolGauge('veza_db_pool_connections', 'Connections the pool holds open (in use or idle)', (p) => p.totalCount);
    poolGauge('veza_db_pool_idle_connections', 'Open connections nobody is using', (p) => p.idleCount);
    poolGauge(
      'veza_db_pool_waiting_clients',
      'Checkouts waiting for a connection because all are in use',
      (p) => p.waitingCount,
    );
    poolGauge('veza_db_pool_max_connections', 'The pool size (VEZA_DB_POOL_SIZE)', (p) => p.options.max ?? 10);
    this.#acquireWait = new Histogram({
      name: 'veza_db_pool_acquire_seconds',
      help: 'Time a query waited for a pooled connection (successful checkouts)',
      buckets: ACQUIRE_BUCKETS,
      registers,
    });
    this.#acquireFailures = new Counter({
      name: 'veza_db_pool_acquire_failures_total',
      help: 'Checkouts that got no connection (timed out waiting, or the database refused to connect)',
      registers,
    });

    this.#jobRuns = new Counter({
      name: 'veza_job_runs_total',
      help: 'Scheduled maintenance job runs by job name and outcome (succeeded or failed)',
      labelNames: ['job', 'status'],
      registers,
    });
    this.#jobDuration = new Histogram({
      name: 'veza_job_duration_seconds',
      help: 'Duration of scheduled maintenance job runs',
      labelNames: ['job'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.#jobLastSuccess = new Gauge({
      name: 'veza_job_last_success_timestamp_seconds',
      help: 'Unix time at which the last successful run of the job ended (absent until one has)',
      labelNames: ['job'],
      registers,
    });

    const webSocketCounts = this.#webSocketCounts;
    new Gauge({
      name: 'veza_websocket_connections',
      help: 'Chat WebSocket connections open on this process, authenticated or not yet',
      registers,
      collect() {
        let sum = 0;
        for (const count of webSocketCounts) sum += count();
        this.set(sum);
      },
    });
  }

  /** One HTTP response. `route` is the route's declared pattern, or undefined when no route matched. */
  observeHttpRequest(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.#httpDuration.observe(
      {
        method: KNOWN_METHODS.has(method) ? method : 'OTHER',
        route: route ?? UNMATCHED_ROUTE,
        status_code: String(statusCode),
      },
      seconds,
    );
  }

  /** PoolOptions.onAcquire: the pool's checkouts. */
  readonly observePoolAcquire = (waitSeconds: number, acquired: boolean): void => {
    if (acquired) this.#acquireWait.observe(waitSeconds);
    else this.#acquireFailures.inc();
  };

  /** Counts the pool in the veza_db_pool_* gauges until the returned function is called. */
  trackPool(pool: pg.Pool): () => void {
    this.#pools.add(pool);
    return () => this.#pools.delete(pool);
  }

  /** Adds `count()` (a gateway's open connections) to veza_websocket_connections until the returned function runs. */
  trackWebSocketConnections(count: () => number): () => void {
    this.#webSocketCounts.add(count);
    return () => this.#webSocketCounts.delete(count);
  }

  /**
   * Reads replication from `db` at each scrape. Only the process that serves /metrics does this (the primary with
   * workers), so a cluster asks PostgreSQL once per scrape, not once per worker; the others have no such series.
   */
  trackReplication(db: Database): void {
    if (this.#replicationTracked) throw new Error('replication is already tracked');
    this.#replicationTracked = true;
    // The registry collects every metric at once; the replication gauges share one read of
    // pg_stat_replication per scrape, made on the scrape's own time.
    let reading: Promise<ReplicationStatus | undefined> | undefined;
    const readReplication = () => {
      reading ??= replicationStatus(db).finally(() => {
        reading = undefined;
      });
      return reading;
    };
    const registers = [this.registry];
    new Gauge({
      name: 'veza_db_replicas',
      help: 'Standbys streaming from the primary (pg_stat_replication rows in state streaming)',
      registers,
      async collect() {
        // NaN, not 0, when pg_stat_replication could not be read in time: "unknown" must not read as "no standby".
        this.set((await readReplication())?.streaming ?? NaN);
      },
    });
    new Gauge({
      name: 'veza_db_replication_readable',
      help: '1 when this scrape read pg_stat_replication in time, 0 when the database did not answer',
      registers,
      async collect() {
        this.set((await readReplication()) ? 1 : 0);
      },
    });
    const lagGauge = (name: string, help: string, read: (replica: ReplicaLag) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['replica'],
        registers,
        async collect() {
          this.reset();
          for (const replica of (await readReplication())?.replicas ?? []) {
            const value = read(replica);
            if (value !== null) this.set({ replica: replica.name }, value);
          }
        },
      });
    lagGauge(
      'veza_db_replication_lag_seconds',
      "Each standby's replay_lag as the primary sees it; 0 once it has caught up and no recent write is pending",
      (replica) => replica.lagSeconds,
    );
    lagGauge(
      'veza_db_replication_lag_bytes',
      'WAL bytes the primary has written that the standby has not replayed yet',
      (replica) => replica.lagBytes,
    );
  }

  /** Creates the job's series at zero, so that the first failure is an increase Prometheus can see. */
  declareJobs(jobNames: readonly string[]): void {
    for (const job of jobNames) {
      this.#jobRuns.inc({ job, status: 'succeeded' }, 0);
      this.#jobRuns.inc({ job, status: 'failed' }, 0);
    }
  }

  recordJobRun(job: string, status: 'succeeded' | 'failed', seconds: number, endedAt: Date): void {
    this.#jobRuns.inc({ job, status });
    this.#jobDuration.observe({ job }, seconds);
    if (status === 'succeeded') this.#jobLastSuccess.set({ job }, endedAt.getTime() / 1000);
  }
}
