import { sql } from 'kysely';
import type { JobContext, JobDb, JobDefinition } from '../../platform/jobs/job.ts';
import type { Row } from '../batches.ts';
import { loadTableRegistry } from '../table-registry.ts';
import { dropExpiredPartitions } from './partitions.ts';
import type { RetentionJobOptions } from './retention-activity.ts';
import { nullInBatches, olderThan, purgeInBatches, timeLimit } from './retention-support.ts';

/** The tables of spec §18.1 "Analytiques détaillées" this job enforces (read by retention-coverage.ts). */
export const ANALYTICS_TABLES = ['analytics_events', 'playback_history', 'daily_metrics'] as const;

/**
 * The daily_metrics row (metric `events`, dimension `total`) that holds the number of raw events of a day. It is
 * written in the same transaction as the rest of the day's aggregates, so its presence means "this day of
 * analytics_events is aggregated": a day is never counted twice (ADR 0018).
 */
export const AGGREGATED_DAY_METRIC = 'events';

/** Prefix of the monthly rollups daily_metrics rows are folded into when they expire (ADR 0018). */
export const MONTHLY_PREFIX = 'monthly.';

/** What playback_history keeps of a play once anonymised (spec §18.2, §18.3, ADR 0003). */
export const PLAYBACK_IDENTIFYING_COLUMNS = ['user_id', 'device_type', 'source', 'source_id'] as const;

/**
 * statement_timeout of the statements that read a whole day of raw events (the pool's default is 10 s). They lock
 * no row anyone else writes: reads, and inserts of the day's new aggregate rows.
 */
export const DAY_STATEMENT_TIMEOUT = '15min';

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The closed UTC days that have raw events and no `events` total row yet, oldest first. */
async function daysToAggregate(context: JobContext, today: string): Promise<string[]> {
  const { db } = context;
  const marked = new Set(
    (
      await sql<{ day: string }>`
        SELECT metric_date::text AS day FROM daily_metrics
        WHERE metric_name = ${AGGREGATED_DAY_METRIC} AND dimension = 'total' AND dimension_value = ''`.execute(db)
    ).rows.map((row) => row.day),
  );
  const { rows: leaves } = await sql<{ leaf: string; bound: string }>`
    SELECT tree.relid::regclass::text AS leaf, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_partition_tree('analytics_events') AS tree JOIN pg_class c ON c.oid = tree.relid
    WHERE tree.isleaf`.execute(db);
  const days = new Set<string>();
  for (const { leaf, bound } of leaves) {
    // A daily partition whose closed days are all aggregated is not read at all (most of them, every night).
    const range = /^FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)$/.exec(bound ?? '');
    if (range) {
      const [, from = '', to = ''] = range;
      const end = to < today ? to : today;
      let pending = false;
      for (let day = from; day < end && !pending; day = addDays(day, 1)) pending = !marked.has(day);
      if (!pending) continue;
    }
    const found = await context.transaction(async (tx) => {
      await sql`SELECT set_config('statement_timeout', ${DAY_STATEMENT_TIMEOUT}, true)`.execute(tx);
      // `leaf` is a regclass name from the catalog, already quoted where it needs to be.
      const { rows } = await sql<{ day: string }>`
        SELECT DISTINCT event_date::text AS day FROM ${sql.raw(leaf)} WHERE event_date < ${today}::date`.execute(tx);
      return rows;
    });
    for (const { day } of found) if (!marked.has(day)) days.add(day);
  }
  return [...days].sort();
}

interface DayResult {
  events: number;
  metricRows: number;
  trackRows: number;
  entityRows: number;
  unattributed: number;
}

/**
 * Adds the raw events of one closed UTC day to daily_metrics and track_analytics, once: under an advisory lock
 * per day, and only while the day's `events` total row is absent (it is written by the same statement).
 * Every counter is added to what is there (ON CONFLICT … + EXCLUDED), so rows written by anyone else are kept.
 */
