// Reads of the platform-wide metrics (issue 18 §10, ADR 0093): daily_metrics as written by retention.analytics.
// Only the daily rows: the monthly rollups (`monthly.*`) are not served, their breakdown cells having no day.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

export interface MetricRow {
  day: string;
  metric: string;
  dimension: string;
  value: string;
  amount: number;
}

/** The metrics the platform view serves: raw events by dimension, and the seconds played. */
export const PLATFORM_METRICS = ['events', 'played_seconds'] as const;

export function createPlatformMetricsRepository(db: Database) {
  return {
    async daily(from: string, to: string): Promise<MetricRow[]> {
      const { rows } = await sql<MetricRow>`
        SELECT metric_date::text AS day, metric_name AS metric, dimension, dimension_value AS value,
               value::float8 AS amount
        FROM daily_metrics
        WHERE metric_name = ANY(${[...PLATFORM_METRICS]}::text[])
          AND metric_date BETWEEN ${from}::date AND ${to}::date
        ORDER BY metric_date, metric_name, dimension, dimension_value`.execute(db);
      return rows;
    },
  };
}

export type PlatformMetricsRepository = ReturnType<typeof createPlatformMetricsRepository>;
