// PgBouncer in transaction mode in front of a PostgreSQL server, for the benchmark and the connection-scale test
// (docs/pgbouncer.md, ADR 0026): Debian's pgbouncer, run in the foreground as a child of this process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { loadConfig, type Config } from '../src/platform/config/config.ts';
import { POOLER_SET_PARAMETERS, poolerConnectQuery } from '../src/platform/db/pool.ts';
import { freePort } from '../test/helpers/free-port.ts';

const run = promisify(execFile);

export const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** The server's postgres:// URL; the pooler serves the same database to the same user. */
  serverUrl: string;
  /** Port on 127.0.0.1; default: a free one. */
  listenPort?: number;
  /** Server connections, at most, whatever the number of clients (default_pool_size and max_db_connections). */
  poolSize?: number;
  /** Client connections accepted (max_client_conn). */
  maxClientConnections?: number;
  /** Where the configuration goes; default: a new temporary directory, removed by stop(). */
  workDir?: string;
  /** Timeouts every server connection gets through connect_query (ADR 0026); default: VEZA_DB_* from the environment. */
  db?: Pick<Config['db'], 'statementTimeoutMs' | 'lockTimeoutMs'>;
  /** Receives PgBouncer's log lines. */
  log?: (line: string) => void;
  binary?: string;
}

export interface RunningPgBouncer {
  /** postgres:// URL of the same database and user, through the pooler (no password: PgBouncer trusts loopback). */
  url: string;
  /** The admin console (database `pgbouncer`): SHOW POOLS, SHOW CLIENTS... */
  adminUrl: string;
  port: number;
  pid: number;
  poolSize: number;
  maxClientConnections: number;
  configFile: string;
  /** Runs an admin console command (`SHOW POOLS`, `SHOW CLIENTS`, ...) and returns its rows. */
  admin(command: string): Promise<Record<string, unknown>[]>;
  /** Safe shutdown (lets running transactions finish), killed after a few seconds; idempotent. */
  stop(): Promise<void>;
}

/** PgBouncer's own descriptors beyond one per client and one per server connection: listeners, logs, DNS. */
const SPARE_FILE_DESCRIPTORS = 100;
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

interface ServerAddress {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

function serverAddress(serverUrl: string): ServerAddress {
  const url = new URL(serverUrl);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error('startPgBouncer needs a postgres:// server URL');
  }
  const user = decodeURIComponent(url.username) || userInfo().username;
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  // Names go unquoted into pgbouncer.ini's [databases] keys: keep them to what needs no quoting.
  for (const name of [user, database]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name))
      throw new Error(`startPgBouncer: unsupported name "${name}" in the server URL`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: Number(url.port || 5432),
    database,
    user,
    password: decodeURIComponent(url.password),
  };
}

