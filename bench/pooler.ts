// 1,000 clients through PgBouncer in transaction mode (docs/pgbouncer.md): our pool with 1,000 connections and
// unnamed statements, then pgbench with 1,000 clients, both through a server pool of ~100 connections.
import type { Kysely } from 'kysely';
import type postgres from 'postgres';
import type { Config } from '../src/platform/config/config.ts';
import type { DB } from '../src/platform/db/db.generated.ts';
import { openPool } from '../src/platform/db/pool.ts';
import type { Measurement } from './measurement.ts';
import { benchmarkOurs, type LoopOptions } from './ours.ts';
import { removeFreshRows, type ParameterPool } from './params.ts';
import { startPgBouncer } from './pgbouncer.ts';
import { pgbenchScript, runPgbench } from './pgbench.ts';
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
        const parameterPool = pools.get(workload.name)!;
        const base = { name: workload.name, clients: options.clients, serverPool: options.serverPool };
        let since = new Date();
        keep({ ...base, side: 'ours', measurement: await benchmarkOurs(pool.db, workload, parameterPool, options) });
        await removeFreshRows(options.admin, workload, since);
        since = new Date();
        const raw = await runPgbench(pgbenchScript(options.compiler, workload, parameterPool), {
          url: bouncer.url,
          clients: options.clients,
          threads: 2,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          protocol: 'extended',
        });
        await removeFreshRows(options.admin, workload, since);
        keep({ ...base, side: 'pgbench', measurement: raw });
      }
    } finally {
      await pool.close();
    }
  } finally {
    await bouncer.stop();
  }
  return rows;
}
