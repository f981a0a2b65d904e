// The read and write statements of a listener's hot paths over tracks (spec §7): each function returns an
// unexecuted Kysely query, so callers run it on the pool or in a transaction, and the benchmark (bench/) compiles
// the very same statement for pgbench.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Keyset of the public lists: newest published first (the cursor's stamp is published_at). */
const BY_PUBLICATION = { createdAt: 'tracks.published_at', id: 'tracks.id' };

/** What a list of tracks shows: no description, no waveform. */
const TRACK_CARD = [
  'tracks.id',
  'tracks.creator_id',
  'tracks.title',
  'tracks.artist',
  'tracks.album',
  'tracks.genre',
  'tracks.duration',
  'tracks.cover_art_file_id',
  'tracks.play_count',
  'tracks.like_count',
  'tracks.comment_count',
  'tracks.download_count',
  'tracks.visibility',
  'tracks.published_at',
] as const;

/** Tracks anyone may list: public, published, not deleted. */
function listable(db: Executor) {
  return db
    .selectFrom('tracks')
    .select(TRACK_CARD)
    .select(positionStamp('tracks.published_at').as(POSITION_STAMP))
    .where('tracks.visibility', '=', 'public')
    .where('tracks.published_at', 'is not', null)
    .where('tracks.deleted_at', 'is', null);
}

/** The next page of a public list: rows published before the cursor's row. */
function after<Q extends { where: (expression: ReturnType<typeof beforePosition>) => Q }>(query: Q, from?: Position) {
  return from ? query.where(beforePosition(from, BY_PUBLICATION)) : query;
}

/** A creator's public tracks, newest first (idx_tracks_creator_id_visibility_published_at). */
export function tracksByCreator(db: Executor, creatorId: string, limit: number, from?: Position) {
  return after(listable(db).where('tracks.creator_id', '=', creatorId), from)
    .orderBy('tracks.published_at', 'desc')
    .orderBy('tracks.id', 'desc')
    .limit(pageSize(limit));
}

/** A genre's newest public tracks (idx_tracks_genre_visibility_published_at). */
export function tracksByGenre(db: Executor, genre: string, limit: number, from?: Position) {
  return after(listable(db).where('tracks.genre', '=', genre), from)
    .orderBy('tracks.published_at', 'desc')
    .orderBy('tracks.id', 'desc')
    .limit(pageSize(limit));
}

/** The newest public tracks of the whole platform (idx_tracks_published_at_desc). */
export function newestTracks(db: Executor, limit: number, from?: Position) {
  return after(listable(db), from)
    .orderBy('tracks.published_at', 'desc')
    .orderBy('tracks.id', 'desc')
    .limit(pageSize(limit));
}

/** A creator's own tracks, drafts and private ones included, newest first (idx_tracks_creator_id narrows). */
export function ownTracks(db: Executor, creatorId: string, limit: number, from?: Position) {
  let query = db
    .selectFrom('tracks')
    .select(TRACK_CARD)
    .select(positionStamp('tracks.created_at').as(POSITION_STAMP))
    .where('tracks.creator_id', '=', creatorId)
    .where('tracks.deleted_at', 'is', null);
  if (from) query = query.where(beforePosition(from, { createdAt: 'tracks.created_at', id: 'tracks.id' }));
  return query.orderBy('tracks.created_at', 'desc').orderBy('tracks.id', 'desc').limit(pageSize(limit));
}

/** Where a trending page starts: after this score and id (the view's order, score descending then id). */
export interface TrendingPosition {
  /** trending_score as PostgreSQL prints it, compared as numeric: no float rounding between pages. */
  score: string;
  id: string;
}

/**
 * The trending tracks in the view's own order (spec §23.1: `trending_score DESC, id`), with the tracks' current
 * counts. The view is refreshed hourly: a track unpublished, made non-public or deleted since is left out here.
 */
export function trendingTracks(db: Executor, limit: number, from?: TrendingPosition) {
  let query = db
    .selectFrom('trending_tracks')
    .innerJoin('tracks', 'tracks.id', 'trending_tracks.id')
    .select(TRACK_CARD)
    .select(sql<string>`trending_tracks.trending_score::text`.as('trending_score'))
    .where('tracks.visibility', '=', 'public')
    .where('tracks.published_at', 'is not', null)
    .where('tracks.deleted_at', 'is', null);
  if (from) {
    query = query.where(
      sql<boolean>`(trending_tracks.trending_score < ${from.score}::numeric
        OR (trending_tracks.trending_score = ${from.score}::numeric AND trending_tracks.id > ${from.id}::uuid))`,
    );
  }
  return query
    .orderBy('trending_tracks.trending_score', 'desc')
    .orderBy('trending_tracks.id', 'asc')
    .limit(pageSize(limit));
}

/** A track's page: the track with its description, when anyone may see it. */
export function trackPage(db: Executor, trackId: string) {
  return db
    .selectFrom('tracks')
    .select([...TRACK_CARD, 'tracks.description', 'tracks.bpm', 'tracks.musical_key', 'tracks.is_downloadable'])
    .where('tracks.id', '=', trackId)
    .where('tracks.visibility', '!=', 'private')
    .where('tracks.deleted_at', 'is', null);
}

/** The newest comments under a track with their authors' names (idx_track_comments_track_id_created_at). */
export function trackComments(db: Executor, trackId: string, limit: number) {
  return db
    .selectFrom('track_comments')
    .innerJoin('users', 'users.id', 'track_comments.user_id')
    .select([
      'track_comments.id',
      'track_comments.user_id',
      'users.username',
      'track_comments.parent_comment_id',
      'track_comments.content',
      'track_comments.timestamp_seconds',
      'track_comments.created_at',
    ])
    .where('track_comments.track_id', '=', trackId)
    .where('track_comments.deleted_at', 'is', null)
    .orderBy('track_comments.created_at', 'desc')
    .orderBy('track_comments.id', 'desc')
    .limit(pageSize(limit));
}

/** Likes a track once: a second like is a no-op (uq_track_likes_user_track); the trigger counts it. */
export function likeTrack(db: Executor, userId: string, trackId: string) {
  return db
    .insertInto('track_likes')
    .values({ user_id: userId, track_id: trackId })
    .onConflict((conflict) => conflict.columns(['user_id', 'track_id']).doNothing());
}
