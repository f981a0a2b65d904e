// Our side of the benchmark: the workload's statements, built by the domain query functions and run through the
// service's own pool (postgres.js + Kysely, src/platform/db/pool.ts), by `clients` concurrent closed-loop callers.
import { performance } from 'node:perf_hooks';
import type { Database } from '../src/platform/db/pool.ts';
import { summarise, type Measurement } from './measurement.ts';
import type { ParameterPool } from './params.ts';
import type { Workload } from './workloads.ts';

export interface LoopOptions {
  clients: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Seed of the draws, so two runs ask for the same rows in the same order per caller. */
  seed: number;
}

/** A small, fast PRNG (mulberry32): draws must not cost more than the query. */
function draws(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs one request of `workload`: its statements, in a transaction when there are several. A compiled query does
 * not depend on the executor that built it, so the statements are built once and run on the pool or the
 * transaction.
 */
export async function runRequest(db: Database, workload: Workload, params: ParameterPool['rows'][number]) {
  const [first, ...more] = workload.statements(db, params).map((statement) => statement.compile());
  if (!first) return;
  if (more.length === 0) {
    await db.executeQuery(first);
    return;
  }
  await db.transaction().execute(async (trx) => {
    for (const compiled of [first, ...more]) await trx.executeQuery(compiled);
  });
}

export async function benchmarkOurs(
  db: Database,
  workload: Workload,
  pool: ParameterPool,
  options: LoopOptions,
): Promise<Measurement> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1000;
  const end = measureFrom + options.durationSeconds * 1000;
  let taken = 0;
  const caller = async (index: number) => {
    const next = draws(options.seed * 7919 + index);
    const draw = workload.fresh ? () => taken++ % pool.rows.length : () => Math.floor(next() * pool.rows.length);
    for (;;) {
      const began = performance.now();
      if (began >= end) return;
      const params = pool.rows[draw()] as ParameterPool['rows'][number];
      try {
        await runRequest(db, workload, params);
        if (began >= measureFrom) latencies.push(performance.now() - began);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => caller(index)));
  if (errors > 0 && latencies.length === 0) throw firstError;
  const measured = (Math.max(performance.now(), end) - measureFrom) / 1000;
  return summarise(Float64Array.from(latencies), Math.min(measured, options.durationSeconds), errors);
}