/** A value of a libpq-style connection string, as PgBouncer's [databases] entries read them. */
function connValue(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function configText(
  server: ServerAddress,
  options: Required<Pick<PgBouncerOptions, 'poolSize' | 'maxClientConnections'>> & {
    port: number;
    authFile: string;
    connectQuery: string;
    runAs: string | undefined;
  },
): string {
  const database = [
    `host=${connValue(server.host)}`,
    `port=${server.port}`,
    `dbname=${connValue(server.database)}`,
    `pool_size=${options.poolSize}`,
    `max_db_connections=${options.poolSize}`,
    `connect_query=${connValue(options.connectQuery)}`,
  ].join(' ');
  return [
    '[databases]',
    `${server.database} = ${database}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${options.port}`,
    // No Unix socket: nothing to clean up, and no clash with a system PgBouncer's.
    'unix_socket_dir =',
    // Loopback only; the server itself decides whether the user may log in (the password, if any, is in the auth_file).
    'auth_type = trust',
    `auth_file = ${options.authFile}`,
    `admin_users = ${server.user}`,
    'pool_mode = transaction',
    // The pool asks for these at startup and PgBouncer cannot forward them: connect_query sets them instead (ADR 0026).
    `ignore_startup_parameters = ${POOLER_SET_PARAMETERS.join(',')}`,
    `default_pool_size = ${options.poolSize}`,
    'min_pool_size = 0',
    'reserve_pool_size = 0',
    `max_client_conn = ${options.maxClientConnections}`,
    // A burst of clients connecting at once must not overflow the accept queue (the kernel caps it at somaxconn).
    `listen_backlog = ${Math.max(128, options.maxClientConnections)}`,
    // connect_query's settings are session settings: a reset after each transaction would drop them.
    'server_reset_query_always = 0',
    'log_connections = 0',
    'log_disconnections = 0',
    'logfile =',
    'pidfile =',
    // PgBouncer refuses to run as root; started by root, it reads its files, then switches to this user.
    ...(options.runAs ? [`user = ${options.runAs}`] : []),
    '',
  ].join('\n');
}

/** A line of the auth_file: "user" "password", double quotes doubled. */
function authLine(user: string, password: string): string {
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  return `${quote(user)} ${quote(password)}\n`;
}

/** The soft and hard limits on open files of a child process (Node has no getrlimit). */
async function fileDescriptorLimits(): Promise<{ soft: number; hard: number }> {
  const { stdout } = await run('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn']);
  const [soft, hard] = stdout
    .trim()
    .split('\n')
    .map((value) => (value.trim() === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value)));
  return { soft: soft ?? 0, hard: hard ?? 0 };
}

async function unixIds(user: string): Promise<{ uid: number; gid: number }> {
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error(
      `PgBouncer refuses to run as root and there is no "${user}" system user to run it as: run as another user, ` +
        `or create it (Debian's postgresql-common or pgbouncer package does)`,
    );
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection to the admin console, which speaks the simple query protocol only and has no pg_type to read. */
function adminConnection(adminUrl: string, connectTimeoutSeconds: number): postgres.Sql {
  return postgres(adminUrl, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: connectTimeoutSeconds,
    onnotice: () => {},
  });
}

async function adminQuery(sql: postgres.Sql, command: string): Promise<Record<string, unknown>[]> {
  const rows = await sql.unsafe(command).simple();
  return [...rows] as Record<string, unknown>[];
}

