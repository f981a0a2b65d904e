// The SQL of play reporting and listening history (issue 13 §2, ADR 0045). Rows in, rows out.
import { sql } from 'kysely';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { TrackSubject } from './tracks.policy.ts';

/** What reporting a play needs of the track: the policy's subject and the duration. */
export interface PlayedTrackRow extends TrackSubject {
  id: string;
  duration: number;
}

export interface CountedPlay {
  track_id: string;
  user_id: string;
  played_duration: number;
  completion_percentage: number;
  source: string | null;
  source_id: string | null;
  device_type: string | null;
  /** Seconds after a counted play before the next one of the same listener and track counts. */
  window_seconds: number;
}

export interface HistoryRow {
  id: string;
  track_id: string;
  played_at: Date;
  played_duration: number;
  completion_percentage: number;
  source: string | null;
  source_id: string | null;
  device_type: string | null;
  creator_id: string;
  visibility: TrackSubject['visibility'];
  published_at: Date | null;
  deleted_at: Date | null;
  title: string;
  artist: string | null;
  album: string | null;
  duration: number;
  cover_art_file_id: string | null;
  [POSITION_STAMP]: string;
}

export function createPlaysRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    async findTrack(trackId: string): Promise<PlayedTrackRow | undefined> {
      return db
        .selectFrom('tracks')
        .select(['id', 'creator_id', 'visibility', 'published_at', 'deleted_at', 'duration'])
        .where('id', '=', trackId)
        .executeTakeFirst();
    },

    /**
     * Counts the play if its listener has no counted play of the track in the current window, in one statement:
     * the window row is inserted, or moved forward when its window is over (ON CONFLICT ... DO UPDATE ... WHERE
     * runs on the latest committed row version under its lock, so of two parallel reports the second sees the
     * first's window and counts nothing), and the history row is inserted only from the claim's RETURNING. The
     * play-count trigger (0016) counts the new row. Returns undefined when the play was not counted.
     */
    async countPlay(play: CountedPlay): Promise<{ id: string; played_at: Date } | undefined> {
      const { rows } = await sql<{ id: string; played_at: Date }>`
        WITH claim AS (
          INSERT INTO play_count_windows AS w (user_id, track_id, counted_at)
          VALUES (${play.user_id}::uuid, ${play.track_id}::uuid, now())
          ON CONFLICT (user_id, track_id) DO UPDATE SET counted_at = EXCLUDED.counted_at
          WHERE w.counted_at <= EXCLUDED.counted_at - make_interval(secs => ${play.window_seconds}::int)
          RETURNING w.counted_at
        )
        INSERT INTO playback_history
          (user_id, track_id, played_duration, completion_percentage, source, source_id, device_type, played_at)
        SELECT ${play.user_id}::uuid, ${play.track_id}::uuid, ${play.played_duration}::int,
               ${play.completion_percentage}::int, ${play.source}::varchar, ${play.source_id}::uuid,
               ${play.device_type}::varchar, claim.counted_at
        FROM claim
        RETURNING id, played_at`.execute(db);
      return rows[0];
    },

    /** The listener's history, newest first (idx_playback_history_user_id_played_at), with each entry's track. */
    async listHistory(userId: string, after: Position | undefined, limit: number): Promise<HistoryRow[]> {
      let query = db
        .selectFrom('playback_history as ph')
        .innerJoin('tracks as t', 't.id', 'ph.track_id')
        .select([
          'ph.id',
          'ph.track_id',
          'ph.played_at',
          'ph.played_duration',
          'ph.completion_percentage',
          'ph.source',
          'ph.source_id',
          'ph.device_type',
          't.creator_id',
          't.visibility',
          't.published_at',
          't.deleted_at',
          't.title',
          't.artist',
          't.album',
          't.duration',
          't.cover_art_file_id',
          positionStamp('ph.played_at').as(POSITION_STAMP),
        ])
        .where('ph.user_id', '=', userId);
      if (after) query = query.where(beforePosition(after, { createdAt: 'ph.played_at', id: 'ph.id' }));
      return query
        .orderBy('ph.played_at', 'desc')
        .orderBy('ph.id', 'desc')
        .limit(limit + 1)
        .execute();
    },

    /**
     * Forgets the listener's whole history the way anonymisation does (ADR 0003, 0045): the rows stay, counted in
     * play_count and the analytics, but no longer name anyone. Returns how many entries were forgotten.
     */
    async forgetHistory(userId: string): Promise<number> {
      const result = await db
        .updateTable('playback_history')
        .set({ user_id: null, device_type: null, source: null, source_id: null })
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Forgets one entry of the listener's history; 0 when it is not theirs (or not there). */
    async forgetEntry(userId: string, entryId: string): Promise<number> {
      const result = await db
        .updateTable('playback_history')
        .set({ user_id: null, device_type: null, source: null, source_id: null })
        .where('id', '=', entryId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * Deletes up to `limit` window rows whose window is over at `now` (the window: the track's duration, at least
     * `minSeconds`, at most `maxSeconds`). Returns how many went.
     */
    async deleteExpiredWindows(now: Date, bounds: { minSeconds: number; maxSeconds: number }, limit: number) {
      const { rows } = await sql<{ n: number }>`
        WITH expired AS (
          SELECT w.id FROM play_count_windows w
          LEFT JOIN tracks t ON t.id = w.track_id
          WHERE w.counted_at < ${now}::timestamptz - make_interval(secs => ${bounds.minSeconds}::int)
            AND (w.counted_at < ${now}::timestamptz - make_interval(secs => ${bounds.maxSeconds}::int)
                 OR w.counted_at < ${now}::timestamptz - make_interval(secs => t.duration))
          ORDER BY w.counted_at
          LIMIT ${limit}
          FOR UPDATE OF w SKIP LOCKED
        ), gone AS (
          DELETE FROM play_count_windows WHERE id IN (SELECT id FROM expired) RETURNING 1
        )
        SELECT count(*)::int AS n FROM gone`.execute(db);
      return rows[0]?.n ?? 0;
    },
  };
}

export type PlaysRepository = ReturnType<typeof createPlaysRepository>;
