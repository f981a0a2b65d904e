import type { Config } from '../platform/config/config.ts';
import { openDatabaseServer } from '../platform/db/database-server.ts';

/** Runs `work` against the configured database, starting and stopping the embedded server if that is the one. */
export async function withConfiguredDatabase<T>(config: Config, work: (url: string) => Promise<T>): Promise<T> {
  const server = await openDatabaseServer(config);
  try {
    return await work(server.url);
  } finally {
    await server.stop();
  }
}
