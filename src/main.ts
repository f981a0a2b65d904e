import { buildApp } from './app/build-app.ts';
import type { Config } from './platform/config/config.ts';
import { openDatabaseServer } from './platform/db/database-server.ts';
import { listMigrationFiles, Migrator } from './platform/db/migrations.ts';
import { openPool } from './platform/db/pool.ts';

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

  const pool = openPool(server.url, config.db);
  const latestMigrationVersion = listMigrationFiles().at(-1)?.version ?? 0;
  const app = buildApp({ pool, latestMigrationVersion, logLevel: config.logLevel });
  const url = await app.listen({ host: config.http.host, port: config.http.port }).catch(async (error: unknown) => {
    await pool.close();
    return stopOnFailure(error);
  });

  return {
    url,
    async stop() {
      await app.close();
      await pool.close();
      await server.stop();
    },
  };
}
