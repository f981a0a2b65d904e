// Every statement of the track API over the streaming domain's tables (tracks, track_comments for a track's page,
// track_likes for "liked by me", track_downloads): rows in, rows out (issue 13 §1-2, ADR 0046).
import { sql } from 'kysely';
import type { Database, Pool } from '../../platform/db/pool.ts';
import type { Position } from '../../platform/http/pagination.ts';
import {
  newestTracks,
  ownTracks,
  tracksByCreator,
  tracksByGenre,
  trendingTracks,
  type TrendingPosition,
} from './tracks.queries.ts';

/** A `tracks` row as the service reads it. */
export interface TrackRow {
  id: string;
  creator_id: string;
  file_id: string;
  title: string;
  description: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  duration: number;
  bpm: number | null;
  musical_key: string | null;
  visibility: 'public' | 'unlisted' | 'private';
  is_downloadable: boolean;
  cover_art_file_id: string | null;
  waveform_data: unknown;
  play_count: number;
  like_count: number;
  comment_count: number;
  download_count: number;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** What a list shows of a track (tracks.queries.ts TRACK_CARD) and where it stands in the list. */
export interface TrackCardRow {
  id: string;
  creator_id: string;
  title: string;
  artist: string | null;
  album: string | null;
  genre: string | null;
  duration: number;
  cover_art_file_id: string | null;
  play_count: number;
  like_count: number;
  comment_count: number;
  download_count: number;
  visibility: 'public' | 'unlisted' | 'private';
  published_at: Date | null;
}

/** The columns a creator sets; the rest come from processing, triggers or the lifecycle routes. */
export type TrackChanges = Partial<
  Pick<
    TrackRow,
    | 'title'
    | 'description'
    | 'artist'
    | 'album'
    | 'genre'
    | 'bpm'
    | 'musical_key'
    | 'visibility'
    | 'is_downloadable'
    | 'cover_art_file_id'
  >
>;

export interface NewTrack extends Required<TrackChanges> {
  creator_id: string;
  file_id: string;
  duration: number;
  waveform_data: unknown;
  published: boolean;
}

export interface CommentPreviewRow {
  id: string;
  user_id: string;
  content: string;
  timestamp_seconds: number | null;
  is_edited: boolean;
  created_at: Date;
}

const TRACK_COLUMNS = [
  'id',
  'creator_id',
  'file_id',
  'title',
  'description',
  'artist',
  'album',
  'genre',
  'duration',
  'bpm',
  'musical_key',
  'visibility',
  'is_downloadable',
  'cover_art_file_id',
  'waveform_data',
  'play_count',
  'like_count',
  'comment_count',
  'download_count',
  'published_at',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/** Thrown inside createTrack's transaction when a live track already plays the file. */
export class FileAlreadyATrack extends Error {}

export function createTracksRepository(pool: Pool | { db: Database }) {
  const { db } = pool;

  const byId = (handle: Database, id: string) => handle.selectFrom('tracks').select(TRACK_COLUMNS).where('id', '=', id);

  return {
    async findTrack(id: string): Promise<TrackRow | undefined> {
      return await byId(db, id).executeTakeFirst();
    },

    /**
     * Inserts the track unless a live track already plays the file (FileAlreadyATrack). The check and the insert
     * run under a transaction-level advisory lock on the file's id, so two creations from one file at once
     * make one track, not two.
     */
    async createTrack(values: NewTrack): Promise<TrackRow> {
      const { published, waveform_data, ...columns } = values;
      return db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`tracks.file_id:${values.file_id}`}, 0))`.execute(tx);
        const existing = await tx
          .selectFrom('tracks')
          .select('id')
          .where('file_id', '=', values.file_id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (existing) throw new FileAlreadyATrack();
        const row = await tx
          .insertInto('tracks')
          .values({
            ...columns,
            waveform_data: waveform_data === null ? null : JSON.stringify(waveform_data),
            published_at: published ? sql<Date>`NOW()` : null,
          })
          .returning(TRACK_COLUMNS)
          .executeTakeFirstOrThrow();
        return row;
      });
    },

    /**
     * Applies the creator's changes to a live track. With a precondition (If-Match), the row is read locked inside
     * the update's transaction and handed to it first (it throws to refuse), so two edits based on one ETag never
     * both apply. Undefined when the track is gone.
     */
    async updateTrack(
      id: string,
      changes: TrackChanges,
      precondition?: (current: TrackRow) => void,
    ): Promise<TrackRow | undefined> {
      return db.transaction().execute(async (tx) => {
        const current = (await byId(tx, id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst()) as
          TrackRow | undefined;
        if (!current) return undefined;
        precondition?.(current);
        const row = await tx
          .updateTable('tracks')
          .set(changes)
          .where('id', '=', id)
          .returning(TRACK_COLUMNS)
          .executeTakeFirstOrThrow();
        return row;
      });
    },

    /** Publishing keeps the first publication date; unpublishing makes the track a draft again. */
    async setPublished(id: string, published: boolean): Promise<TrackRow | undefined> {
      const row = await db
        .updateTable('tracks')
        .set({ published_at: published ? sql<Date>`COALESCE(published_at, NOW())` : null })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returning(TRACK_COLUMNS)
        .executeTakeFirst();
      return row;
    },

    /**
     * Soft delete (ADR 0046): the row, its likes, comments, plays and playlist entries stay until the purge; every
     * read leaves it out from now on. False when it was already gone.
     */
    async softDelete(id: string): Promise<boolean> {
      const result = await db
        .updateTable('tracks')
        .set({ deleted_at: sql<Date>`NOW()` })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async publicList(
      filter: { creatorId?: string; genre?: string },
      from: Position | undefined,
      limit: number,
    ): Promise<(TrackCardRow & { position_stamp: string })[]> {
      const query =
        filter.creatorId !== undefined
          ? tracksByCreator(db, filter.creatorId, limit + 1, from)
          : filter.genre !== undefined
            ? tracksByGenre(db, filter.genre, limit + 1, from)
            : newestTracks(db, limit + 1, from);
      // A creator's list filtered by genre too: the creator's index narrows, the genre filters the few rows.
      const filtered =
        filter.creatorId !== undefined && filter.genre !== undefined
          ? query.where('tracks.genre', '=', filter.genre)
          : query;
      return await filtered.execute();
    },

    async ownList(
      creatorId: string,
      from: Position | undefined,
      limit: number,
    ): Promise<(TrackCardRow & { position_stamp: string })[]> {
      return await ownTracks(db, creatorId, limit + 1, from).execute();
    },

    async trending(
      from: TrendingPosition | undefined,
      limit: number,
    ): Promise<(TrackCardRow & { trending_score: string })[]> {
      return await trendingTracks(db, limit + 1, from).execute();
    },

    /** The newest top-level comments still standing (idx_track_comments_track_id_created_at). */
    async firstComments(trackId: string, count: number): Promise<CommentPreviewRow[]> {
      return db
        .selectFrom('track_comments')
        .select(['id', 'user_id', 'content', 'timestamp_seconds', 'is_edited', 'created_at'])
        .where('track_id', '=', trackId)
        .where('parent_comment_id', 'is', null)
        .where('deleted_at', 'is', null)
        .where('is_deleted', '=', false)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(count)
        .execute();
    },

    async isLikedBy(userId: string, trackId: string): Promise<boolean> {
      const row = await db
        .selectFrom('track_likes')
        .select(sql<number>`1`.as('one'))
        .where('user_id', '=', userId)
        .where('track_id', '=', trackId)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** One download (the trigger counts it); who, when signed in, and when; never an address or a user agent. */
    async recordDownload(trackId: string, userId: string | null): Promise<void> {
      await db.insertInto('track_downloads').values({ track_id: trackId, user_id: userId }).execute();
    },
  };
}

export type TracksRepository = ReturnType<typeof createTracksRepository>;
