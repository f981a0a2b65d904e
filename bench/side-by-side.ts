// One workload measured on both sides, ours then pgbench, each starting from the same data: what a fresh-row
// write inserted is removed after each side (Workload.fresh). Used directly and through PgBouncer.
import type { Kysely } from 'kysely';
import type postgres from 'postgres';
import type { DB } from '../src/platform/db/db.generated.ts';
import type { Database } from '../src/platform/db/pool.ts';
import type { Measurement } from './measurement.ts';
import { benchmarkOurs, type LoopOptions } from './ours.ts';
import { removeFreshRows, type ParameterPool } from './params.ts';
import { pgbenchScript, runPgbench, type PgbenchOptions } from './pgbench.ts';
import type { Workload } from './workloads.ts';

export interface SideBySideSetup {
  /** Our data layer: the pool's Kysely. */
  db: Database;
  /** A direct connection, to remove fresh rows. */
  admin: postgres.Sql;
  /** Compiles the workload's statements into pgbench's script. */
  compiler: Kysely<DB>;
  loop: LoopOptions;
  /** Where and how pgbench connects. */
  pgbench: Pick<PgbenchOptions, 'url' | 'protocol' | 'sessionOptions'>;
  /** Told of each side's result as soon as it is known. */
  report: (side: 'ours' | 'pgbench', measurement: Measurement) => void;
}

export async function measureSideBySide(
  workload: Workload,
  pool: ParameterPool,
  setup: SideBySideSetup,
): Promise<{ ours: Measurement; raw: Measurement }> {
  let since = new Date();
  const ours = await benchmarkOurs(setup.db, workload, pool, setup.loop);
  await removeFreshRows(setup.admin, workload, since);
  setup.report('ours', ours);
  since = new Date();
  const raw = await runPgbench(pgbenchScript(setup.compiler, workload, pool), {
    ...setup.pgbench,
    clients: setup.loop.clients,
    threads: 2,
    durationSeconds: setup.loop.durationSeconds,
    warmupSeconds: setup.loop.warmupSeconds,
  });
  await removeFreshRows(setup.admin, workload, since);
  setup.report('pgbench', raw);
  return { ours, raw };
}
