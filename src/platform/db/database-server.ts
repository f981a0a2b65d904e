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
  const { default: postgres } = await import('postgres');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!existing) await admin.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
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
