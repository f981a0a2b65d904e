import { buildApp } from './app/build-app.ts';
import type { Config } from './platform/config/config.ts';
import { openDatabaseServer } from './platform/db/database-server.ts';
import { listMigrationFiles, Migrator } from './platform/db/migrations.ts';
import { AccessTokens, createAuthenticator } from './domains/auth/index.ts';
import { resolveJwtSecret } from './platform/config/secrets.ts';
import { loadConstraintColumns } from './platform/db/constraint-columns.ts';
import { openPool } from './platform/db/pool.ts';
import { runJob } from './platform/jobs/run-job.ts';
import { startScheduler, type Scheduler } from './platform/jobs/scheduler.ts';
import { lifecycleJobs } from './lifecycle/lifecycle-jobs.ts';
import { startFilesProcessing } from './domains/files/index.ts';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

/** Opens the database (embedded or DATABASE_URL), migrates it unless told not to, and serves HTTP. */
export async function startService(config: Config, log: (line: string) => void): Promise<RunningService> {
  const server = await openDatabaseServer(config);
  const stopOnFailure = async (error: unknown): Promise<never> => {
    await server.stop();
    throw error;
  };

  if (config.migrateOnStart) {
    const applied = await new Migrator(server.url, { log }).migrate().catch(stopOnFailure);
    if (applied.length > 0) log(`applied ${applied.length} migration(s), up to ${applied.at(-1)}`);
  }

  const pool = openPool(server.url, config.db, {
    onIdleError: (error) => log(`database connection lost: ${error.message}`),
  });
  let scheduler: Scheduler | undefined;
  let filesProcessing: { stop(): Promise<void> } | undefined;
  const latestMigrationVersion = listMigrationFiles().at(-1)?.version ?? 0;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const closeAll = async () => {
    await app?.close();
    await scheduler?.stop();
    await filesProcessing?.stop();
    await pool.close();
    await server.stop();
  };
  try {
    const constraintColumns = await loadConstraintColumns(pool.db);
    const accessTokens = new AccessTokens(await resolveJwtSecret(config), config.auth.accessTokenTtlSeconds);
    app = await buildApp({
      pool,
      config,
      accessTokens,
      latestMigrationVersion,
      constraintColumns,
      authenticate: createAuthenticator(accessTokens, pool.db),
      logLevel: config.logLevel,
    });
    if (config.jobs.enabled) {
      scheduler = await startScheduler({
        url: server.url,
        jobs: lifecycleJobs,
        schedules: config.jobs.schedules,
        run: (job) => runJob(job, { db: pool.db, dataDir: config.dataDir, triggeredBy: 'schedule', log }),
        log,
      });
    }
    // issue 12 §4: the process that runs the jobs works the files pipeline; the others only queue files for it.
    filesProcessing = await startFilesProcessing({
      url: server.url,
      db: pool.db,
      config: config.files,
      work: config.jobs.enabled,
      log,
    });
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    return { url, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
