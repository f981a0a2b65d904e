import { sql, type RawBuilder } from 'kysely';

/**
 * A page size written into the SQL as a literal, not bound as a parameter. With `LIMIT $n` PostgreSQL cannot cost
 * the generic plan of a prepared statement (it assumes a tenth of the rows), so it plans every execution again:
 * on the partitioned `messages` that replanning cost more than the query (docs/benchmarks.md, "Fixes"). A literal
 * lets the plan be cached; page sizes are few, so are the statements.
 */
export function pageSize(limit: number): RawBuilder<number> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw new RangeError(`a page size is a whole number from 1 to 1000, not ${limit}`);
  }
  return sql.lit(limit);
}
