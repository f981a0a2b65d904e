// 1,000 clients through PgBouncer in transaction mode (docs/pgbouncer.md): our pool with 1,000 connections and
// unnamed statements, then pgbench with 1,000 clients, both through a server pool of ~100 connections.
import type { Kysely } from 'kysely';
import type postgres from 'postgres';
import type { Config } from '../src/platform/config/config.ts';
import type { DB } from '../src/platform/db/db.generated.ts';
import { openPool } from '../src/platform/db/pool.ts';
import type { Measurement } from './measurement.ts';
import type { LoopOptions } from './ours.ts';
import type { ParameterPool } from './params.ts';
import { startPgBouncer } from './pgbouncer.ts';
import { measureSideBySide } from './side-by-side.ts';
import type { Workload } from './workloads.ts';

export interface PoolerRow {
  name: string;
  side: 'ours' | 'pgbench';
  clients: number;
  serverPool: number;
  measurement: Measurement;
}

export interface PoolerOptions extends LoopOptions {
  serverUrl: string;
  serverPool: number;
  db: Config['db'];
  compiler: Kysely<DB>;
  /** A direct connection, to remove what fresh-row writes inserted. */
  admin: postgres.Sql;
  report: (row: PoolerRow) => void;
}

export async function benchmarkThroughPooler(
  workloads: readonly Workload[],
  pools: Map<string, ParameterPool>,
  options: PoolerOptions,
): Promise<PoolerRow[]> {
  const bouncer = await startPgBouncer({
    serverUrl: options.serverUrl,
    poolSize: options.serverPool,
    // Our pool keeps its connections while pgbench opens its own.
    maxClientConnections: options.clients * 2 + 100,
    db: options.db,
  });
  const rows: PoolerRow[] = [];
  const keep = (row: PoolerRow) => {
    rows.push(row);
    options.report(row);
  };
  try {
    const pool = openPool(bouncer.url, { ...options.db, poolSize: options.clients, prepareStatements: false });
    try {
      for (const workload of workloads) {
        const base = { name: workload.name, clients: options.clients, serverPool: options.serverPool };
        await measureSideBySide(workload, pools.get(workload.name)!, {
          db: pool.db,
          admin: options.admin,
          compiler: options.compiler,
          loop: options,
          // Unnamed statements: a named one would not exist on the next server connection (ADR 0026).
          pgbench: { url: bouncer.url, protocol: 'extended' },
          report: (side, measurement) => keep({ ...base, side, measurement }),
        });
      }
    } finally {
      await pool.close();
    }
  } finally {
    await bouncer.stop();
  }
  return rows;
}
