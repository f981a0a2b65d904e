// The read and write statements of a listener's hot paths over tracks (spec §7): each function returns an
// unexecuted Kysely query, so callers run it on the pool or in a transaction, and the benchmark (bench/) compiles
// the very same statement for pgbench.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';

type Executor = Kysely<DB> | Transaction<DB>;

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
  'tracks.published_at',
] as const;

/** Tracks anyone may list: public, published, not deleted. */
function listable(db: Executor) {
  return db
    .selectFrom('tracks')
    .select(TRACK_CARD)
    .where('tracks.visibility', '=', 'public')
    .where('tracks.published_at', 'is not', null)
    .where('tracks.deleted_at', 'is', null);
}

/** A creator's public tracks, newest first (idx_tracks_creator_id_visibility_published_at). */
export function tracksByCreator(db: Executor, creatorId: string, limit: number) {
  return listable(db)
    .where('tracks.creator_id', '=', creatorId)
    .orderBy('tracks.published_at', 'desc')
    .orderBy('tracks.id', 'desc')
    .limit(pageSize(limit));
}

/** A genre's newest public tracks (idx_tracks_genre_visibility_published_at). */
export function tracksByGenre(db: Executor, genre: string, limit: number) {
  return listable(db)
    .where('tracks.genre', '=', genre)
    .orderBy('tracks.published_at', 'desc')
    .orderBy('tracks.id', 'desc')
    .limit(pageSize(limit));
}

/** The newest public tracks of the whole platform (idx_tracks_published_at_desc). */
export function newestTracks(db: Executor, limit: number) {
  return listable(db).orderBy('tracks.published_at', 'desc').orderBy('tracks.id', 'desc').limit(pageSize(limit));
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
