// Parameter pools: each workload's sample, stored once in the benchmarked database (schema bench_params) so that our
// driver and pgbench draw from the same rows: ours loads them into memory, pgbench reads row :n in a scalar
// subquery (bench/pgbench.ts).
import type postgres from 'postgres';
import type { Params, Workload } from './workloads.ts';

export const PARAMS_SCHEMA = 'bench_params';

export interface ParameterPool {
  /** Table holding the rows, numbered n = 1..rows.length. */
  table: string;
  /** Column names, in the sample's order. */
  columns: string[];
  rows: Params[];
}

export function poolTableName(workload: Workload): string {
  return `${PARAMS_SCHEMA}.${workload.name.replaceAll('.', '__')}`;
}

/** Builds (again) the pool of every workload from its sample and loads it; fails on an empty sample. */
export async function buildParameterPools(
  sql: postgres.Sql,
  workloads: readonly Workload[],
): Promise<Map<string, ParameterPool>> {
  await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${PARAMS_SCHEMA}`);
  const pools = new Map<string, ParameterPool>();
  for (const workload of workloads) {
    const table = poolTableName(workload);
    await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
    if (workload.setup) await sql.unsafe(workload.setup);
    await sql.unsafe(
      `CREATE UNLOGGED TABLE ${table} AS
         SELECT row_number() OVER () AS n, sample.* FROM (${workload.sample}) AS sample`,
    );
    await sql.unsafe(`ALTER TABLE ${table} ADD PRIMARY KEY (n)`);
    await sql.unsafe(`ANALYZE ${table}`);
    const rows = await sql.unsafe<Params[]>(`SELECT * FROM ${table} ORDER BY n`);
    if (rows.length === 0) throw new Error(`${workload.name}: its sample found no rows; is the database seeded?`);
    const columns = Object.keys(rows[0] as Params).filter((column) => column !== 'n');
    pools.set(workload.name, { table, columns, rows: rows.map(({ n: _n, ...row }) => row) });
  }
  return pools;
}

/** Deletes what a run of a fresh-row write inserted (Workload.fresh), so the next side inserts the same rows. */
export async function removeFreshRows(sql: postgres.Sql, workload: Workload, since: Date): Promise<number> {
  if (!workload.fresh) return 0;
  const deleted = await sql.unsafe(`DELETE FROM ${workload.fresh.table} WHERE created_at >= $1`, [since]);
  return deleted.count;
}
