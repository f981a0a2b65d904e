// A three-node Patroni cluster of the failover drill's own (ADR 0098): a single-node etcd, a primary and two
// replicas managed by Patroni in synchronous mode, and HAProxy in front of them routing to whichever node
// Patroni's REST API calls the primary. Everything runs on this machine, on loopback ports, under a temporary
// directory, and is removed by destroy().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../helpers/free-port.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The Debian packages the drill drives, and how to tell whether each is there. */
const PACKAGES = [
  { name: 'patroni', present: () => existsSync('/usr/bin/patroni') },
  { name: 'etcd-server', present: () => existsSync('/usr/bin/etcd') },
  { name: 'haproxy', present: () => existsSync('/usr/sbin/haproxy') },
  { name: 'postgresql-15', present: () => existsSync(join(PG_BIN, 'pg_ctl')) },
];

/**
 * Installs what the drill needs when it runs as root (as on our machines), like scripts/system-packages.sh does
 * for `npm test`; otherwise fails with the exact line to run. Kept out of that script: only the drill needs them.
 */
export async function ensurePackages(log: (line: string) => void = () => {}): Promise<void> {
  const missing = PACKAGES.filter((item) => !item.present()).map((item) => item.name);
  if (missing.length === 0) return;
  const line = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`the failover drill needs Debian packages this machine lacks; install them first:\n  sudo ${line}`);
  }
  log(`installing ${missing.join(' ')}`);
  await run('sh', ['-c', `apt-get update -q && DEBIAN_FRONTEND=noninteractive ${line} -q`], { timeout: 600_000 });
}

/** Patroni's timing, in seconds: the leader key lives `ttl`; each node acts every `loop_wait`. */
export const TIMING = { ttl: 10, loopWait: 1, retryTimeout: 3 } as const;

export interface Member {
  name: string;
  role: string;
  state: string;
  host: string;
  port: number;
  timeline?: number;
  lag?: number | string;
}

interface Node {
  name: string;
  pgPort: number;
  restPort: number;
  process: ChildProcess | undefined;
}

interface Owner {
  uid: number;
  gid: number;
}

async function postgresUser(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function restGet(port: number, path: string): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Some endpoints answer plain text; kept as is.
    }
    return { status: response.status, body };
  } catch {
    return { status: 0, body: null };
  }
}

export class PatroniCluster {
  readonly dir: string;
  /** Where the service connects: HAProxy, which forwards to the node whose Patroni answers 200 on /primary. */
  readonly proxyPort: number;
  readonly nodes: Node[];
  private readonly etcdPorts: { client: number; peer: number };
  private readonly owner: Owner | undefined;
  private etcd: ChildProcess | undefined;
  private haproxy: ChildProcess | undefined;

  private constructor(dir: string, owner: Owner | undefined, ports: number[]) {
    this.dir = dir;
    this.owner = owner;
    this.etcdPorts = { client: ports[0]!, peer: ports[1]! };
    this.proxyPort = ports[2]!;
    this.nodes = [0, 1, 2].map((i) => ({
      name: `node${i + 1}`,
      pgPort: ports[3 + i]!,
      restPort: ports[6 + i]!,
      process: undefined,
    }));
  }

