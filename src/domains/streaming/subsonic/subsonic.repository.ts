// The read statements of the Subsonic library view (issue 13 §6, ADR 0052): songs (tracks), artists (creators) and
// albums (a creator's tracks grouped by album name), always as one caller sees them: tracks everyone may list
// (public, published) plus the caller's own. Rows in, rows out; the policies still decide per object.
import { sql, type ExpressionBuilder, type SqlBool, type Expression } from 'kysely';
import type { DB } from '../../../platform/db/db.generated.ts';
import type { Database, Pool } from '../../../platform/db/pool.ts';
import type { TrackSubject } from '../tracks.policy.ts';

/** A track as a Subsonic `Child` shows it. */
export interface SongRow extends TrackSubject {
  id: string;
  file_id: string;
  title: string;
  artist: string | null;
  album: string | null;
  album_key: string;
  genre: string | null;
  duration: number;
  bpm: number | null;
  cover_art_file_id: string | null;
  play_count: number;
  is_downloadable: boolean;
  created_at: Date;
  starred_at: Date | null;
}

export interface ArtistRow {
  creator_id: string;
  album_count: number;
  song_count: number;
}

export interface AlbumRow {
  creator_id: string;
  key: string;
  name: string | null;
  song_count: number;
  duration: number;
  play_count: number;
  created_at: Date;
  genre: string | null;
  cover_track_id: string | null;
}

/** The album key of a track (subsonic.ids.ts): the same expression everywhere, so ids stay stable. */
export const albumKey = sql<string>`left(md5(lower(btrim(coalesce(tracks.album, '')))), 16)`;

/** The most artists a library listing holds (getArtists, getIndexes): the most recently active creators. */
export const MAX_LISTED_ARTISTS = 2000;
/** The most songs of one album, and of a starred list. */
export const MAX_ALBUM_SONGS = 1000;

/** Tracks in the caller's library view: listed for everyone, or the caller's own (any state but deleted). */
function inLibrary(callerId: string) {
  return (eb: ExpressionBuilder<DB, 'tracks'>): Expression<SqlBool> =>
    eb.and([
      eb('tracks.deleted_at', 'is', null),
      eb.or([
        eb.and([eb('tracks.visibility', '=', 'public'), eb('tracks.published_at', 'is not', null)]),
        eb('tracks.creator_id', '=', callerId),
      ]),
    ]);
}

/**
 * A full-text query of the words of `text`, each as a prefix (players search as the user types), over the
 * expression idx_tracks_search_gin indexes; null when the text holds no word.
 */
export function prefixQuery(text: string): string | null {
  const words = text
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, 8);
  if (words.length === 0) return null;
  return words.map((word) => `'${word.slice(0, 64)}':*`).join(' & ');
}

const SEARCH_VECTOR = sql`to_tsvector('english', tracks.title || ' ' || COALESCE(tracks.artist, '') || ' ' || COALESCE(tracks.album, ''))`;

