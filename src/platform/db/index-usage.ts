import type postgres from 'postgres';

export interface IndexUsage {
  schemaname: string;
  tablename: string;
  indexname: string;
  idx_scan: string;
  idx_tup_read: string;
  idx_tup_fetch: string;
}

/**
 * The unused-index query of spec §20.3. The spec selects `tablename` and `indexname`, which are
 * pg_indexes' column names: pg_stat_user_indexes calls them relname and indexrelname (ADR 0007).
 */
export function listUnusedIndexes(sql: postgres.Sql): Promise<IndexUsage[]> {
  return sql<IndexUsage[]>`
    SELECT schemaname, relname AS tablename, indexrelname AS indexname, idx_scan, idx_tup_read, idx_tup_fetch
    FROM pg_stat_user_indexes
    WHERE idx_scan = 0
    ORDER BY schemaname, tablename`;
}
