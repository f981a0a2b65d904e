// What the report says about the database server: version, the settings that shape the figures, size, and the
// hit ratios of the run (spec targets: index > 99 %, cache > 95 %).
import type postgres from 'postgres';

export interface ServerFacts {
  version: string;
  databaseSizeBytes: number;
  settings: Record<string, string>;
}

const SETTINGS = [
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'max_connections',
  'synchronous_commit',
  'wal_level',
  'random_page_cost',
  'jit',
] as const;

export async function serverFacts(sql: postgres.Sql): Promise<ServerFacts> {
  const [{ version, size }] = (await sql`
    SELECT version() AS version, pg_database_size(current_database())::float8 AS size`) as unknown as [
    { version: string; size: number },
  ];
  const rows = await sql<{ name: string; setting: string }[]>`
    SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ${sql(SETTINGS)} ORDER BY name`;
  return { version, databaseSizeBytes: size, settings: Object.fromEntries(rows.map((row) => [row.name, row.setting])) };
}

export interface HitRatios {
  /** Index blocks found in shared buffers / index blocks needed, over the run. */
  indexHitRatio: number;
  /** Table (heap) blocks found in shared buffers / table blocks needed, over the run. */
  cacheHitRatio: number;
}

/** Zeroes the statistics the ratios are computed from, so they describe the run only. */
export async function resetStatistics(sql: postgres.Sql): Promise<void> {
  await sql`SELECT pg_stat_reset()`;
}

export async function hitRatios(sql: postgres.Sql): Promise<HitRatios> {
  const [row] = (await sql`
    SELECT (SELECT sum(idx_blks_hit)::float8 / nullif(sum(idx_blks_hit + idx_blks_read), 0)
              FROM pg_statio_user_indexes) AS index_hit_ratio,
           (SELECT sum(heap_blks_hit)::float8 / nullif(sum(heap_blks_hit + heap_blks_read), 0)
              FROM pg_statio_user_tables) AS cache_hit_ratio`) as unknown as [
    { index_hit_ratio: number | null; cache_hit_ratio: number | null },
  ];
  return { indexHitRatio: row.index_hit_ratio ?? Number.NaN, cacheHitRatio: row.cache_hit_ratio ?? Number.NaN };
}
