// Secondary indexes of the big tables are dropped before their COPY and built again after it: one sort per index
// (in parallel workers) is cheaper than millions of random insertions into each of them. Indexes behind a
// constraint (primary keys, unique keys) stay, so the data is checked against them as it loads.
import type { SeedSql } from './table.ts';

export interface DeferredIndex {
  name: string;
  /** CREATE INDEX statement as pg_get_indexdef gives it (ON ONLY for a partitioned table). */
  definition: string;
}

/** Drops the indexes of `table` that back no constraint; returns how to build them again. */
export async function dropSecondaryIndexes(sql: SeedSql, table: string): Promise<DeferredIndex[]> {
  const { rows: indexes } = await sql.query<DeferredIndex>(
    `SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
    [table],
  );
  for (const index of indexes) await sql.query(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
  return indexes;
}

/**
 * Builds the dropped indexes again. On a partitioned table, CREATE INDEX without ONLY builds the index of every
 * partition and attaches it, under the names PostgreSQL gives when a partition is created after its index.
 */
export async function recreateIndexes(sql: SeedSql, indexes: readonly DeferredIndex[]): Promise<void> {
  for (const index of indexes) await sql.query(index.definition.replace(/ ON ONLY /, ' ON '));
}
