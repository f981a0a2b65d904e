import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../platform/config/config.ts';
import { resolveJwtSecret } from '../platform/config/secrets.ts';
import { resolveEncryptionKeys } from '../platform/crypto/index.ts';
import { openDatabaseServer } from '../platform/db/database-server.ts';
import { Migrator } from '../platform/db/migrations.ts';
import { openPool } from '../platform/db/pool.ts';
import { answerMetricsRequests, gatherClusterMetrics } from '../platform/metrics/cluster-metrics.ts';
import { Metrics } from '../platform/metrics/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../platform/metrics/metrics-server.ts';
import { pino, type Logger } from 'pino';
import { startBackgroundWork, startService, type BackgroundWork } from '../main.ts';
import { trackBackupMetricsIfConfigured } from '../platform/backup/backup-metrics.ts';

/**
 * Start-up, migration (node-pg-migrate's lines), job and shutdown lines: pino JSON on stdout like the HTTP
 * server's request lines, so that `veza serve` writes one format. They are written at info even when
 * VEZA_LOG_LEVEL is warn or error (a handful of lines, one saying where the service listens); silent silences them.
 */
let startupLogger: Logger | undefined;
const log = (line: string) => {
  startupLogger ??= pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
  startupLogger.info(line);
};

function useStartupLogLevel(config: Config): void {
  const level = ['fatal', 'error', 'warn'].includes(config.logLevel) ? 'info' : config.logLevel;
  startupLogger = pino({ level }, pino.destination({ dest: 1, sync: true }));
}

/** A busy address says which setting moves it (issue 10), instead of node's bare "listen EADDRINUSE". */
export function explainListenError(error: unknown, config: Config): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const { host, port } = config.http;
  if (code === 'EADDRINUSE') {
    return new Error(
      `port ${port} on ${host} is already in use (another veza serve?): ` +
        'set VEZA_HTTP_PORT to a free port, or VEZA_HTTP_HOST to another address',
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
    return new Error(
      `cannot listen on ${host}:${port} (${String(code)}): set VEZA_HTTP_HOST to an address of this machine ` +
        'and VEZA_HTTP_PORT to a port this user may open',
      { cause: error },
    );
  }
  return error;
}

/** A worker that has not stopped this long after being told to is killed. */
const WORKER_STOP_TIMEOUT_MS = 20_000;
/** A worker that dies on its own is replaced after this pause, so a crash loop does not spin the CPU. */
const WORKER_RESTART_DELAY_MS = 1_000;

/**
 * The environment variable through which the primary gives each worker its slot (0 … count - 1): the `worker` label
 * of its metrics, passed on to the worker that replaces it (ADR 0089).
 */
const WORKER_SLOT_VARIABLE = 'VEZA_WORKER_SLOT';

/** What a worker tells the primary once its HTTP server listens. */
interface ListeningMessage {
  veza: 'listening';
  url: string;
}

/**
 * `veza serve`: one process by default; with VEZA_WORKERS > 1, a primary that migrates and runs the job
 * scheduler once, and that many cluster workers serving HTTP on the same port (ADR 0030).
 */
export async function serve(config: Config): Promise<void> {
  useStartupLogLevel(config);
  if (cluster.isWorker) return serveAsWorker(config);
  if (config.http.workers > 1) return serveAsPrimary(config, config.http.workers);
  const service = await startService(config, log).catch((error: unknown) => {
    throw explainListenError(error, config);
  });
  log(`veza listening on ${service.url}`);
  if (service.metricsUrl) log(`metrics on ${service.metricsUrl}/metrics`);
  onShutdownSignal(() => service.stop());
}

/** Runs `stop` on the first SIGINT or SIGTERM, then exits 0, or 1 if stopping failed. */
function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, quiet = false): () => void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (!quiet) log(`${signal} received, shutting down`);
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return () => shutdown('SIGTERM');
}

/**
 * A worker serves HTTP only: the primary has migrated the database and runs the jobs. It stops on a signal
 * (the primary's, or the terminal's Ctrl-C reaching the whole process group) and when the primary is gone.
 */
