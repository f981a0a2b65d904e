// Reads of the creator statistics (issue 18 §6, ADR 0093): the stored daily aggregates of one track, product or
// course, and who owns it. Nothing here reads a raw event or a person: only track_analytics and
// entity_analytics_breakdowns, both written by retention.analytics.
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';

export type StatsEntityKind = 'track' | 'product' | 'course';

/** The owner column of each kind; deleted entities have no statistics. */
const OWNERS: Record<StatsEntityKind, { table: string; owner: string }> = {
  track: { table: 'tracks', owner: 'creator_id' },
  product: { table: 'products', owner: 'seller_id' },
  course: { table: 'courses', owner: 'creator_id' },
};

export interface TrackDayRow {
  track_id: string;
  day: string;
  plays: number;
  listeners: number;
  completed_plays: number;
  played_seconds: number;
  completion_sum: number;
}

export interface PublishedTrackTotals {
  track_id: string;
  plays: number;
  listener_days: number;
  completed_plays: number;
  played_seconds: number;
  completion_sum: number;
  published_days: number;
  suppressed_days: number;
}

export interface CellRow {
  day: string;
  event_type: string;
  dimension: string;
  value: string;
  events: number;
  people: number;
}

/** The daily counters of some tracks over a range (uq_track_analytics_track_id_day). */
export function trackDaysQuery(db: Database, trackIds: readonly string[], from: string, to: string) {
  return db
    .selectFrom('track_analytics')
    .select([
      'track_id',
      sql<string>`day::text`.as('day'),
      'play_count as plays',
      'unique_listeners as listeners',
      'complete_count as completed_plays',
      sql<number>`total_played_seconds::float8`.as('played_seconds'),
      sql<number>`completion_percentage_sum::float8`.as('completion_sum'),
    ])
    .where(sql<boolean>`track_id = ANY(${[...trackIds]}::uuid[])`)
    .where(sql<boolean>`day BETWEEN ${from}::date AND ${to}::date`)
    .orderBy('track_id')
    .orderBy('day');
}

export function createCreatorStatsRepository(db: Database) {
  return {
    /** The owner of a live entity, or undefined when there is none (deleted or never existed). */
    async ownerOf(kind: StatsEntityKind, id: string): Promise<{ user_id: string } | undefined> {
      const { table, owner } = OWNERS[kind];
      const { rows } = await sql<{ user_id: string }>`
        SELECT ${sql.ref(owner)} AS user_id FROM ${sql.table(table)}
        WHERE id = ${id}::uuid AND deleted_at IS NULL`.execute(db);
      return rows[0];
    },

    /** The caller's live tracks, oldest first. */
    async tracksOf(userId: string): Promise<{ id: string; title: string }[]> {
      const { rows } = await sql<{ id: string; title: string }>`
        SELECT id, title FROM tracks WHERE creator_id = ${userId}::uuid AND deleted_at IS NULL
        ORDER BY created_at, id`.execute(db);
      return rows;
    },

    /** track_analytics of these tracks between two UTC days (both included), by track and day. */
    async trackDays(trackIds: readonly string[], from: string, to: string): Promise<TrackDayRow[]> {
      if (trackIds.length === 0) return [];
      return trackDaysQuery(db, trackIds, from, to).execute();
    },

    /**
     * Per track, the sums of its published days only (at least k listeners) and the count of withheld ones: the
     * overview's figures, summed by the server rather than shipped day by day (a creator may have thousands of
     * track-days in a year).
     */
    async publishedTrackTotals(trackIds: readonly string[], from: string, to: string, k: number) {
      if (trackIds.length === 0) return [];
      const published = sql`unique_listeners >= ${k}`;
      const { rows } = await sql<PublishedTrackTotals>`
        SELECT track_id,
               COALESCE(sum(play_count) FILTER (WHERE ${published}), 0)::float8 AS plays,
               COALESCE(sum(unique_listeners) FILTER (WHERE ${published}), 0)::float8 AS listener_days,
               COALESCE(sum(complete_count) FILTER (WHERE ${published}), 0)::float8 AS completed_plays,
               COALESCE(sum(total_played_seconds) FILTER (WHERE ${published}), 0)::float8 AS played_seconds,
               COALESCE(sum(completion_percentage_sum) FILTER (WHERE ${published}), 0)::float8 AS completion_sum,
               (count(*) FILTER (WHERE ${published}))::int AS published_days,
               (count(*) FILTER (WHERE NOT ${published}))::int AS suppressed_days
        FROM track_analytics
        WHERE track_id = ANY(${[...trackIds]}::uuid[]) AND day BETWEEN ${from}::date AND ${to}::date
        GROUP BY track_id`.execute(db);
      return rows;
    },

    /** The stored cells of one entity between two UTC days, by day, event type, dimension and value. */
    async cells(entityId: string, from: string, to: string): Promise<CellRow[]> {
      const { rows } = await sql<CellRow>`
        SELECT day::text AS day, event_type, dimension, dimension_value AS value, event_count AS events,
               distinct_users AS people
        FROM entity_analytics_breakdowns
        WHERE entity_id = ${entityId}::uuid AND day BETWEEN ${from}::date AND ${to}::date
        ORDER BY day, event_type, dimension, dimension_value`.execute(db);
      return rows;
    },
  };
}

export type CreatorStatsRepository = ReturnType<typeof createCreatorStatsRepository>;
