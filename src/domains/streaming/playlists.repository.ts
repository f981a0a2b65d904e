// The SQL of playlists, their entries, collaborators and followers (issue 13 §4, ADR 0049). Rows in, rows out.
// Every change to a playlist's entries runs in `locked`: the playlist row is taken FOR UPDATE first, so that the
// writers of one playlist queue up and each renumbers the entries it moves in the same transaction.
import { sql, type Transaction } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { TrackSubject } from './tracks.policy.ts';

type Executor = Database | Transaction<DB>;
export type Visibility = 'public' | 'unlisted' | 'private';

export interface PlaylistRow {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  cover_url: string | null;
  visibility: Visibility;
  is_collaborative: boolean;
  track_count: number;
  duration_seconds: number;
  follower_count: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface EntryRow {
  id: string;
  position: number;
  added_at: Date;
  added_by: string;
  track_id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  duration: number | null;
  cover_art_file_id: string | null;
  creator_id: string | null;
  visibility: TrackSubject['visibility'] | null;
  published_at: Date | null;
  track_deleted_at: Date | null;
}

export interface CollaboratorRow {
  user_id: string;
  added_by: string | null;
  created_at: Date;
}

export type PlaylistChanges = Partial<Pick<PlaylistRow, 'name' | 'description' | 'visibility' | 'is_collaborative'>>;

const PLAYLIST_COLUMNS = [
  'playlists.id',
  'playlists.user_id',
  'playlists.name',
  'playlists.description',
  'playlists.cover_url',
  'playlists.visibility',
  'playlists.is_collaborative',
  'playlists.track_count',
  'playlists.duration_seconds',
  'playlists.follower_count',
  'playlists.created_at',
  'playlists.updated_at',
  'playlists.deleted_at',
] as const;

function playlists(db: Executor) {
  return db.selectFrom('playlists').select(PLAYLIST_COLUMNS);
}

/** Entries with their track, whatever its state: the service decides what the viewer may see of it. */
function entries(db: Executor) {
  return db
    .selectFrom('playlist_tracks as e')
    .innerJoin('tracks as t', 't.id', 'e.track_id')
    .select([
      'e.id',
      'e.position',
      'e.added_at',
      'e.added_by',
      'e.track_id',
      't.title',
      't.artist',
      't.album',
      't.duration',
      't.cover_art_file_id',
      't.creator_id',
      't.visibility',
      't.published_at',
      't.deleted_at as track_deleted_at',
    ]);
}

/** A page of playlists in (stamp DESC, id DESC) order, the stamp being `stampColumn`. */
type Stamped<T> = T & { [POSITION_STAMP]: string };

export function createPlaylistsRepository(pool: Pool | { db: Database }) {
  const { db } = pool;

  const findIn = (handle: Executor, id: string) =>
    playlists(handle).where('playlists.id', '=', id).executeTakeFirst() as Promise<PlaylistRow | undefined>;

  const collaboratesIn = async (handle: Executor, playlistId: string, userId: string | null) => {
    if (userId === null) return false;
    const row = await handle
      .selectFrom('playlist_collaborators')
      .select('id')
      .where('playlist_id', '=', playlistId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  };

  return {
    find: (id: string) => findIn(db, id),
    get: (handle: Executor, id: string) => findIn(handle, id),
    collaborates: (playlistId: string, userId: string | null) => collaboratesIn(db, playlistId, userId),

    async follows(playlistId: string, userId: string | null): Promise<boolean> {
      if (userId === null) return false;
      const row = await db
        .selectFrom('playlist_followers')
        .select('id')
        .where('playlist_id', '=', playlistId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async entryCount(playlistId: string, handle: Executor = db): Promise<number> {
      const row = await handle
        .selectFrom('playlist_tracks')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('playlist_id', '=', playlistId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Creates a playlist owned by `actorId`, then runs `work` (e.g. adding its first tracks) in the same transaction. */
    async create(
      actorId: string,
      values: { name: string; description: string | null; visibility: Visibility; is_collaborative: boolean },
      work: (tx: Transaction<DB>, playlist: PlaylistRow) => Promise<void> = async () => {},
    ): Promise<PlaylistRow> {
      return withActor(db, actorId, async (tx) => {
        const { id } = await tx
          .insertInto('playlists')
          .values({ user_id: actorId, ...values })
          .returning('id')
          .executeTakeFirstOrThrow();
        await work(tx, (await findIn(tx, id)) as PlaylistRow);
        return (await findIn(tx, id)) as PlaylistRow;
      });
    },

    /**
     * Runs `work` in a transaction (audited as `actorId`) holding the playlist row FOR UPDATE: every writer of one
     * playlist's entries, details, collaborators or deletion waits for the previous one to commit.
     */
    async locked<T>(
      actorId: string,
      playlistId: string,
      work: (tx: Transaction<DB>, playlist: PlaylistRow | undefined, collaborates: boolean) => Promise<T>,
    ): Promise<T> {
      return withActor(db, actorId, async (tx) => {
        const playlist = await playlists(tx)
          .where('playlists.id', '=', playlistId)
          .forUpdate('playlists')
          .executeTakeFirst();
        const collaborates = playlist ? await collaboratesIn(tx, playlistId, actorId) : false;
        return work(tx, playlist, collaborates);
      });
    },

    async updateDetails(tx: Transaction<DB>, id: string, changes: PlaylistChanges): Promise<PlaylistRow> {
      await tx.updateTable('playlists').set(changes).where('id', '=', id).execute();
      return (await findIn(tx, id)) as PlaylistRow;
    },

    async softDelete(tx: Transaction<DB>, id: string): Promise<void> {
      await tx
        .updateTable('playlists')
        .set({ deleted_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    },

    // --- lists ---------------------------------------------------------------------------------------------------

    /** A user's playlists, newest first: all of them, or the public ones only. */
    async listOwnedBy(userId: string, publicOnly: boolean, after: Position | undefined, limit: number) {
      let query = playlists(db)
        .select(positionStamp('playlists.created_at').as(POSITION_STAMP))
        .where('playlists.user_id', '=', userId)
        .where('playlists.deleted_at', 'is', null);
      if (publicOnly) query = query.where('playlists.visibility', '=', 'public');
      if (after) query = query.where(beforePosition(after, { createdAt: 'playlists.created_at', id: 'playlists.id' }));
      return (await query
        .orderBy('playlists.created_at', 'desc')
        .orderBy('playlists.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as Stamped<PlaylistRow>[];
    },

    /** Playlists the user collaborates on, most recently joined first (idx_playlist_collaborators_user_id_created_at). */
    async listCollaborating(userId: string, after: Position | undefined, limit: number) {
      let query = playlists(db)
        .innerJoin('playlist_collaborators as c', 'c.playlist_id', 'playlists.id')
        .select(positionStamp('c.created_at').as(POSITION_STAMP))
        .where('c.user_id', '=', userId)
        .where('playlists.deleted_at', 'is', null);
      if (after) query = query.where(beforePosition(after, { createdAt: 'c.created_at', id: 'playlists.id' }));
      return (await query
        .orderBy('c.created_at', 'desc')
        .orderBy('playlists.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as Stamped<PlaylistRow>[];
    },

    /**
     * Playlists the user follows and may still see, most recently followed first
     * (idx_playlist_followers_user_id_created_at). One that turned private keeps the follow row, hidden here.
     */
    async listFollowing(userId: string, after: Position | undefined, limit: number) {
      let query = playlists(db)
        .innerJoin('playlist_followers as f', 'f.playlist_id', 'playlists.id')
        .select(positionStamp('f.created_at').as(POSITION_STAMP))
        .where('f.user_id', '=', userId)
        .where('playlists.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('playlists.visibility', '!=', 'private'),
            eb('playlists.user_id', '=', userId),
            eb.exists(
              eb
                .selectFrom('playlist_collaborators as c')
                .select('c.id')
                .whereRef('c.playlist_id', '=', 'playlists.id')
                .where('c.user_id', '=', userId),
            ),
          ]),
        );
      if (after) query = query.where(beforePosition(after, { createdAt: 'f.created_at', id: 'playlists.id' }));
      return (await query
        .orderBy('f.created_at', 'desc')
        .orderBy('playlists.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as Stamped<PlaylistRow>[];
    },

    // --- entries -------------------------------------------------------------------------------------------------

    /**
     * Entries after `afterPosition`, in order, with their track (whatever its state: the caller decides what the
     * viewer may see of it) and who added them; `limit + 1` rows (uq_playlist_tracks_playlist_id_position).
     */
    async listEntries(
      playlistId: string,
      afterPosition: number | undefined,
      limit: number,
      handle: Executor = db,
    ): Promise<EntryRow[]> {
      let query = entries(handle).where('e.playlist_id', '=', playlistId);
      if (afterPosition !== undefined) query = query.where('e.position', '>', afterPosition);
      return await query
        .orderBy('e.position')
        .limit(pageSize(limit + 1))
        .execute();
    },

    async entry(handle: Executor, entryId: string): Promise<EntryRow | undefined> {
      return await entries(handle).where('e.id', '=', entryId).executeTakeFirst();
    },

    /** The entry named by its own id or by its track's id (uq_playlist_tracks_playlist_track makes both unique). */
    async findEntry(tx: Transaction<DB>, playlistId: string, key: string) {
      return tx
        .selectFrom('playlist_tracks')
        .select(['id', 'position', 'track_id'])
        .where('playlist_id', '=', playlistId)
        .where((eb) => eb.or([eb('id', '=', key), eb('track_id', '=', key)]))
        .executeTakeFirst();
    },

    async hasTrack(tx: Transaction<DB>, playlistId: string, trackId: string): Promise<boolean> {
      const row = await tx
        .selectFrom('playlist_tracks')
        .select('id')
        .where('playlist_id', '=', playlistId)
        .where('track_id', '=', trackId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async entryIds(tx: Transaction<DB>, playlistId: string): Promise<string[]> {
      const rows = await tx
        .selectFrom('playlist_tracks')
        .select('id')
        .where('playlist_id', '=', playlistId)
        .orderBy('position')
        .execute();
      return rows.map((row) => row.id);
    },

    /** What the track policy needs to decide whether the track may go into a playlist. */
    async trackSubjects(handle: Executor, trackIds: readonly string[]) {
      if (trackIds.length === 0) return new Map<string, TrackSubject>();
      const rows = await handle
        .selectFrom('tracks')
        .select(['id', 'creator_id', 'visibility', 'published_at', 'deleted_at'])
        .where(sql<boolean>`id = ANY(${trackIds}::uuid[])`)
        .execute();
      return new Map<string, TrackSubject>(rows.map(({ id, ...subject }) => [id, subject]));
    },

    /**
     * Inserts tracks at `position` (the entries from there move down as many places): the shift is one statement,
     * which uq_playlist_tracks_playlist_id_position (deferrable) checks at its end, not row by row.
     */
    async insertEntries(
      tx: Transaction<DB>,
      playlistId: string,
      position: number,
      trackIds: readonly string[],
      addedBy: string,
    ): Promise<string[]> {
      if (trackIds.length === 0) return [];
      await tx
        .updateTable('playlist_tracks')
        .set({ position: sql`position + ${trackIds.length}` })
        .where('playlist_id', '=', playlistId)
        .where('position', '>=', position)
        .execute();
      const rows = await tx
        .insertInto('playlist_tracks')
        .values(
          trackIds.map((trackId, index) => ({
            playlist_id: playlistId,
            track_id: trackId,
            position: position + index,
            added_by: addedBy,
          })),
        )
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /** Removes one entry and closes its gap. */
    async removeEntry(tx: Transaction<DB>, playlistId: string, entryId: string, position: number): Promise<void> {
      await tx.deleteFrom('playlist_tracks').where('id', '=', entryId).execute();
      await tx
        .updateTable('playlist_tracks')
        .set({ position: sql`position - 1` })
        .where('playlist_id', '=', playlistId)
        .where('position', '>', position)
        .execute();
    },

    /** Removes the entries at these positions and renumbers the rest 0..n-1, keeping their order. */
    async removePositions(tx: Transaction<DB>, playlistId: string, positions: readonly number[]): Promise<number> {
      if (positions.length === 0) return 0;
      const removed = await tx
        .deleteFrom('playlist_tracks')
        .where('playlist_id', '=', playlistId)
        .where(sql<boolean>`position = ANY(${positions}::integer[])`)
        .executeTakeFirst();
      await sql`
        UPDATE playlist_tracks AS entry SET position = ranked.position
        FROM (SELECT id, (row_number() OVER (ORDER BY position) - 1)::integer AS position
              FROM playlist_tracks WHERE playlist_id = ${playlistId}) AS ranked
        WHERE entry.id = ranked.id AND entry.position <> ranked.position`.execute(tx);
      return Number(removed.numDeletedRows);
    },

    /** Moves an entry from `from` to `to`; the entries in between shift by one toward `from`, in one statement. */
    async moveEntry(tx: Transaction<DB>, playlistId: string, entryId: string, from: number, to: number) {
      if (from === to) return;
      const step = from < to ? -1 : 1;
      await tx
        .updateTable('playlist_tracks')
        .set({
          position: sql`CASE WHEN id = ${entryId}::uuid THEN ${to}::integer ELSE position + ${step}::integer END`,
        })
        .where('playlist_id', '=', playlistId)
        .where('position', '>=', Math.min(from, to))
        .where('position', '<=', Math.max(from, to))
        .execute();
    },

    /** Gives the entries the positions of their index in `entryIds` (which names each entry once). */
    async reorder(tx: Transaction<DB>, playlistId: string, entryIds: readonly string[]): Promise<void> {
      await sql`
        UPDATE playlist_tracks AS entry SET position = (wanted.ordinality - 1)::integer
        FROM unnest(${entryIds}::uuid[]) WITH ORDINALITY AS wanted(id, ordinality)
        WHERE entry.id = wanted.id AND entry.playlist_id = ${playlistId}
          AND entry.position <> (wanted.ordinality - 1)::integer`.execute(tx);
    },

    // --- collaborators -------------------------------------------------------------------------------------------

    async listCollaborators(playlistId: string, handle: Executor = db): Promise<CollaboratorRow[]> {
      return handle
        .selectFrom('playlist_collaborators')
        .select(['user_id', 'added_by', 'created_at'])
        .where('playlist_id', '=', playlistId)
        .orderBy('created_at')
        .orderBy('user_id')
        .execute();
    },

    async collaboratorCount(tx: Transaction<DB>, playlistId: string): Promise<number> {
      const row = await tx
        .selectFrom('playlist_collaborators')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('playlist_id', '=', playlistId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Adds a collaborator; false when they already were one. */
    async addCollaborator(tx: Transaction<DB>, playlistId: string, userId: string, addedBy: string) {
      const row = await tx
        .insertInto('playlist_collaborators')
        .values({ playlist_id: playlistId, user_id: userId, added_by: addedBy })
        .onConflict((conflict) => conflict.columns(['playlist_id', 'user_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    async removeCollaborator(tx: Transaction<DB>, playlistId: string, userId: string): Promise<boolean> {
      const result = await tx
        .deleteFrom('playlist_collaborators')
        .where('playlist_id', '=', playlistId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    // --- followers -----------------------------------------------------------------------------------------------

    /** Follows once: a second follow is a no-op (uq_playlist_followers_playlist_user); the trigger counts it. */
    async follow(actorId: string, playlistId: string): Promise<void> {
      await withActor(db, actorId, (tx) =>
        tx
          .insertInto('playlist_followers')
          .values({ playlist_id: playlistId, user_id: actorId })
          .onConflict((conflict) => conflict.columns(['playlist_id', 'user_id']).doNothing())
          .execute(),
      );
    },

    /** Unfollows; false when there was no follow. */
    async unfollow(actorId: string, playlistId: string): Promise<boolean> {
      const result = await withActor(db, actorId, (tx) =>
        tx
          .deleteFrom('playlist_followers')
          .where('playlist_id', '=', playlistId)
          .where('user_id', '=', actorId)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type PlaylistsRepository = ReturnType<typeof createPlaylistsRepository>;
