import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/pool.ts';
import type { ReplicaSet } from '../db/replica-set.ts';

export interface ReplicaLag {
  /** The standby's application_name (Patroni: the member name), else its address. */
  name: string;
  /** null when not known: the role may not read the lag columns, or the standby is behind but not yet measured. */
  lagSeconds: number | null;
  lagBytes: number | null;
}

export interface ReplicationStatus {
  /** Standbys in state `streaming`. */
  streaming: number;
  replicas: ReplicaLag[];
}

/** A scrape waits this long for PostgreSQL at most; a slow answer leaves the replication series out of that scrape. */
export const REPLICATION_READ_TIMEOUT_MS = 1_000;

/**
 * Replication as the primary the service writes to sees it (pg_stat_replication), or undefined when it cannot be read
 * in time. No standby: zero and no rows. The columns other than the name are NULL unless the role has pg_monitor (or
 * pg_read_all_stats); such rows count as not streaming and their lag is unknown (docs/operations.md says so).
 *
 * replay_lag turns NULL a few seconds after a standby has replayed everything and no more WAL comes: that is a lag
 * of zero, and it is reported as 0 only when the byte lag confirms it.
 */
export async function replicationStatus(
  db: Database,
  timeoutMs = REPLICATION_READ_TIMEOUT_MS,
): Promise<ReplicationStatus | undefined> {
  const query = sql<{ name: string; state: string | null; lag_seconds: number | null; lag_bytes: number | null }>`
    SELECT coalesce(nullif(application_name, ''), host(client_addr), 'local') AS name,
           state,
           extract(epoch FROM replay_lag)::float8 AS lag_seconds,
           CASE WHEN replay_lsn IS NULL OR pg_is_in_recovery() THEN NULL
                ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS lag_bytes
    FROM pg_stat_replication
    ORDER BY 1`
    .execute(db)
    .then(
      ({ rows }): ReplicationStatus => ({
        streaming: rows.filter((row) => row.state === 'streaming').length,
        replicas: rows.map((row) => ({
          name: row.name,
          lagSeconds: row.lag_seconds ?? (row.lag_bytes === 0 ? 0 : null),
          lagBytes: row.lag_bytes,
        })),
      }),
      () => undefined,
    );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The read replicas as this process routes to them (ADR 0099), from their last periodic check: lag, whether each
 * serves reads, and where routed reads went. Unlike the series above, these come from every process, workers
 * included, since each one checks and uses the replicas on its own.
 */
export function trackReadReplicas(registry: Registry, replicas: ReplicaSet): void {
  const registers = [registry];
  new Gauge({
    name: 'veza_db_read_replica_lag_seconds',
    help: 'Seconds of primary WAL a read replica has not replayed, to the check interval (absent: not known)',
    labelNames: ['replica'],
    registers,
    collect() {
      this.reset();
      for (const replica of replicas.status()) {
        if (replica.lagSeconds !== null) this.set({ replica: replica.name }, replica.lagSeconds);
      }
    },
  });
  new Gauge({
    name: 'veza_db_read_replica_usable',
    help: '1 when a read replica serves reads, 0 when it is skipped (lagging past the threshold, down, not a standby)',
    labelNames: ['replica', 'state'],
    registers,
    collect() {
      this.reset();
      for (const replica of replicas.status()) {
        this.set({ replica: replica.name, state: replica.state }, replica.state === 'usable' ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'veza_db_routed_reads',
    help: 'Requests of replica-enabled routes since start, by the server of their reads: a replica, or "primary"',
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      this.set({ server: 'primary' }, replicas.primaryReads);
      for (const replica of replicas.status()) this.set({ server: replica.name }, replica.reads);
    },
  });
}
