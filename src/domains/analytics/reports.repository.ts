// Every SQL statement of statistics exports (issue 18 §8; ADR 0094): the `reports` rows and the aggregates a
// report is made of. The creator reports read only aggregate tables (track_analytics) or count per day and
// product; no statement here selects a listener's or a buyer's id, only counts of distinct ones.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';
import type { JobDb } from '../../platform/jobs/job.ts';
import type { ReportFormat, ReportType } from './reports.schemas.ts';

export interface ReportRow {
  id: string;
  requested_by: string | null;
  report_type: ReportType;
  title: string;
  format: ReportFormat;
  status: 'pending' | 'processing' | 'completed' | 'failed' | 'expired';
  period_start: string;
  period_end: string;
  file_id: string | null;
  error_message: string | null;
  created_at: Date;
  generated_at: Date | null;
  expires_at: Date | null;
}

const REPORT_COLUMNS = sql`id, requested_by, report_type, title, format, status, period_start::text AS period_start,
  period_end::text AS period_end, file_id, error_message, created_at, generated_at, expires_at`;

export interface TrackDayRow {
  day: string;
  track_id: string;
  title: string;
  play_count: number;
  unique_listeners: number;
  total_played_seconds: number;
  avg_completion: string | null;
  like_count: number;
  share_count: number;
  download_count: number;
}

export interface SalesDayRow {
  day: string;
  product_id: string;
  product_name: string;
  currency: string;
  units: number;
  buyers: number;
  gross: string;
}

export interface CountRow {
  day: string;
  label: string;
  detail: string;
  value: string;
  unit: string;
}

