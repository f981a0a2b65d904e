import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Database } from './pool.ts';

const SENTINEL = '\u0000compile-once:';

/**
 * A query for the hot path (every request runs it), compiled once per database handle instead of built and
 * compiled on each call (ADR 0030). `build` is called once, with a marker in place of each argument; the markers
 * found among the compiled parameters say where each later argument goes, and every other parameter (a constant
 * of the query) is kept. So each argument must reach the query as a parameter as it is given, not transformed
 * (no `x + 1`, no `sql.lit`), and the query's shape must not depend on the arguments' values.
 */
export function compileOnce<A extends unknown[], R>(
  build: (db: Database, ...args: A) => Compilable<R>,
): (db: Database, ...args: A) => Promise<R[]> {
  const plans = new WeakMap<Database, { compiled: CompiledQuery<R>; sources: (number | undefined)[] }>();
  return async (db, ...args) => {
    let plan = plans.get(db);
    if (!plan) {
      const markers = args.map((_, index) => `${SENTINEL}${index}`) as unknown as A;
      const compiled = build(db, ...markers).compile();
      const sources = compiled.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(SENTINEL) ? Number(value.slice(SENTINEL.length)) : undefined,
      );
      const used = new Set(sources.filter((source) => source !== undefined));
      if (used.size !== args.length) throw new Error('compileOnce: every argument must be a parameter of the query');
      plan = { compiled, sources };
      plans.set(db, plan);
    }
    const { compiled, sources } = plan;
    const parameters = sources.map((source, index) =>
      source === undefined ? compiled.parameters[index] : args[source],
    );
    const { rows } = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    return rows;
  };
}
