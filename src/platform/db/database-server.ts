import pg from 'pg';
import type { Config } from '../config/config.ts';
import { startEmbeddedServer } from './embedded-server.ts';

export interface DatabaseServer {
  /** URL of the application database. */
  url: string;
  /** Whether Veza started this server (and so must stop it). */
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'veza';

/** DATABASE_URL when set; otherwise the embedded PostgreSQL, with its `veza` database created on first start. */
export async function openDatabaseServer(config: Config, log?: (line: string) => void): Promise<DatabaseServer> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedServer({ dataDir: config.dataDir, port: config.embeddedPostgresPort, log });
  const url = await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return { url, embedded: true, stop: () => server.stop() };
}

/** Creates `name` on the server of `adminUrl` unless it exists; returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
