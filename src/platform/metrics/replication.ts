import { sql } from 'kysely';
import type { Database } from '../db/pool.ts';

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
