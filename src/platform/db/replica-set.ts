// Read replicas (issue 19 §5, ADR 0099): the standbys named by VEZA_DATABASE_READ_URLS, each with its own pool, and a
// periodic check that says which of them may serve reads now. Requests never probe a replica themselves: they ask
// `choose()`, which answers from the last check.
import type { Config } from '../config/config.ts';
import { openPool, type Pool, type PoolOptions } from './pool.ts';

export type ReplicaState =
  /** Not checked yet. */
  | 'unknown'
  /** Answering, in recovery, and no further behind than the threshold: serves reads. */
  | 'usable'
  /** Answering but further behind than the threshold (or replay paused with WAL waiting): skipped. */
  | 'lagging'
  /** Not answering (or a read on it just failed): skipped until a check finds it well. */
  | 'down'
  /** Answering but not a standby (promoted, or a wrong URL): skipped, it may have diverged from the primary. */
  | 'not_in_recovery';

export interface ReplicaStatus {
  name: string;
  state: ReplicaState;
  /** Seconds of the primary's WAL the replica has not replayed yet (to the check interval), null when not known. */
  lagSeconds: number | null;
  lagBytes: number | null;
  /** Requests of replica-enabled routes whose reads this process sent to it. */
  reads: number;
}

export interface Replica {
  readonly name: string;
  readonly pool: Pool;
  state: ReplicaState;
  replayLsn: bigint | undefined;
  lagSeconds: number | null;
  lagBytes: number | null;
  reads: number;
}

export interface ReplicaSetOptions {
  maxLagSeconds: number;
  checkIntervalMs: number;
  /** Bound on one check of one server; a check that takes longer marks the replica down. */
  checkTimeoutMs?: number;
  poolOptions?: PoolOptions;
  log?: (line: string) => void;
  /** The clock of lag measurement (tests pin it). */
  now?: () => number;
}

/** PostgreSQL's textual LSN ("16/B374D848") as a number that compares. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!match) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** A replica's name in logs, metrics and /readyz: host, port and database, never the user or password. */
export function replicaName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** How many primary LSN samples are kept: far more than the lag any usable replica can have. */
const MAX_SAMPLES = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  // The losing promise's rejection is handled by race; the work itself still ends on its own.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class ReplicaSet {
  readonly replicas: Replica[];
  readonly maxLagSeconds: number;
  /**
   * Requests of replica-enabled routes whose reads went to the primary: none usable, the caller's own write not
   * replayed yet, or a replica failing mid-request (that request then counts for both).
   */
  primaryReads = 0;
  readonly #primary: Pool;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  /** (time, primary LSN) the first time each LSN was seen: lag = age of the oldest sample a replica lacks. */
  readonly #samples: Array<{ at: number; lsn: bigint }> = [];
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #closed = false;
  #next = 0;

  constructor(primary: Pool, urls: readonly string[], settings: Config['db'], options: ReplicaSetOptions) {
    this.#primary = primary;
    this.maxLagSeconds = options.maxLagSeconds;
    this.#intervalMs = options.checkIntervalMs;
    this.#timeoutMs = options.checkTimeoutMs ?? Math.max(500, Math.min(options.checkIntervalMs, 2_000));
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#now = options.now ?? Date.now;
    this.replicas = urls.map((url) => ({
      name: replicaName(url),
      pool: openPool(url, settings, options.poolOptions),
      state: 'unknown',
      replayLsn: undefined,
      lagSeconds: null,
      lagBytes: null,
      reads: 0,
    }));
  }

  /** Checks once (so the first requests already know the replicas), then every interval until close(). */
  async start(): Promise<void> {
    await this.checkNow();
    const loop = () => {
      this.#timer = setTimeout(() => {
        void this.checkNow().finally(() => {
          if (!this.#closed) loop();
        });
      }, this.#intervalMs);
      this.#timer.unref();
    };
    if (!this.#closed) loop();
  }

  /** One round of checks; concurrent callers share it. Never throws. */
  checkNow(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /**
   * A replica that has replayed at least `minLsn` (the caller's last write; undefined: any) and is usable, taken in
   * turn; undefined when none is, and the read goes to the primary.
   */
  choose(minLsn?: bigint): Replica | undefined {
    const candidates = this.replicas.filter(
      (replica) =>
        replica.state === 'usable' &&
        (minLsn === undefined || (replica.replayLsn !== undefined && replica.replayLsn >= minLsn)),
    );
    if (candidates.length === 0) return undefined;
    this.#next = (this.#next + 1) % candidates.length;
    return candidates[this.#next];
  }

  /** A read on `replica` failed for want of a connection: skip it until the next check finds it well. */
  markDown(replica: Replica, error: unknown): void {
    if (replica.state !== 'down') {
      this.#log(`read replica ${replica.name} skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
    replica.state = 'down';
  }

  status(): ReplicaStatus[] {
    return this.replicas.map(({ name, state, lagSeconds, lagBytes, reads }) => ({
      name,
      state,
      lagSeconds,
      lagBytes,
      reads,
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#checking;
    await Promise.all(this.replicas.map((replica) => replica.pool.close()));
  }

  async #check(): Promise<void> {
    // The primary first: a replica's position is compared with what the primary had written by then.
    const primaryLsn = await withTimeout(
      this.#primary.pg.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'),
      this.#timeoutMs,
    ).then(
      ({ rows }) => parseLsn(rows[0]!.lsn),
      () => undefined,
    );
    const now = this.#now();
    if (primaryLsn !== undefined && (this.#samples.at(-1)?.lsn ?? -1n) < primaryLsn) {
      this.#samples.push({ at: now, lsn: primaryLsn });
      if (this.#samples.length > MAX_SAMPLES) this.#samples.shift();
    }
    await Promise.all(this.replicas.map((replica) => this.#checkReplica(replica, primaryLsn, now)));
  }

  async #checkReplica(replica: Replica, primaryLsn: bigint | undefined, now: number): Promise<void> {
    const previous = replica.state;
    try {
      const { rows } = await withTimeout(
        replica.pool.pg.query<{ in_recovery: boolean; replay_lsn: string | null }>(
          'SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn',
        ),
        this.#timeoutMs,
      );
      const row = rows[0]!;
      if (!row.in_recovery || row.replay_lsn === null) {
        Object.assign(replica, { state: 'not_in_recovery', replayLsn: undefined, lagSeconds: null, lagBytes: null });
      } else {
        const replayLsn = parseLsn(row.replay_lsn);
        const missing = this.#samples.find((sample) => sample.lsn > replayLsn);
        const lagSeconds = missing ? Math.max(0, (now - missing.at) / 1000) : 0;
        replica.replayLsn = replayLsn;
        replica.lagSeconds = lagSeconds;
        replica.lagBytes = primaryLsn === undefined ? null : Math.max(0, Number(primaryLsn - replayLsn));
        replica.state = lagSeconds > this.maxLagSeconds ? 'lagging' : 'usable';
      }
    } catch (error) {
      if (previous !== 'down') {
        this.#log(`read replica ${replica.name} is down: ${error instanceof Error ? error.message : String(error)}`);
      }
      Object.assign(replica, { state: 'down', lagSeconds: null, lagBytes: null });
      return;
    }
    if (previous !== replica.state && replica.state !== 'usable') {
      this.#log(`read replica ${replica.name} skipped: ${replica.state} (lag ${replica.lagSeconds ?? '?'} s)`);
    }
  }
}