  /** `postgres://…` through HAProxy to database `database`. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.proxyPort}/${database}`;
  }

  /** A node's own PostgreSQL, bypassing HAProxy (to prove an old primary refuses writes). */
  nodeUrl(name: string, database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.node(name).pgPort}/${database}`;
  }

  node(name: string): Node {
    const found = this.nodes.find((node) => node.name === name);
    if (!found) throw new Error(`no node ${name}`);
    return found;
  }

  /** Starts etcd, the first node (it bootstraps the primary), then the two replicas and HAProxy. */
  static async start(log: (line: string) => void = () => {}): Promise<PatroniCluster> {
    await ensurePackages(log);
    const owner = await postgresUser();
    const dir = await mkdtemp(join(tmpdir(), 'veza-patroni-'));
    await chmod(dir, 0o755);
    if (owner) await chown(dir, owner.uid, owner.gid);
    const ports: number[] = [];
    while (ports.length < 9) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const cluster = new PatroniCluster(dir, owner, ports);
    try {
      await cluster.startEtcd();
      const [first, ...others] = cluster.nodes;
      await cluster.startNode(first!.name);
      await cluster.waitFor(
        async () => (await restGet(first!.restPort, '/primary')).status === 200,
        90_000,
        'a primary',
      );
      log(`primary ${first!.name} bootstrapped`);
      for (const node of others) await cluster.startNode(node.name);
      await cluster.waitFor(
        async () => {
          const members = await cluster.members();
          return (
            members.filter((m) => m.role === 'sync_standby' && m.state === 'running').length === 1 &&
            members.filter((m) => m.state === 'running').length === 3
          );
        },
        120_000,
        'two running replicas, one of them synchronous',
      );
      log('replicas running, one synchronous');
      await cluster.startHaproxy();
      await cluster.waitForProxyOnPrimary();
      return cluster;
    } catch (error) {
      const logs = await cluster.logs();
      await cluster.destroy();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
    }
  }

  private spawnLogged(name: string, file: string, args: string[], asPostgres: boolean): ChildProcess {
    const out = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(file, args, {
      ...(asPostgres && this.owner ? this.owner : {}),
      cwd: this.dir,
      env: { ...process.env, HOME: this.dir, LC_ALL: 'C.UTF-8', PATH: `${PG_BIN}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', out, out],
      detached: false,
    });
    closeSync(out);
    child.on('error', () => {});
    return child;
  }

  async startEtcd(): Promise<void> {
    const { client, peer } = this.etcdPorts;
    await this.ownedDir('etcd');
    this.etcd = this.spawnLogged(
      'etcd',
      '/usr/bin/etcd',
      [
        '--name=drill',
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${client}`,
        `--advertise-client-urls=http://127.0.0.1:${client}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=drill=http://127.0.0.1:${peer}`,
      ],
      true,
    );
    await this.waitFor(async () => (await restGet(client, '/health')).status === 200, 30_000, 'etcd');
  }

  /** SIGKILL: the whole DCS gone at once. */
  async killEtcd(): Promise<void> {
    await killAndWait(this.etcd);
    this.etcd = undefined;
  }

  private async ownedDir(name: string): Promise<string> {
    const path = join(this.dir, name);
    await mkdir(path, { recursive: true, mode: 0o700 });
    if (this.owner) await chown(path, this.owner.uid, this.owner.gid);
    return path;
  }

  private configFor(node: Node): object {
    const dataDir = join(this.dir, node.name);
    return {
      scope: 'veza-drill',
      name: node.name,
      log: { level: 'INFO' },
      restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
      etcd3: { hosts: [`127.0.0.1:${this.etcdPorts.client}`] },
      bootstrap: {
        dcs: {
          ttl: TIMING.ttl,
          loop_wait: TIMING.loopWait,
          retry_timeout: TIMING.retryTimeout,
          maximum_lag_on_failover: 1_048_576,
          // A commit is acknowledged once the synchronous standby has flushed it, and only that standby may be
          // promoted: no acknowledged write is lost to a failover.
          synchronous_mode: true,
          // A crashed primary fails over at once instead of first trying crash recovery in place (default 300 s).
          primary_start_timeout: 0,
          postgresql: {
            use_pg_rewind: true,
            use_slots: true,
            parameters: {
              max_connections: 60,
              shared_buffers: '32MB',
              wal_log_hints: 'on',
              wal_keep_size: '128MB',
              timezone: 'UTC',
            },
          },
        },
        initdb: [{ encoding: 'UTF8' }, { locale: 'C' }],
        pg_hba: ['host replication postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 trust'],
      },
      postgresql: {
        listen: `127.0.0.1:${node.pgPort}`,
        connect_address: `127.0.0.1:${node.pgPort}`,
        data_dir: dataDir,
        bin_dir: PG_BIN,
        pgpass: join(this.dir, `${node.name}.pgpass`),
        authentication: {
          superuser: { username: 'postgres', password: 'drill' },
          replication: { username: 'postgres', password: 'drill' },
        },
        // Sockets in the drill's directory: nothing to collide with the machine's own server.
        parameters: { unix_socket_directories: this.dir },
      },
      tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
    };
  }

  /** Starts (or restarts) a node's Patroni, which starts its PostgreSQL as whatever role the DCS allows. */
  async startNode(name: string): Promise<void> {
    const node = this.node(name);
    const configPath = join(this.dir, `${node.name}.yml`);
    // JSON is YAML: no YAML writer needed.
    await writeFile(configPath, JSON.stringify(this.configFor(node), null, 2));
    if (this.owner) await chown(configPath, this.owner.uid, this.owner.gid);
    node.process = this.spawnLogged(node.name, '/usr/bin/patroni', [configPath], true);
  }

  /** The PID of a node's postmaster, from its postmaster.pid; undefined when it does not run. */
  async postmasterPid(name: string): Promise<number | undefined> {
    const text = await readFile(join(this.dir, name, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(text.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** kill -9 of the postmaster only: PostgreSQL crashes, its Patroni lives on and notices. */
  async killPostmaster(name: string): Promise<number> {
    const pid = await this.postmasterPid(name);
    if (pid === undefined) throw new Error(`${name} has no running postmaster`);
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** kill -9 of Patroni, then of its postmaster: the whole node lost, as when its machine dies. */
  async killNode(name: string): Promise<void> {
    const node = this.node(name);
    await killAndWait(node.process);
    node.process = undefined;
    const pid = await this.postmasterPid(name);
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }

  /** The cluster as Patroni reports it, asked of the first node that answers. */
  async members(): Promise<Member[]> {
    for (const node of this.nodes) {
      const { status, body } = await restGet(node.restPort, '/cluster');
      if (status === 200 && body && typeof body === 'object' && 'members' in body) {
        return (body as { members: Member[] }).members;
      }
    }
    return [];
  }

  /** What a node's own Patroni says of it (`role`, `state`, `timeline`…), or null when it does not answer. */
  async nodeStatus(name: string): Promise<Record<string, unknown> | null> {
    const { status, body } = await restGet(this.node(name).restPort, '/patroni');
    return status === 200 && body && typeof body === 'object' ? (body as Record<string, unknown>) : null;
  }

  /** The REST status of `/primary` on a node: 200 only on the leader that holds the leader key. */
  async primaryCheck(name: string): Promise<number> {
    return (await restGet(this.node(name).restPort, '/primary')).status;
  }

  /** HAProxy's test: /primary answers 200 (leader key) and PostgreSQL there is out of recovery (role "master"). */
  async isWritablePrimary(name: string): Promise<boolean> {
    const { status, body } = await restGet(this.node(name).restPort, '/primary');
    return status === 200 && (body as { role?: unknown } | null)?.role === 'master';
  }

  async leader(): Promise<string | undefined> {
    return (await this.members()).find((m) => m.role === 'leader')?.name;
  }

  private async startHaproxy(): Promise<void> {
    const servers = this.nodes.map(
      (node) => `  server ${node.name} 127.0.0.1:${node.pgPort} check port ${node.restPort}`,
    );
    const config = [
      'global',
      '  maxconn 400',
      'defaults',
      '  mode tcp',
      '  log global',
      // With no primary, a connection is refused within a second instead of waiting for one to appear.
      '  timeout connect 1s',
      '  timeout queue 1s',
      '  timeout client 30m',
      '  timeout server 30m',
      '  timeout check 1s',
      'listen primary',
      `  bind 127.0.0.1:${this.proxyPort}`,
      '  option httpchk',
      '  http-check send meth GET uri /primary',
      // 200 alone says the node holds the leader key, which Patroni 3.0 answers as soon as it takes the key, while
      // PostgreSQL is still promoting: a write forwarded then fails with 25006 (read-only transaction). The role
      // in the body comes from pg_is_in_recovery() on that node, so both together mean "writable primary".
      '  http-check expect status 200',
      `  http-check expect string '"role": "master"'`,
      // Checked every 500 ms; down after 2 failures. Sessions to a node that stops being primary are cut, so no
      // client keeps writing to a demoted node (or reading a stale one).
      '  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
      ...servers,
      '',
    ].join('\n');
    const path = join(this.dir, 'haproxy.cfg');
    await writeFile(path, config);
    this.haproxy = this.spawnLogged('haproxy', '/usr/sbin/haproxy', ['-db', '-f', path], false);
  }

  /**
   * Waits until HAProxy forwards only to the primary. It starts every server as up and marks the replicas down
   * only after their failed checks, so the first connections may land on a replica.
   */
  async waitForProxyOnPrimary(timeoutMs = 30_000): Promise<void> {
    let streak = 0;
    await this.waitFor(
      async () => {
        const rows = await this.tryQuery<{ standby: boolean }>(this.url(), 'SELECT pg_is_in_recovery() AS standby');
        streak = rows?.[0]?.standby === false ? streak + 1 : 0;
        return streak >= 10;
      },
      timeoutMs,
      'HAProxy to forward only to the primary',
    );
  }

  /** Waits until `condition` holds, polling every 200 ms; throws naming `what` after `timeoutMs`. */
  async waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
    const started = Date.now();
    while (
      !(await Promise.resolve()
        .then(condition)
        .catch(() => false))
    ) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(200);
    }
    return Date.now() - started;
  }

  /** Runs one statement on a fresh connection; null when it cannot connect or the statement fails. */
  async tryQuery<Row extends pg.QueryResultRow>(url: string, text = 'SELECT 1', values: unknown[] = []) {
    return query<Row>(url, text, values).catch(() => null);
  }

  /** The tail of each component's log, for a failure message. */
  async logs(lines = 25): Promise<string> {
    const names = ['etcd', 'haproxy', ...this.nodes.map((n) => n.name)];
    const parts = await Promise.all(
      names.map(async (name) => {
        const text = await readFile(join(this.dir, `${name}.log`), 'utf8').catch(() => '');
        return `--- ${name}.log\n${text.split('\n').slice(-lines).join('\n')}`;
      }),
    );
    return parts.join('\n');
  }

  /** Stops everything it started (Patroni stops its PostgreSQL) and deletes the directory. */
  async destroy(): Promise<void> {
    await killAndWait(this.haproxy);
    await Promise.all(this.nodes.map((node) => terminateAndWait(node.process)));
    for (const node of this.nodes) {
      const pid = await this.postmasterPid(node.name);
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    }
    await killAndWait(this.etcd);
    // A killed postmaster's children notice within a moment; the directory goes once they have.
    await sleep(500);
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function query<Row extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  const done = exited(child);
  child.kill('SIGKILL');
  await done;
}

/** SIGTERM (Patroni then stops PostgreSQL cleanly), SIGKILL after 20 s. */
async function terminateAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await done;
  clearTimeout(timer);
}