/**
 * Starts PgBouncer in transaction mode in front of `serverUrl`'s database, with at most `poolSize` server
 * connections for up to `maxClientConnections` clients, and resolves once it answers on its admin console.
 * Server connections get the pool's timeouts through connect_query, as in production (ADR 0026).
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<RunningPgBouncer> {
  const binary = options.binary ?? PGBOUNCER_BINARY;
  if (!existsSync(binary)) {
    throw new Error(`PgBouncer is not installed (no ${binary}): install Debian's pgbouncer: apt-get install pgbouncer`);
  }
  const server = serverAddress(options.serverUrl);
  const poolSize = options.poolSize ?? 100;
  const maxClientConnections = options.maxClientConnections ?? 2000;
  const db = options.db ?? loadConfig().db;

  const needed = maxClientConnections + poolSize + SPARE_FILE_DESCRIPTORS;
  const limits = await fileDescriptorLimits();
  if (limits.hard < needed) {
    throw new Error(
      `PgBouncer needs ${needed} file descriptors (${maxClientConnections} clients, ${poolSize} server connections) ` +
        `but the hard limit is ${limits.hard}: raise it (ulimit -Hn, LimitNOFILE) or accept fewer clients`,
    );
  }

  const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
  const ids = runAs ? await unixIds(runAs) : undefined;
  const ownDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'veza-pgbouncer-')));
  await mkdir(workDir, { recursive: true });
  const authFile = join(workDir, 'userlist.txt');
  const configFile = join(workDir, 'pgbouncer.ini');
  await writeFile(authFile, authLine(server.user, server.password), { mode: 0o600 });
  // PgBouncer reads its files before switching user, and again as that user on a RELOAD: give them to it.
  const ownedByRunner = ownDir ? [workDir, authFile] : [authFile];
  if (ids) await Promise.all(ownedByRunner.map((path) => chown(path, ids.uid, ids.gid)));

  const recent: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      options.log?.(line);
    }
  };

  // A port picked by freePort() may be taken before PgBouncer binds it: try another one.
  for (let attempt = 1; ; attempt += 1) {
    const port = options.listenPort ?? (await freePort());
    const text = configText(server, {
      poolSize,
      maxClientConnections,
      port,
      authFile,
      connectQuery: poolerConnectQuery(db),
      runAs,
    });
    await writeFile(configFile, text, { mode: 0o644 });
    if (ids) await chown(configFile, ids.uid, ids.gid);

    // Raise the soft limit on open files when it is too low for max_client_conn (the hard limit allows it).
    const command =
      limits.soft >= needed
        ? { file: binary, args: [configFile] }
        : {
            file: '/bin/sh',
            args: ['-c', 'ulimit -Sn "$1" && shift && exec "$@"', 'sh', String(needed), binary, configFile],
          };
    recent.length = 0;
    const child = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', remember);
    child.stderr.on('data', remember);
    // Never leave a pooler behind this process, even when it dies without calling stop().
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const adminUrl = `postgres://${encodeURIComponent(server.user)}@127.0.0.1:${port}/pgbouncer`;
    const failure = await waitUntilServing(child, adminUrl);
    if (failure) {
      process.removeListener('exit', killOnExit);
      child.kill('SIGKILL');
      // A process that never started emits no exit.
      if (child.pid !== undefined) await exited(child);
      const portTaken = recent.some((line) => /address already in use/i.test(line));
      if (portTaken && options.listenPort === undefined && attempt < 3) continue;
      if (ownDir) await rm(workDir, { recursive: true, force: true });
      throw new Error(`PgBouncer did not start on port ${port}: ${failure}\n${recent.join('\n')}`);
    }

    // One console connection for every admin() call: a sampler polling during a burst of connections must not
    // have to win a place among them each time.
    let adminSql: postgres.Sql | undefined;
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await adminSql?.end({ timeout: 1 });
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited(child);
          clearTimeout(timer);
        }
        process.removeListener('exit', killOnExit);
        if (ownDir) await rm(workDir, { recursive: true, force: true });
      })();
      return stopping;
    };
    return {
      url: `postgres://${encodeURIComponent(server.user)}@127.0.0.1:${port}/${encodeURIComponent(server.database)}`,
      adminUrl,
      port,
      pid: child.pid ?? 0,
      poolSize,
      maxClientConnections,
      configFile,
      admin: (command) => adminQuery((adminSql ??= adminConnection(adminUrl, 30)), command),
      stop,
    };
  }
}

/** Resolves with nothing once the admin console answers, or with why not when the process exits or takes too long. */
async function waitUntilServing(child: ChildProcess, adminUrl: string): Promise<string | undefined> {
  let exitedEarly: string | undefined;
  child.once('exit', (code, signal) => {
    exitedEarly = `it exited (${signal ?? `code ${code}`})`;
  });
  const spawnError = new Promise<string>((resolve) => child.once('error', (error) => resolve(error.message)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitedEarly) return exitedEarly;
    const probe = adminConnection(adminUrl, 2);
    const answer = await Promise.race([
      adminQuery(probe, 'SHOW VERSION').then(
        () => 'up',
        () => 'not yet',
      ),
      spawnError,
    ]);
    await probe.end({ timeout: 1 });
    if (answer === 'up') return undefined;
    if (answer !== 'not yet') return answer;
    await sleep(50);
  }
  return exitedEarly ?? `no answer within ${START_TIMEOUT_MS / 1000} s`;
}