async function aggregateDay(tx: JobDb, day: string): Promise<DayResult | null> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('retention.analytics'), ${day}::date - DATE '2000-01-01')`.execute(
    tx,
  );
  await sql`SELECT set_config('statement_timeout', ${DAY_STATEMENT_TIMEOUT}, true)`.execute(tx);
  const already = await sql`
    SELECT 1 FROM daily_metrics
    WHERE metric_name = ${AGGREGATED_DAY_METRIC} AND metric_date = ${day}::date AND dimension = 'total'
      AND dimension_value = ''`.execute(tx);
  if (already.rows.length > 0) return null;

  // Malformed properties count as 0 seconds / 0 % rather than failing the night's run.
  const {
    rows: [result],
  } = await sql<DayResult>`
    WITH day_events AS MATERIALIZED (
      SELECT event_type::text AS event_type, entity_type::text AS entity_type, entity_id, user_id,
             device_type::text AS device_type, country_code::text AS country_code,
             properties ->> 'source' AS source,
             CASE WHEN properties ->> 'played_seconds' ~ '^[0-9]{1,9}([.][0-9]+)?$'
                  THEN round((properties ->> 'played_seconds')::numeric)::bigint ELSE 0 END AS played_seconds,
             CASE WHEN properties ->> 'completion_percentage' ~ '^[0-9]{1,3}([.][0-9]+)?$'
                  THEN LEAST(round((properties ->> 'completion_percentage')::numeric), 100)::integer
                  ELSE 0 END AS completion
      FROM analytics_events WHERE event_date = ${day}::date
    ),
    metrics AS (
      INSERT INTO daily_metrics (metric_date, metric_name, dimension, dimension_value, value, unit)
      SELECT ${day}::date, m.metric_name, m.dimension, m.dimension_value, m.value, m.unit
      FROM (
        SELECT ${AGGREGATED_DAY_METRIC} AS metric_name, 'total' AS dimension, '' AS dimension_value,
               count(*)::numeric AS value, 'count' AS unit
        FROM day_events
        UNION ALL
        SELECT ${AGGREGATED_DAY_METRIC}, 'event_type', event_type, count(*), 'count' FROM day_events GROUP BY 3
        UNION ALL
        SELECT ${AGGREGATED_DAY_METRIC}, 'entity_type', COALESCE(entity_type, 'none'), count(*), 'count'
        FROM day_events GROUP BY 3
        UNION ALL
        SELECT ${AGGREGATED_DAY_METRIC}, 'country_code', COALESCE(country_code, 'unknown'), count(*), 'count'
        FROM day_events GROUP BY 3
        UNION ALL
        SELECT ${AGGREGATED_DAY_METRIC}, 'device_type', COALESCE(device_type, 'unknown'), count(*), 'count'
        FROM day_events GROUP BY 3
        UNION ALL
        SELECT 'played_seconds', 'total', '', COALESCE(sum(played_seconds), 0), 'seconds'
        FROM day_events WHERE event_type = 'play' HAVING count(*) > 0
      ) AS m
      ON CONFLICT ON CONSTRAINT uq_daily_metrics_metric_name_metric_date_dimension
      DO UPDATE SET value = daily_metrics.value + EXCLUDED.value
      RETURNING 1
    ),
    per_track AS (
      INSERT INTO track_analytics (
        track_id, day, play_count, unique_listeners, total_played_seconds, completion_percentage_sum,
        complete_count, skip_count, like_count, comment_count, share_count, download_count)
      SELECT e.entity_id, ${day}::date,
             count(*) FILTER (WHERE e.event_type = 'play'),
             count(DISTINCT e.user_id) FILTER (WHERE e.event_type = 'play'),
             COALESCE(sum(e.played_seconds) FILTER (WHERE e.event_type = 'play'), 0),
             COALESCE(sum(e.completion) FILTER (WHERE e.event_type = 'play'), 0),
             count(*) FILTER (WHERE e.event_type = 'play' AND e.completion = 100),
             count(*) FILTER (WHERE e.event_type = 'skip'),
             count(*) FILTER (WHERE e.event_type = 'like'),
             count(*) FILTER (WHERE e.event_type = 'comment'),
             count(*) FILTER (WHERE e.event_type = 'share'),
             count(*) FILTER (WHERE e.event_type = 'download')
      FROM day_events e JOIN tracks t ON t.id = e.entity_id
      WHERE e.entity_type = 'track' AND e.event_type IN ('play', 'skip', 'like', 'comment', 'share', 'download')
      GROUP BY e.entity_id
      ON CONFLICT ON CONSTRAINT uq_track_analytics_track_id_day DO UPDATE SET
        play_count = track_analytics.play_count + EXCLUDED.play_count,
        unique_listeners = track_analytics.unique_listeners + EXCLUDED.unique_listeners,
        total_played_seconds = track_analytics.total_played_seconds + EXCLUDED.total_played_seconds,
        completion_percentage_sum = track_analytics.completion_percentage_sum + EXCLUDED.completion_percentage_sum,
        complete_count = track_analytics.complete_count + EXCLUDED.complete_count,
        skip_count = track_analytics.skip_count + EXCLUDED.skip_count,
        like_count = track_analytics.like_count + EXCLUDED.like_count,
        comment_count = track_analytics.comment_count + EXCLUDED.comment_count,
        share_count = track_analytics.share_count + EXCLUDED.share_count,
        download_count = track_analytics.download_count + EXCLUDED.download_count
      RETURNING 1
    ),
    -- Sources and devices of plays, views of products and courses, with the distinct people behind each cell
    -- (ADR 0093: what the creator statistics' k-anonymity rule reads). Entities that no longer exist are skipped.
    entity_cells AS (
      SELECT e.entity_type, e.entity_id, e.event_type,
             CASE WHEN GROUPING(e.device) = 0 THEN 'device_type' WHEN GROUPING(e.source) = 0 THEN 'source'
                  ELSE 'total' END AS dimension,
             CASE WHEN GROUPING(e.device) = 0 THEN e.device WHEN GROUPING(e.source) = 0 THEN e.source
                  ELSE '' END AS dimension_value,
             count(*)::int AS event_count, count(DISTINCT e.user_id)::int AS distinct_users
      FROM (
        SELECT entity_type, entity_id, event_type, user_id, COALESCE(device_type, 'unknown') AS device,
               CASE WHEN source IN ('playlist', 'album', 'search', 'direct') THEN source ELSE 'unknown' END AS source
        FROM day_events
        WHERE (entity_type = 'track' AND event_type = 'play')
           OR (entity_type = 'product' AND event_type IN ('page_view', 'add_to_cart'))
           OR (entity_type = 'course' AND event_type = 'page_view')
      ) AS e
      GROUP BY GROUPING SETS (
        (e.entity_type, e.entity_id, e.event_type),
        (e.entity_type, e.entity_id, e.event_type, e.device),
        (e.entity_type, e.entity_id, e.event_type, e.source))
    ),
    per_entity AS (
      INSERT INTO entity_analytics_breakdowns (
        track_id, product_id, course_id, day, event_type, dimension, dimension_value, event_count, distinct_users)
      SELECT t.id, p.id, c.id, ${day}::date, cell.event_type, cell.dimension, cell.dimension_value,
             cell.event_count, cell.distinct_users
      FROM entity_cells cell
      LEFT JOIN tracks t ON cell.entity_type = 'track' AND t.id = cell.entity_id
      LEFT JOIN products p ON cell.entity_type = 'product' AND p.id = cell.entity_id
      LEFT JOIN courses c ON cell.entity_type = 'course' AND c.id = cell.entity_id
      WHERE COALESCE(t.id, p.id, c.id) IS NOT NULL AND (cell.dimension <> 'source' OR cell.event_type = 'play')
      ON CONFLICT ON CONSTRAINT uq_entity_analytics_breakdowns_cell DO UPDATE SET
        event_count = entity_analytics_breakdowns.event_count + EXCLUDED.event_count,
        distinct_users = entity_analytics_breakdowns.distinct_users + EXCLUDED.distinct_users
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM day_events)::int AS events,
           (SELECT count(*) FROM metrics)::int AS "metricRows",
           (SELECT count(*) FROM per_track)::int AS "trackRows",
           (SELECT count(*) FROM per_entity)::int AS "entityRows",
           (SELECT count(*) FROM day_events e
            WHERE e.entity_type = 'track' AND NOT EXISTS (SELECT 1 FROM tracks t WHERE t.id = e.entity_id))::int
             AS unattributed`.execute(tx);
  return result ?? null;
}

/** Folds expired daily rows into their month's `monthly.*` row, in the transaction that deletes them. */
async function rollUpIntoMonths(rows: Row[], tx: JobDb): Promise<number> {
  const written = await sql`
    INSERT INTO daily_metrics (metric_date, metric_name, dimension, dimension_value, value, unit)
    SELECT date_trunc('month', r.metric_date)::date, ${MONTHLY_PREFIX} || r.metric_name, r.dimension,
           r.dimension_value, sum(r.value), min(r.unit)
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
      metric_date date, metric_name text, dimension text, dimension_value text, value numeric, unit text)
    WHERE r.unit <> 'percent'
    GROUP BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT uq_daily_metrics_metric_name_metric_date_dimension
    DO UPDATE SET value = daily_metrics.value + EXCLUDED.value`.execute(tx);
  return Number(written.numAffectedRows ?? 0);
}

/**
 * Spec §18.1 "Analytiques détaillées" (12 months, "anonymisation puis agrégation"), ADR 0018:
 * 1. every closed UTC day of analytics_events not aggregated yet is added to daily_metrics (events by type, entity
 *    type, country, device; seconds played) and track_analytics (per track and day), once, in one transaction;
 * 2. raw events older than the registry's limit (event_date), all aggregated by then, are deleted: whole day
 *    partitions past the limit are dropped (partitions.ts), the rest deleted in batches;
 * 3. playback_history older than the limit (played_at) loses user_id, device_type, source and source_id (NULL:
 *    the foreign key holds, unlike §18.3's random UUIDs); the anonymous play stays, so tracks.play_count and the
 *    plays per track and day are unchanged. It is not added to track_analytics, whose plays come from
 *    analytics_events: that would count each play twice;
 * 4. daily_metrics older than the limit (metric_date) are added to their month's `monthly.<metric>` row and
 *    deleted, once no raw event of their day is left (the `events` row marks the day as aggregated until then).
 */
export function createRetentionAnalytics(options: RetentionJobOptions = {}): JobDefinition {
  return {
    name: 'retention.analytics',
    description:
      'aggregate analytics events per day, delete them after 12 months, anonymise plays, roll up old daily metrics',
    defaultSchedule: '45 3 * * *',
    async run(context: JobContext) {
      const registry = options.registry ?? loadTableRegistry();
      const batch = { batchSize: options.batchSize };
      const events = timeLimit(registry, 'analytics_events');
      const plays = timeLimit(registry, 'playback_history');
      const metrics = timeLimit(registry, 'daily_metrics');

      // The closed days are those before the run's UTC day (JobContext.now, not the server's NOW()).
      const today = context.now.toISOString().slice(0, 10);

      context.count('daily_metrics', 0);
      context.count('track_analytics', 0);
      context.count('entity_analytics_breakdowns', 0);
      for (const day of await daysToAggregate(context, today)) {
        const result = await context.transaction((tx) => aggregateDay(tx, day));
        if (!result) continue;
        context.count('daily_metrics', result.metricRows);
        context.count('track_analytics', result.trackRows);
        context.count('entity_analytics_breakdowns', result.entityRows);
        context.log(
          `retention.analytics: aggregated ${day}: ${result.events} event(s)` +
            (result.unattributed > 0
              ? `, ${result.unattributed} of them about tracks that no longer exist (counted in daily_metrics only)`
              : ''),
        );
      }

      // Every day old enough is aggregated now: whole day partitions past the limit can go at once (ADR 0017's
      // dropExpiredPartitions, a short DETACH then DROP). The rows left (the default partition, a partition that
      // straddles the limit) are deleted in batches. A dry run deletes them all in batches instead, so that it
      // reports the same number of rows.
      if (!context.dryRun)
        await dropExpiredPartitions(context, 'analytics_events', { maxAgeDays: events.days, archive: false });
      await purgeInBatches(
        context,
        'analytics_events',
        sql`
          ${sql.ref(`analytics_events.${events.clock}`)} < ${today}::date - ${events.days}::int
          AND EXISTS (
            SELECT 1 FROM daily_metrics marker
            WHERE marker.metric_name = ${AGGREGATED_DAY_METRIC} AND marker.dimension = 'total'
              AND marker.dimension_value = '' AND marker.metric_date = analytics_events.event_date)`,
        batch,
      );

      await nullInBatches(
        context,
        'playback_history',
        PLAYBACK_IDENTIFYING_COLUMNS,
        sql`
          ${olderThan('playback_history', plays, context.now)}
          AND (playback_history.user_id IS NOT NULL OR playback_history.device_type IS NOT NULL
               OR playback_history.source IS NOT NULL OR playback_history.source_id IS NOT NULL)`,
        batch,
      );

      let monthlyRows = 0;
      await purgeInBatches(
        context,
        'daily_metrics',
        sql`
          ${sql.ref(`daily_metrics.${metrics.clock}`)} < ${today}::date - ${metrics.days}::int
          AND daily_metrics.metric_name NOT LIKE ${`${MONTHLY_PREFIX}%`}
          AND NOT EXISTS (SELECT 1 FROM analytics_events raw WHERE raw.event_date = daily_metrics.metric_date)`,
        {
          ...batch,
          countAs: 'daily_metrics:rolled_up',
          returning: ['metric_date', 'metric_name', 'dimension', 'dimension_value', 'value', 'unit'],
          onDeleted: async (rows, tx) => {
            monthlyRows += await rollUpIntoMonths(rows, tx);
          },
        },
      );
      context.count('daily_metrics', monthlyRows);
    },
  };
}

export const retentionAnalytics = createRetentionAnalytics();
