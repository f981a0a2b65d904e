// The SQL of the embeddable player page (issue 13 §7, ADR 0048): the track and its timestamped comments.
import type { Database, Pool } from '../../platform/db/pool.ts';
import type { TrackSubject } from './tracks.policy.ts';

export interface EmbeddedTrackRow extends TrackSubject {
  id: string;
  title: string;
  artist: string | null;
  duration: number;
  waveform_data: unknown;
}

export interface MarkerRow {
  id: string;
  user_id: string;
  timestamp_seconds: number;
  content: string;
}

/** The most comment markers one page draws: a dense waveform is unreadable past this anyway. */
export const MAX_MARKERS = 300;

export function createEmbedRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    async findTrack(trackId: string): Promise<EmbeddedTrackRow | undefined> {
      return db
        .selectFrom('tracks')
        .select([
          'id',
          'creator_id',
          'visibility',
          'published_at',
          'deleted_at',
          'title',
          'artist',
          'duration',
          'waveform_data',
        ])
        .where('id', '=', trackId)
        .executeTakeFirst();
    },

    /** The live comments pinned to a moment of the track, in waveform order (idx_track_comments_timestamp_seconds). */
    async markers(trackId: string): Promise<MarkerRow[]> {
      const rows = await db
        .selectFrom('track_comments')
        .select(['id', 'user_id', 'timestamp_seconds', 'content'])
        .where('track_id', '=', trackId)
        .where('timestamp_seconds', 'is not', null)
        .where('deleted_at', 'is', null)
        .where('is_deleted', '=', false)
        .orderBy('timestamp_seconds', 'asc')
        .orderBy('id', 'asc')
        .limit(MAX_MARKERS)
        .execute();
      return rows.map((row) => ({ ...row, timestamp_seconds: Number(row.timestamp_seconds) }));
    },
  };
}

export type EmbedRepository = ReturnType<typeof createEmbedRepository>;
