import { buildApp } from './app/build-app.ts';
import type { Config } from './platform/config/config.ts';
import { openDatabaseServer } from './platform/db/database-server.ts';
import { listMigrationFiles, Migrator } from './platform/db/migrations.ts';
import { AccessTokens, createAuthenticator } from './domains/auth/index.ts';
import { resolveJwtSecret } from './platform/config/secrets.ts';
import { loadConstraintColumns } from './platform/db/constraint-columns.ts';
import { openPool, type Database } from './platform/db/pool.ts';
import { openReadRouting, type ReadRouting } from './platform/db/read-routing.ts';
import { jobMailSettingsOf } from './platform/jobs/job.ts';
import { runJob } from './platform/jobs/run-job.ts';
import { startScheduler, type Scheduler } from './platform/jobs/scheduler.ts';
import { scheduledJobs } from './lifecycle/lifecycle-jobs.ts';
import { trackBackupMetricsIfConfigured } from './platform/backup/backup-metrics.ts';
import { startFilesProcessing } from './domains/files/index.ts';
import { measuredJobRun } from './platform/metrics/job-metrics.ts';
import { Metrics } from './platform/metrics/metrics.ts';
import { startMetricsServer, type MetricsServer } from './platform/metrics/metrics-server.ts';
import { trackReadReplicas } from './platform/metrics/replication.ts';

export interface BackgroundWork {
  stop(): Promise<void>;
}

/**
 * The maintenance jobs on their schedules (when VEZA_JOBS_ENABLED) and the files pipeline: the process that runs the
 * jobs works the pipeline, the others only queue files for it (issue 12 §4). One process per instance runs this: the
 * service itself, or the primary when VEZA_WORKERS > 1.
 */
export async function startBackgroundWork(
  url: string,
  db: Database,
  config: Config,
  log: (line: string) => void,
  metrics?: Metrics,
): Promise<BackgroundWork> {
  let scheduler: Scheduler | undefined;
  let filesProcessing: BackgroundWork | undefined;
  const stop = async () => {
    await scheduler?.stop();
    await filesProcessing?.stop();
  };
  try {
    if (config.jobs.enabled) {
      const jobs = scheduledJobs();
      metrics?.declareJobs(jobs.map((job) => job.name));
      scheduler = await startScheduler({
        url,
        jobs,
        schedules: config.jobs.schedules,
        run: (job) =>
          measuredJobRun(metrics, job, () =>
            runJob(job, {
              db,
              dataDir: config.dataDir,
              redisUrl: config.redis.url,
              mail: jobMailSettingsOf(config),
              triggeredBy: 'schedule',
              log,
            }),
          ),
        log,
      });
    }
    filesProcessing = await startFilesProcessing({ url, db, config: config.files, work: config.jobs.enabled, log });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

export interface RunningService {
  url: string;
  /** What this process measures, when VEZA_METRICS_PORT is set (ADR 0089). */
  metrics: Metrics | undefined;
  /** The metrics listener's address; undefined in a cluster worker (the primary serves them) or when off. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Set in a cluster worker: its slot, the `worker` label of its metrics, which the primary serves. */
  workerSlot?: string | undefined;
}

/** Opens the database (embedded or DATABASE_URL), migrates it unless told not to, and serves HTTP. */
export async function startService(
  config: Config,
  log: (line: string) => void,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const server = await openDatabaseServer(config);
  const stopOnFailure = async (error: unknown): Promise<never> => {
    await server.stop();
    throw error;
  };

  if (config.migrateOnStart) {
    const applied = await new Migrator(server.url, { log }).migrate().catch(stopOnFailure);
    if (applied.length > 0) log(`applied ${applied.length} migration(s), up to ${applied.at(-1)}`);
  }

  const metrics = config.metrics.port === undefined ? undefined : new Metrics({ worker: options.workerSlot });
  const pool = openPool(server.url, config.db, {
    onIdleError: (error) => log(`database connection lost: ${error.message}`),
    onAcquire: metrics?.observePoolAcquire,
  });
  metrics?.trackPool(pool.pg);
  let background: BackgroundWork | undefined;
  let metricsServer: MetricsServer | undefined;
  let readRouting: ReadRouting | undefined;
  const latestMigrationVersion = listMigrationFiles().at(-1)?.version ?? 0;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const closeAll = async () => {
    await metricsServer?.close();
    await app?.close();
    await background?.stop();
    await readRouting?.close();
    await pool.close();
    await server.stop();
  };
  try {
    const constraintColumns = await loadConstraintColumns(pool.db);
    // ADR 0099: VEZA_DATABASE_READ_URLS; each process checks the replicas on its own.
    readRouting = await openReadRouting(pool, config, log);
    if (metrics && readRouting) trackReadReplicas(metrics.registry, readRouting.replicas);
    const accessTokens = new AccessTokens(await resolveJwtSecret(config), config.auth.accessTokenTtlSeconds);
    app = await buildApp({
      pool,
      config,
      accessTokens,
      latestMigrationVersion,
      constraintColumns,
      authenticate: createAuthenticator(accessTokens, pool.db),
      logLevel: config.logLevel,
      metrics,
      readRouting,
    });
    background = await startBackgroundWork(server.url, pool.db, config, log, metrics);
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    if (metrics && options.workerSlot === undefined && config.metrics.port !== undefined) {
      metrics.trackReplication(pool.db);
      trackBackupMetricsIfConfigured(metrics.registry, process.env, config.dataDir);
      metricsServer = await startMetricsServer({
        host: config.metrics.host,
        port: config.metrics.port,
        gather: () => metrics.registry.metrics(),
      });
    }
    return { url, metrics, metricsUrl: metricsServer?.url, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