export function createReportsRepository(db: Database) {
  return {
    async insert(values: {
      requested_by: string;
      report_type: ReportType;
      title: string;
      format: ReportFormat;
      period_start: string;
      period_end: string;
    }): Promise<ReportRow> {
      const { rows } = await sql<ReportRow>`
        INSERT INTO reports (requested_by, report_type, title, format, period_start, period_end)
        VALUES (${values.requested_by}, ${values.report_type}, ${values.title}, ${values.format},
                ${values.period_start}::date, ${values.period_end}::date)
        RETURNING ${REPORT_COLUMNS}`.execute(db);
      return rows[0] as ReportRow;
    },

    async countWaiting(userId: string): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM reports
        WHERE requested_by = ${userId} AND status IN ('pending', 'processing')`.execute(db);
      return rows[0]?.n ?? 0;
    },

    async find(id: string, tx: JobDb = db): Promise<ReportRow | undefined> {
      const { rows } = await sql<ReportRow>`SELECT ${REPORT_COLUMNS} FROM reports WHERE id = ${id}`.execute(tx);
      return rows[0];
    },

    async listOwn(userId: string, limit: number): Promise<ReportRow[]> {
      const { rows } = await sql<ReportRow>`
        SELECT ${REPORT_COLUMNS} FROM reports WHERE requested_by = ${userId}
        ORDER BY created_at DESC, id DESC LIMIT ${limit}`.execute(db);
      return rows;
    },

    async delete(id: string, tx: JobDb = db): Promise<void> {
      await sql`DELETE FROM reports WHERE id = ${id}`.execute(tx);
    },

    /**
     * Takes the oldest pending report (or one left processing by a run that died `staleBefore`), marking it
     * processing; SKIP LOCKED: two workers never take the same one.
     */
    async claim(tx: JobDb, now: Date, staleBefore: Date): Promise<ReportRow | undefined> {
      const { rows } = await sql<ReportRow>`
        UPDATE reports SET status = 'processing', started_at = ${now}, error_message = NULL
        WHERE id = (
          SELECT id FROM reports
          WHERE status = 'pending' OR (status = 'processing' AND started_at < ${staleBefore})
          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${REPORT_COLUMNS}`.execute(tx);
      return rows[0];
    },

    /** False when the report is gone (deleted by its requester while it was generated) or no longer processing. */
    async complete(tx: JobDb, id: string, fileId: string, generatedAt: Date, expiresAt: Date): Promise<boolean> {
      const result = await sql`
        UPDATE reports SET status = 'completed', file_id = ${fileId}, generated_at = ${generatedAt},
          expires_at = ${expiresAt}
        WHERE id = ${id} AND status = 'processing'`.execute(tx);
      return Number(result.numAffectedRows ?? 0) === 1;
    },

    async fail(id: string, message: string): Promise<void> {
      await sql`UPDATE reports SET status = 'failed', error_message = ${message.slice(0, 1000)} WHERE id = ${id}`.execute(
        db,
      );
    },

    /** Completed reports past their expiry, locked for this transaction. */
    async lockExpired(tx: JobDb, now: Date, limit: number): Promise<{ id: string; file_id: string | null }[]> {
      const { rows } = await sql<{ id: string; file_id: string | null }>`
        SELECT id, file_id FROM reports WHERE status = 'completed' AND expires_at <= ${now}
        ORDER BY expires_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(tx);
      return rows;
    },

    async markExpired(tx: JobDb, id: string): Promise<void> {
      await sql`UPDATE reports SET status = 'expired', file_id = NULL WHERE id = ${id}`.execute(tx);
    },

    /** Per track and day, the creator's own tracks (deleted ones included: their past plays were theirs). */
    async trackPerformance(tx: JobDb, creatorId: string, start: string, end: string): Promise<TrackDayRow[]> {
      const { rows } = await sql<TrackDayRow>`
        SELECT a.day::text AS day, a.track_id, t.title, a.play_count, a.unique_listeners,
               a.total_played_seconds::float8 AS total_played_seconds,
               a.avg_completion_percentage::text AS avg_completion, a.like_count, a.share_count, a.download_count
        FROM track_analytics a JOIN tracks t ON t.id = a.track_id
        WHERE t.creator_id = ${creatorId} AND a.day BETWEEN ${start}::date AND ${end}::date
        ORDER BY a.day, t.title, a.track_id`.execute(tx);
      return rows;
    },

    /** Per product, day and currency: paid lines the caller sold, with the number of distinct buyers. */
    async sales(tx: JobDb, sellerId: string, start: string, end: string): Promise<SalesDayRow[]> {
      const { rows } = await sql<SalesDayRow>`
        SELECT (o.paid_at AT TIME ZONE 'UTC')::date::text AS day, i.product_id, min(i.product_name) AS product_name,
               o.currency, count(*)::int AS units, count(DISTINCT o.user_id)::int AS buyers,
               sum(i.price)::text AS gross
        FROM order_items i JOIN orders o ON o.id = i.order_id
        WHERE i.seller_id = ${sellerId} AND o.status IN ('paid', 'completed') AND o.paid_at IS NOT NULL
          AND (o.paid_at AT TIME ZONE 'UTC')::date BETWEEN ${start}::date AND ${end}::date
        GROUP BY 1, 2, 4 ORDER BY 1, 3, 2, 4`.execute(tx);
      return rows;
    },

    /** Platform figures of daily_metrics (the monthly rollups of older days are reports of their own). */
    async platformActivity(tx: JobDb, start: string, end: string): Promise<CountRow[]> {
      const { rows } = await sql<CountRow>`
        SELECT metric_date::text AS day, metric_name AS label,
               CASE WHEN dimension = 'total' THEN 'total' ELSE dimension || '=' || dimension_value END AS detail,
               value::text AS value, unit
        FROM daily_metrics
        WHERE metric_date BETWEEN ${start}::date AND ${end}::date AND metric_name NOT LIKE 'monthly.%'
        ORDER BY 1, 2, 3`.execute(tx);
      return rows;
    },

    async userGrowth(tx: JobDb, start: string, end: string): Promise<CountRow[]> {
      const { rows } = await sql<CountRow>`
        SELECT (created_at AT TIME ZONE 'UTC')::date::text AS day, 'signups' AS label, role::text AS detail,
               count(*)::text AS value, 'count' AS unit
        FROM users WHERE (created_at AT TIME ZONE 'UTC')::date BETWEEN ${start}::date AND ${end}::date
        GROUP BY 1, 3 ORDER BY 1, 3`.execute(tx);
      return rows;
    },

    async moderation(tx: JobDb, start: string, end: string): Promise<CountRow[]> {
      const { rows } = await sql<CountRow>`
        SELECT (created_at AT TIME ZONE 'UTC')::date::text AS day, 'moderation_actions' AS label,
               action_type::text AS detail, count(*)::text AS value, 'count' AS unit
        FROM moderation_actions WHERE (created_at AT TIME ZONE 'UTC')::date BETWEEN ${start}::date AND ${end}::date
        GROUP BY 1, 3 ORDER BY 1, 3`.execute(tx);
      return rows;
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