async function serveAsWorker(config: Config): Promise<void> {
  const service = await startService(
    { ...config, migrateOnStart: false, jobs: { ...config.jobs, enabled: false } },
    log,
    { workerSlot: process.env[WORKER_SLOT_VARIABLE] ?? String(cluster.worker?.id ?? 0) },
  ).catch((error: unknown) => {
    throw explainListenError(error, config);
  });
  if (service.metrics) answerMetricsRequests(service.metrics);
  const stop = onShutdownSignal(() => service.stop(), true);
  // The IPC channel closes when the primary dies however it dies (SIGKILL included): no worker serves on alone.
  process.once('disconnect', stop);
  process.send?.({ veza: 'listening', url: service.url } satisfies ListeningMessage);
}

async function serveAsPrimary(config: Config, count: number): Promise<void> {
  if (!config.redis.url) {
    log(
      `VEZA_REDIS_URL is unset: each of the ${count} workers counts rate limits on its own, so a client may make ` +
        `up to ${count} times the configured number of requests (ADR 0034)`,
    );
  }
  const server = await openDatabaseServer(config);
  let pool: ReturnType<typeof openPool> | undefined;
  let background: BackgroundWork | undefined;
  // The primary's own series (jobs, its pool, replication) are labelled worker="primary"; it serves everyone's.
  const metrics = config.metrics.port === undefined ? undefined : new Metrics({ worker: 'primary' });
  let metricsServer: MetricsServer | undefined;
  const workers = new Set<Worker>();
  let stopping = false;

  const stopWorkers = async () => {
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  const stopAll = async () => {
    stopping = true;
    await metricsServer?.close();
    await stopWorkers();
    await background?.stop();
    await pool?.close();
    await server.stop();
  };

  try {
    if (config.migrateOnStart) {
      const applied = await new Migrator(server.url, { log }).migrate();
      if (applied.length > 0) log(`applied ${applied.length} migration(s), up to ${applied.at(-1)}`);
    }
    // Made here once: workers generating a development secret each would each get a different one.
    await resolveJwtSecret(config);
    await resolveEncryptionKeys(config);
    if (config.jobs.enabled || metrics) {
      pool = openPool(
        server.url,
        { ...config.db, poolSize: 2 },
        {
          onIdleError: (error) => log(`database connection lost: ${error.message}`),
          onAcquire: metrics?.observePoolAcquire,
        },
      );
      metrics?.trackPool(pool.pg);
      metrics?.trackReplication(pool.db);
      if (metrics) trackBackupMetricsIfConfigured(metrics.registry, process.env, config.dataDir);
    }
    if (config.jobs.enabled && pool) {
      // The jobs and the files pipeline run here; the HTTP workers only queue files for it (issue 12 §4).
      background = await startBackgroundWork(server.url, pool.db, config, log, metrics);
    }

    // Workers reach the database the primary opened (the embedded one included) and inherit stdout and stderr.
    const workerEnv = { DATABASE_URL: server.url };
    const fork = (slot: number) => {
      const worker = cluster.fork({ ...workerEnv, [WORKER_SLOT_VARIABLE]: String(slot) });
      workers.add(worker);
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        if (stopping) return;
        log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
        setTimeout(() => {
          if (!stopping) fork(slot);
        }, WORKER_RESTART_DELAY_MS).unref();
      });
      return worker;
    };
    const url = await new Promise<string>((resolve, reject) => {
      let listening = 0;
      for (let index = 0; index < count; index += 1) {
        const worker = fork(index);
        const early = (code: number | null) => reject(new Error(`a worker exited with code ${code} while starting`));
        worker.once('exit', early);
        worker.on('message', (message: Partial<ListeningMessage>) => {
          if (message.veza !== 'listening' || typeof message.url !== 'string') return;
          worker.off('exit', early);
          listening += 1;
          if (listening === count) resolve(message.url);
        });
      }
    });
    log(`veza listening on ${url} (${count} workers)`);
    if (metrics && config.metrics.port !== undefined) {
      metricsServer = await startMetricsServer({
        host: config.metrics.host,
        port: config.metrics.port,
        gather: () => gatherClusterMetrics(metrics, workers),
      });
      log(`metrics on ${metricsServer.url}/metrics`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  onShutdownSignal(stopAll);
}