export function createSubsonicRepository(pool: Pool | { db: Database }) {
  const { db } = pool;

  const songs = (callerId: string) =>
    db
      .selectFrom('tracks')
      .leftJoin('track_likes', (join) =>
        join.onRef('track_likes.track_id', '=', 'tracks.id').on('track_likes.user_id', '=', callerId),
      )
      .select([
        'tracks.id',
        'tracks.creator_id',
        'tracks.file_id',
        'tracks.title',
        'tracks.artist',
        'tracks.album',
        'tracks.genre',
        'tracks.duration',
        'tracks.bpm',
        'tracks.cover_art_file_id',
        'tracks.play_count',
        'tracks.is_downloadable',
        'tracks.visibility',
        'tracks.published_at',
        'tracks.deleted_at',
        'tracks.created_at',
        'track_likes.created_at as starred_at',
      ])
      .select(albumKey.as('album_key'));

  const albums = (callerId: string) =>
    db
      .selectFrom('tracks')
      .where(inLibrary(callerId))
      .select([
        'tracks.creator_id',
        albumKey.as('key'),
        // The spelling of the album's first track names it.
        sql<string | null>`(array_agg(btrim(tracks.album) ORDER BY tracks.created_at, tracks.id))[1]`.as('name'),
        sql<number>`count(*)::int`.as('song_count'),
        sql<number>`sum(tracks.duration)::int`.as('duration'),
        sql<number>`sum(tracks.play_count)::int`.as('play_count'),
        sql<Date>`min(tracks.created_at)`.as('created_at'),
        sql<string | null>`min(tracks.genre)`.as('genre'),
        sql<
          string | null
        >`(array_agg(tracks.id ORDER BY tracks.created_at, tracks.id) FILTER (WHERE tracks.cover_art_file_id IS NOT NULL))[1]`.as(
          'cover_track_id',
        ),
      ])
      .groupBy(['tracks.creator_id', albumKey]);

  return {
    /** One track by id, whatever its state (the policy decides), with the caller's star. */
    song: (callerId: string, trackId: string) =>
      songs(callerId).where('tracks.id', '=', trackId).executeTakeFirst() as Promise<SongRow | undefined>,

    /** Tracks by id, whatever their state (the policy decides per row). */
    songsById: (callerId: string, ids: readonly string[]) =>
      ids.length === 0
        ? Promise.resolve([] as SongRow[])
        : (songs(callerId)
            .where('tracks.id', 'in', [...ids])
            .execute() as Promise<SongRow[]>),

    /** The creators with tracks in the caller's library, most recently active first, at most MAX_LISTED_ARTISTS. */
    artists: (callerId: string) =>
      db
        .selectFrom('tracks')
        .where(inLibrary(callerId))
        .select([
          'tracks.creator_id',
          sql<number>`count(DISTINCT ${albumKey})::int`.as('album_count'),
          sql<number>`count(*)::int`.as('song_count'),
        ])
        .groupBy('tracks.creator_id')
        .orderBy(sql`max(coalesce(tracks.published_at, tracks.created_at))`, 'desc')
        .orderBy('tracks.creator_id')
        .limit(MAX_LISTED_ARTISTS)
        .execute() as Promise<ArtistRow[]>,

    /** One creator's albums in the caller's library, oldest first. */
    albumsOf: (callerId: string, creatorId: string) =>
      albums(callerId)
        .where('tracks.creator_id', '=', creatorId)
        .orderBy(sql`min(tracks.created_at)`)
        .execute() as Promise<AlbumRow[]>,

    album: (callerId: string, creatorId: string, key: string) =>
      albums(callerId)
        .where('tracks.creator_id', '=', creatorId)
        .where(albumKey, '=', key)
        .executeTakeFirst() as Promise<AlbumRow | undefined>,

    /** The songs of an album in the caller's library, in the order they were made. */
    albumSongs: (callerId: string, creatorId: string, key: string) =>
      songs(callerId)
        .where(inLibrary(callerId))
        .where('tracks.creator_id', '=', creatorId)
        .where(albumKey, '=', key)
        .orderBy('tracks.created_at')
        .orderBy('tracks.id')
        .limit(MAX_ALBUM_SONGS)
        .execute() as Promise<SongRow[]>,

    /**
     * search3: songs whose title, artist or album hold every word of the query as a prefix (all songs for an
     * empty query: OpenSubsonic lets players sync a library that way), newest first, by offset (the protocol's).
     */
    searchSongs: (callerId: string, query: string | null, count: number, offset: number) => {
      let select = songs(callerId).where(inLibrary(callerId));
      if (query !== null) select = select.where(sql<SqlBool>`${SEARCH_VECTOR} @@ to_tsquery('english', ${query})`);
      return select
        .orderBy('tracks.created_at', 'desc')
        .orderBy('tracks.id', 'desc')
        .limit(count)
        .offset(offset)
        .execute() as Promise<SongRow[]>;
    },

    searchAlbums: (callerId: string, query: string | null, count: number, offset: number) => {
      let select = albums(callerId);
      if (query !== null) select = select.where(sql<SqlBool>`${SEARCH_VECTOR} @@ to_tsquery('english', ${query})`);
      return select
        .orderBy(sql`min(tracks.created_at)`, 'desc')
        .orderBy('tracks.creator_id')
        .orderBy(albumKey)
        .limit(count)
        .offset(offset)
        .execute() as Promise<AlbumRow[]>;
    },

    searchArtists: (callerId: string, query: string | null, count: number, offset: number) => {
      let select = db
        .selectFrom('tracks')
        .where(inLibrary(callerId))
        .select([
          'tracks.creator_id',
          sql<number>`count(DISTINCT ${albumKey})::int`.as('album_count'),
          sql<number>`count(*)::int`.as('song_count'),
        ])
        .groupBy('tracks.creator_id');
      if (query !== null) select = select.where(sql<SqlBool>`${SEARCH_VECTOR} @@ to_tsquery('english', ${query})`);
      return select
        .orderBy(sql`max(tracks.created_at)`, 'desc')
        .orderBy('tracks.creator_id')
        .limit(count)
        .offset(offset)
        .execute() as Promise<ArtistRow[]>;
    },

    /** The caller's liked tracks, newest like first (the policy then keeps those they may still hear). */
    starredSongs: (callerId: string) =>
      songs(callerId)
        .where('track_likes.id', 'is not', null)
        .where('tracks.deleted_at', 'is', null)
        .orderBy('track_likes.created_at', 'desc')
        .limit(MAX_ALBUM_SONGS)
        .execute() as Promise<SongRow[]>,

    /** A track's cover image file, for getCoverArt. */
    coverOf: (trackId: string) =>
      db
        .selectFrom('tracks')
        .select(['tracks.id', 'tracks.cover_art_file_id'])
        .where('tracks.id', '=', trackId)
        .executeTakeFirst(),
  };
}

export type SubsonicRepository = ReturnType<typeof createSubsonicRepository>;
