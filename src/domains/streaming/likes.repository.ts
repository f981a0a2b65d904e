// The SQL of likes (issue 13 §3): track_likes rows, and the track rows the rules and the cards need. Rows in, rows
// out. tracks.like_count is never written here: trg_track_likes_like_count keeps it (migration 0016, ADR 0012).
import type { Database, Pool } from '../../platform/db/pool.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { TrackSubject } from './tracks.policy.ts';

/** A track as the engagement rules see it: who made it, whether it shows, how long it lasts. */
export interface EngagementTrack extends TrackSubject {
  id: string;
  duration: number;
}

export interface LikedTrackRow {
  like_id: string;
  liked_at: Date;
  [POSITION_STAMP]: string;
  track: EngagementTrack & {
    title: string;
    artist: string | null;
    album: string | null;
    genre: string | null;
    cover_art_file_id: string | null;
    play_count: number;
    like_count: number;
    comment_count: number;
  };
}

const TRACK_SUBJECT = [
  'tracks.id',
  'tracks.creator_id',
  'tracks.visibility',
  'tracks.published_at',
  'tracks.deleted_at',
  'tracks.duration',
] as const;

/** The track of a like or a comment, deleted or not (the policy decides), or undefined for an unknown id. */
export async function findEngagementTrack(db: Database, trackId: string): Promise<EngagementTrack | undefined> {
  return db.selectFrom('tracks').select(TRACK_SUBJECT).where('tracks.id', '=', trackId).executeTakeFirst();
}

export function createLikesRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    findTrack: (trackId: string) => findEngagementTrack(db, trackId),

    /**
     * Likes the track once (uq_track_likes_user_track): a second like, even a concurrent one, inserts nothing.
     * Returns whether this call created the like, and when the like was made.
     */
    async like(
      userId: string,
      trackId: string,
      alsoWhenCreated?: (tx: Database) => Promise<void>,
    ): Promise<{ created: boolean; likedAt: Date }> {
      // alsoWhenCreated (a notification, issue 15 §7) runs in the transaction of the like it announces.
      const insert = (executor: Database) =>
        executor
          .insertInto('track_likes')
          .values({ user_id: userId, track_id: trackId })
          .onConflict((conflict) => conflict.columns(['user_id', 'track_id']).doNothing())
          .returning('created_at')
          .executeTakeFirst();
      const inserted = alsoWhenCreated
        ? await db.transaction().execute(async (tx) => {
            const row = await insert(tx);
            if (row) await alsoWhenCreated(tx);
            return row;
          })
        : await insert(db);
      if (inserted) return { created: true, likedAt: inserted.created_at };
      const existing = await db
        .selectFrom('track_likes')
        .select('created_at')
        .where('user_id', '=', userId)
        .where('track_id', '=', trackId)
        .executeTakeFirst();
      // Unliked between the two statements by another request of the same person: the like stands as asked.
      if (!existing) return this.like(userId, trackId, alsoWhenCreated);
      return { created: false, likedAt: existing.created_at };
    },

    /** Removes the like if there is one; true when a row went (`alsoWhenRemoved` then runs in its transaction). */
    async unlike(userId: string, trackId: string, alsoWhenRemoved?: (tx: Database) => Promise<void>): Promise<boolean> {
      const remove = (executor: Database) =>
        executor
          .deleteFrom('track_likes')
          .where('user_id', '=', userId)
          .where('track_id', '=', trackId)
          .executeTakeFirst();
      if (!alsoWhenRemoved) return (await remove(db)).numDeletedRows > 0n;
      return db.transaction().execute(async (tx) => {
        const removed = (await remove(tx)).numDeletedRows > 0n;
        if (removed) await alsoWhenRemoved(tx);
        return removed;
      });
    },

    async likedAt(userId: string, trackId: string): Promise<Date | null> {
      const row = await db
        .selectFrom('track_likes')
        .select('created_at')
        .where('user_id', '=', userId)
        .where('track_id', '=', trackId)
        .executeTakeFirst();
      return row?.created_at ?? null;
    },

    async likeCount(trackId: string): Promise<number> {
      const row = await db.selectFrom('tracks').select('like_count').where('id', '=', trackId).executeTakeFirst();
      return row?.like_count ?? 0;
    },

    /**
     * The person's likes, newest first (keyset on the like's created_at, id: idx_track_likes_user_id_created_at),
     * each with its track, whatever the track's state. Fetches `limit + 1` rows.
     */
    async listLikes(userId: string, after: Position | undefined, limit: number): Promise<LikedTrackRow[]> {
      let query = db
        .selectFrom('track_likes')
        .innerJoin('tracks', 'tracks.id', 'track_likes.track_id')
        .select([
          'track_likes.id as like_id',
          'track_likes.created_at as liked_at',
          positionStamp('track_likes.created_at').as(POSITION_STAMP),
          ...TRACK_SUBJECT,
          'tracks.title',
          'tracks.artist',
          'tracks.album',
          'tracks.genre',
          'tracks.cover_art_file_id',
          'tracks.play_count',
          'tracks.like_count',
          'tracks.comment_count',
        ])
        .where('track_likes.user_id', '=', userId);
      if (after)
        query = query.where(beforePosition(after, { createdAt: 'track_likes.created_at', id: 'track_likes.id' }));
      const rows = await query
        .orderBy('track_likes.created_at', 'desc')
        .orderBy('track_likes.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
      return rows.map((row) => ({
        like_id: row.like_id,
        liked_at: row.liked_at,
        [POSITION_STAMP]: row[POSITION_STAMP],
        track: {
          id: row.id,
          creator_id: row.creator_id,
          visibility: row.visibility,
          published_at: row.published_at,
          deleted_at: row.deleted_at,
          duration: row.duration,
          title: row.title,
          artist: row.artist,
          album: row.album,
          genre: row.genre,
          cover_art_file_id: row.cover_art_file_id,
          play_count: row.play_count,
          like_count: row.like_count,
          comment_count: row.comment_count,
        },
      }));
    },
  };
}

export type LikesRepository = ReturnType<typeof createLikesRepository>;
