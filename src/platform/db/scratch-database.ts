import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { withDatabase } from './database-server.ts';
import { Migrator } from './migrations.ts';

/**
 * Runs `work` on a throw-away database created on the server of `serverUrl` and migrated from
 * `migrationsDir` (default: this checkout's migrations), then drops it. Needs CREATEDB.
 */
export async function withFreshDatabase<T>(
  serverUrl: string,
  work: (url: string) => Promise<T>,
  options: { migrationsDir?: string } = {},
): Promise<T> {
  const name = `veza_scratch_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const url = withDatabase(serverUrl, name);
      await new Migrator(url, options.migrationsDir ? { dir: options.migrationsDir } : {}).migrate();
      return await work(url);
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
