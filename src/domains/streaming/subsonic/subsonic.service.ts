// The OpenSubsonic calls (issue 13 §6, ADR 0052): each takes the signed-in caller and the request's parameters and
// returns the content of a `subsonic-response` (or the bytes of a stream, a download, a cover). Rules stay where
// they live: tracksPolicy and playlistsPolicy decide what the caller sees, and the likes, plays, playlists and
// queue services of the streaming domain do the writes, exactly as through /v1.
import type { Caller } from '../../../platform/http/caller.ts';
import { ApiError } from '../../../platform/http/problem.ts';
import type { DeliveryAnswer, FilesBridge } from '../../files/index.ts';
import type { PublicName } from '../../profiles/index.ts';
import type { LikesService } from '../likes.service.ts';
import type { PlaylistsService } from '../playlists.service.ts';
import type { Playlist } from '../playlists.schemas.ts';
import type { PlaysService } from '../plays.service.ts';
import type { QueueService } from '../queue.service.ts';
import { qualityForBitRate } from '../stream.negotiation.ts';
import type { StreamService } from '../stream.service.ts';
import { tracksPolicy } from '../tracks.policy.ts';
import { SubsonicCode, SubsonicError, type SubsonicNode } from './subsonic.format.ts';
import { albumId, artistId, parseId, SINGLES_ALBUM } from './subsonic.ids.ts';
import {
  prefixQuery,
  type AlbumRow,
  type ArtistRow,
  type SongRow,
  type SubsonicRepository,
} from './subsonic.repository.ts';
import type { SubsonicParams } from './subsonic.schemas.ts';

/** What a call answers: the content of the envelope, or bytes from the files module. */
export type CallResult =
  { kind: 'content'; content: SubsonicNode } | { kind: 'file'; answer: DeliveryAnswer; fileId: string };

export interface CallContext {
  caller: Caller;
  params: SubsonicParams;
  headers: { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };
  headOnly: boolean;
}

export interface SubsonicServiceDeps {
  repository: SubsonicRepository;
  files: FilesBridge;
  publicNames: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
  likes: LikesService;
  plays: PlaysService;
  playlists: PlaylistsService;
  queue: QueueService;
  /** Streams and downloads of tracks (quality negotiation, download counting: ADR 0047). */
  streams: StreamService;
  /** An account id by username in any case, for getPlaylists?username= (undefined: no such account). */
  accountIdOf: (username: string) => Promise<string | undefined>;
}

/** The one music folder: Veza has no folders, and a player needs one to show (ADR 0052). */
const MUSIC_FOLDER = { id: 1, name: 'Veza' };
/** search3 bounds: the protocol pages by offset; these keep one request cheap. */
const SEARCH_MAX_COUNT = 500;
const SEARCH_MAX_OFFSET = 10_000;
/** The most playlists getPlaylists lists (own, collaborating and followed together). */
const MAX_LISTED_PLAYLISTS = 500;
const PLAYLIST_PAGE = 100;

const content = (node: SubsonicNode): CallResult => ({ kind: 'content', content: node });
const iso = (date: Date | string) => (typeof date === 'string' ? new Date(date) : date).toISOString();
const notFound = (what: string) => new SubsonicError(SubsonicCode.notFound, `${what} not found`);

// --- parameters ----------------------------------------------------------------------------------------------------

function values(params: SubsonicParams, name: keyof SubsonicParams): string[] {
  const value = params[name] as string | string[] | undefined;
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function optional(params: SubsonicParams, name: keyof SubsonicParams): string | undefined {
  const all = values(params, name);
  if (all.length > 1) throw new SubsonicError(SubsonicCode.generic, `Parameter ${name} takes one value`);
  return all[0];
}

function required(params: SubsonicParams, name: keyof SubsonicParams): string {
  const value = optional(params, name);
  if (value === undefined || value === '')
    throw new SubsonicError(SubsonicCode.missingParameter, `Required parameter is missing: ${name}`);
  return value;
}

function integer(
  params: SubsonicParams,
  name: keyof SubsonicParams,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  const text = optional(params, name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^-?\d{1,15}$/.test(text) || value < min || value > max)
    throw new SubsonicError(SubsonicCode.generic, `Parameter ${name} must be an integer from ${min} to ${max}`);
  return value;
}

function flag(params: SubsonicParams, name: keyof SubsonicParams, fallback: boolean): boolean {
  const text = optional(params, name);
  if (text === undefined || text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new SubsonicError(SubsonicCode.generic, `Parameter ${name} must be true or false`);
}

/** A track id (a song): a UUID, else the song does not exist. */
function songId(id: string): string {
  const parsed = parseId(id);
  if (parsed.kind !== 'uuid') throw notFound('Song');
  return parsed.id;
}

/** Problems of the streaming services, as Subsonic error codes: what the caller may not see does not exist. */
export function subsonicErrorOf(error: ApiError): SubsonicError {
  const message = error.errors?.[0]
    ? `${error.message} (${error.errors[0].field}: ${error.errors[0].message})`
    : error.message;
  switch (error.status) {
    case 404:
      return new SubsonicError(SubsonicCode.notFound, message);
    case 401:
      return new SubsonicError(SubsonicCode.wrongCredentials, message);
    case 403:
      return new SubsonicError(SubsonicCode.notAuthorized, message);
    default:
      return new SubsonicError(SubsonicCode.generic, message);
  }
}

/** Runs a call of another service, turning its problems into Subsonic errors. */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw subsonicErrorOf(error);
    throw error;
  }
}

// --- the service ---------------------------------------------------------------------------------------------------

export class SubsonicService {
  readonly #deps: SubsonicServiceDeps;

  constructor(deps: SubsonicServiceDeps) {
    this.#deps = deps;
  }

  // Names of creators, for artists and the `artist` of songs and albums.
  async #names(ids: Iterable<string>): Promise<Map<string, string>> {
    const found = await this.#deps.publicNames(ids);
    return new Map([...found].map(([id, name]) => [id, name.display_name ?? name.username]));
  }

  #song(row: SongRow, names: Map<string, string>, trackNumber?: number): SubsonicNode {
    const creator = names.get(row.creator_id) ?? 'Unknown artist';
    const album = row.album?.trim() ? row.album : SINGLES_ALBUM;
    return {
      id: row.id,
      parent: albumId(row.creator_id, row.album_key),
      isDir: false,
      title: row.title,
      album,
      artist: row.artist?.trim() ? row.artist : creator,
      track: trackNumber,
      genre: row.genre ?? undefined,
      coverArt: row.cover_art_file_id ? row.id : undefined,
      duration: row.duration,
      bitRate: 256,
      suffix: 'm4a',
      contentType: 'audio/mp4',
      playCount: row.play_count,
      created: iso(row.created_at),
      starred: row.starred_at ? iso(row.starred_at) : undefined,
      albumId: albumId(row.creator_id, row.album_key),
      artistId: artistId(row.creator_id),
      type: 'music',
      mediaType: 'song',
      isVideo: false,
      bpm: row.bpm ?? undefined,
    };
  }

  async #songs(rows: SongRow[], numbered = false): Promise<SubsonicNode[]> {
    const names = await this.#names(rows.map((row) => row.creator_id));
    return rows.map((row, index) => this.#song(row, names, numbered ? index + 1 : undefined));
  }

  #album(row: AlbumRow, names: Map<string, string>): SubsonicNode {
    const id = albumId(row.creator_id, row.key);
    return {
      id,
      name: row.name?.trim() ? row.name : SINGLES_ALBUM,
      artist: names.get(row.creator_id) ?? 'Unknown artist',
      artistId: artistId(row.creator_id),
      coverArt: row.cover_track_id ? id : undefined,
      songCount: row.song_count,
      duration: row.duration,
      playCount: row.play_count,
      created: iso(row.created_at),
      genre: row.genre ?? undefined,
    };
  }

  #artist(row: ArtistRow, names: Map<string, string>): SubsonicNode {
    return {
      id: artistId(row.creator_id),
      name: names.get(row.creator_id) ?? 'Unknown artist',
      albumCount: row.album_count,
    };
  }

  /** Artists under index letters, as getArtists and getIndexes answer them. */
  async #artistIndex(caller: Caller): Promise<SubsonicNode[]> {
    const rows = await this.#deps.repository.artists(caller.userId);
    const names = await this.#names(rows.map((row) => row.creator_id));
    const byLetter = new Map<string, SubsonicNode[]>();
    const nameOf = (row: ArtistRow) => names.get(row.creator_id) ?? 'Unknown artist';
    const sorted = [...rows].sort((a, b) => nameOf(a).localeCompare(nameOf(b), 'en', { sensitivity: 'base' }));
    for (const row of sorted) {
      const artist = this.#artist(row, names);
      const first = nameOf(row).normalize('NFD').charAt(0).toUpperCase();
      const letter = /^[A-Z]$/.test(first) ? first : '#';
      byLetter.set(letter, [...(byLetter.get(letter) ?? []), artist]);
    }
    return [...byLetter].map(([name, artist]) => ({ name, artist }));
  }

  /** A song the caller may hear (unlisted ones included: the id is the link), else error 70. */
  async #playable(caller: Caller, id: string): Promise<SongRow> {
    const row = await this.#deps.repository.song(caller.userId, songId(id));
    if (!row || !tracksPolicy.mayListen(caller, row).allowed) throw notFound('Song');
    return row;
  }

  // --- system ------------------------------------------------------------------------------------------------------

  ping = (): CallResult => content({});

  getLicense = (): CallResult => content({ license: { valid: true } });

  getOpenSubsonicExtensions = (): CallResult =>
    content({
      openSubsonicExtensions: [
        { name: 'formPost', versions: [1] },
        { name: 'apiKeyAuthentication', versions: [1] },
      ],
    });

  getMusicFolders = (): CallResult => content({ musicFolders: { musicFolder: [MUSIC_FOLDER] } });

  // --- browsing ----------------------------------------------------------------------------------------------------

  getIndexes = async ({ caller }: CallContext): Promise<CallResult> =>
    content({ indexes: { lastModified: 0, ignoredArticles: '', index: await this.#artistIndex(caller) } });

  getArtists = async ({ caller }: CallContext): Promise<CallResult> =>
    content({ artists: { ignoredArticles: '', index: await this.#artistIndex(caller) } });

  getArtist = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const parsed = parseId(required(params, 'id'));
    if (parsed.kind !== 'artist') throw notFound('Artist');
    const albums = await this.#deps.repository.albumsOf(caller.userId, parsed.creatorId);
    if (albums.length === 0) throw notFound('Artist');
    const names = await this.#names([parsed.creatorId]);
    return content({
      artist: {
        ...this.#artist({ creator_id: parsed.creatorId, album_count: albums.length, song_count: 0 }, names),
        album: albums.map((album) => this.#album(album, names)),
      },
    });
  };

  getAlbum = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const parsed = parseId(required(params, 'id'));
    if (parsed.kind !== 'album') throw notFound('Album');
    const { repository } = this.#deps;
    const [album, songs] = await Promise.all([
      repository.album(caller.userId, parsed.creatorId, parsed.key),
      repository.albumSongs(caller.userId, parsed.creatorId, parsed.key),
    ]);
    if (!album) throw notFound('Album');
    const names = await this.#names([parsed.creatorId]);
    return content({ album: { ...this.#album(album, names), song: await this.#songs(songs, true) } });
  };

  getSong = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const row = await this.#playable(caller, required(params, 'id'));
    return content({ song: (await this.#songs([row]))[0] });
  };

  /** The folder view some players browse by: an artist holds albums, an album holds songs. */
  getMusicDirectory = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const id = required(params, 'id');
    const parsed = parseId(id);
    const { repository } = this.#deps;
    if (parsed.kind === 'artist') {
      const albums = await repository.albumsOf(caller.userId, parsed.creatorId);
      if (albums.length === 0) throw notFound('Directory');
      const names = await this.#names([parsed.creatorId]);
      return content({
        directory: {
          id,
          name: names.get(parsed.creatorId) ?? 'Unknown artist',
          child: albums.map((album) => {
            const node = this.#album(album, names);
            return {
              id: node.id,
              parent: id,
              isDir: true,
              title: node.name,
              artist: node.artist,
              coverArt: node.coverArt,
            };
          }),
        },
      });
    }
    if (parsed.kind === 'album') {
      const [album, songs] = await Promise.all([
        repository.album(caller.userId, parsed.creatorId, parsed.key),
        repository.albumSongs(caller.userId, parsed.creatorId, parsed.key),
      ]);
      if (!album) throw notFound('Directory');
      return content({
        directory: {
          id,
          parent: artistId(parsed.creatorId),
          name: album.name?.trim() ? album.name : SINGLES_ALBUM,
          child: await this.#songs(songs, true),
        },
      });
    }
    throw notFound('Directory');
  };

  search3 = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const text = optional(params, 'query') ?? '';
    // `""` (or `''`, as some players send it) lists everything: OpenSubsonic's way to sync a library.
    const query = text === '""' || text === "''" ? null : prefixQuery(text);
    if (query === null && text.replace(/["']/g, '').trim() !== '') return content({ searchResult3: {} });
    const bounds = (name: keyof SubsonicParams, fallback: number) =>
      integer(params, name, { min: 0, max: SEARCH_MAX_COUNT, fallback });
    const offset = (name: keyof SubsonicParams) =>
      integer(params, name, { min: 0, max: SEARCH_MAX_OFFSET, fallback: 0 });
    const { repository } = this.#deps;
    const [artists, albums, songs] = await Promise.all([
      bounds('artistCount', 20) === 0
        ? []
        : repository.searchArtists(caller.userId, query, bounds('artistCount', 20), offset('artistOffset')),
      bounds('albumCount', 20) === 0
        ? []
        : repository.searchAlbums(caller.userId, query, bounds('albumCount', 20), offset('albumOffset')),
      bounds('songCount', 20) === 0
        ? []
        : repository.searchSongs(caller.userId, query, bounds('songCount', 20), offset('songOffset')),
    ]);
    const names = await this.#names([...artists, ...albums, ...songs].map((row) => row.creator_id));
    return content({
      searchResult3: {
        artist: artists.map((row) => this.#artist(row, names)),
        album: albums.map((row) => this.#album(row, names)),
        song: songs.map((row) => this.#song(row, names)),
      },
    });
  };

  // --- media -------------------------------------------------------------------------------------------------------

  /**
   * The audio of a song (ADR 0052), through the stream service (ADR 0047): `maxBitRate` up to 128 gets the 128k
   * rendition, anything else (0 = no limit) the 256k one; `format=raw` the original upload when the caller may have
   * it (their own track, or a downloadable one), else the best rendition. A missing rendition falls back to another.
   */
  stream = async ({ caller, params, headers, headOnly }: CallContext): Promise<CallResult> => {
    const row = await this.#playable(caller, required(params, 'id'));
    const maxBitRate = integer(params, 'maxBitRate', { min: 0, max: 100_000, fallback: 0 });
    const originalAllowed = row.is_downloadable || row.creator_id === caller.userId;
    let quality = qualityForBitRate(maxBitRate, optional(params, 'format'));
    // Players asking for raw want no transcoding, not a refusal: the best rendition when the original is not theirs.
    if (quality === 'original' && !originalAllowed) quality = 'high';
    const answer = await translated(() =>
      this.#deps.streams.stream({ caller, trackId: row.id, quality, headers, headOnly }),
    );
    return { kind: 'file', answer: answer.delivery, fileId: answer.fileId };
  };

  /** The original upload of a downloadable song (or one's own), counted as a download of someone else's. */
  download = async ({ caller, params, headers, headOnly }: CallContext): Promise<CallResult> => {
    const row = await this.#playable(caller, required(params, 'id'));
    const answer = await translated(() => this.#deps.streams.download({ caller, trackId: row.id, headers, headOnly }));
    return { kind: 'file', answer: answer.delivery, fileId: answer.fileId };
  };

  /** The cover of a song, an album or an artist (their first track that has one); `size` picks a thumbnail. */
  getCoverArt = async ({ caller, params, headers, headOnly }: CallContext): Promise<CallResult> => {
    const id = required(params, 'id');
    const size = integer(params, 'size', { min: 1, max: 10_000, fallback: 0 });
    const parsed = parseId(id);
    const { repository } = this.#deps;
    let trackId: string | null | undefined;
    if (parsed.kind === 'uuid') trackId = parsed.id;
    else if (parsed.kind === 'album')
      trackId = (await repository.album(caller.userId, parsed.creatorId, parsed.key))?.cover_track_id;
    else if (parsed.kind === 'artist')
      trackId = (await repository.albumsOf(caller.userId, parsed.creatorId)).find(
        (album) => album.cover_track_id,
      )?.cover_track_id;
    if (!trackId) throw notFound('Cover art');
    const row = await repository.song(caller.userId, trackId);
    if (!row || !tracksPolicy.mayListen(caller, row).allowed || !row.cover_art_file_id) throw notFound('Cover art');
    let fileId = row.cover_art_file_id;
    if (size > 0) {
      // The smallest thumbnail at least as large as asked, if processing made one.
      const thumbnails = (await this.#deps.files.renditionsOf(fileId))
        .map((r) => ({ id: r.file_id, px: Number(/^(\d+)px$/.exec(r.quality ?? '')?.[1] ?? 0) }))
        .filter((r) => r.px >= size)
        .sort((a, b) => a.px - b.px);
      if (thumbnails[0]) fileId = thumbnails[0].id;
    }
    return this.#deliver(caller, fileId, headers, headOnly);
  };

  async #deliver(
    caller: Caller,
    fileId: string,
    headers: CallContext['headers'],
    headOnly: boolean,
  ): Promise<CallResult> {
    const answer = await translated(() =>
      this.#deps.files.deliver({
        caller,
        fileId,
        // The track's rules admitted the caller (tracksPolicy.mayListen above): the files module still checks the
        // file itself (deleted, quarantined, scanned in production).
        grant: { rule: 'track', open: false, shareable: false },
        headers,
        headOnly,
      }),
    );
    return { kind: 'file', answer, fileId };
  }

  // --- stars -------------------------------------------------------------------------------------------------------

  /** Checks every song first, then likes them: one unknown id stars nothing. Albums and artists have no likes. */
  #starTargets(params: SubsonicParams): string[] {
    if (values(params, 'albumId').length > 0 || values(params, 'artistId').length > 0)
      throw new SubsonicError(SubsonicCode.generic, 'Veza stars songs only, not albums or artists');
    const ids = values(params, 'id');
    if (ids.length === 0) throw new SubsonicError(SubsonicCode.missingParameter, 'Required parameter is missing: id');
    return [...new Set(ids.map(songId))];
  }

  star = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const ids = this.#starTargets(params);
    for (const id of ids) await this.#playable(caller, id);
    for (const id of ids) await translated(() => this.#deps.likes.like(caller, id));
    return content({});
  };

  unstar = async ({ caller, params }: CallContext): Promise<CallResult> => {
    for (const id of this.#starTargets(params)) await translated(() => this.#deps.likes.unlike(caller, id));
    return content({});
  };

  getStarred2 = async ({ caller }: CallContext): Promise<CallResult> => {
    const rows = (await this.#deps.repository.starredSongs(caller.userId)).filter(
      (row) => tracksPolicy.mayListen(caller, row).allowed,
    );
    return content({ starred2: { artist: [], album: [], song: await this.#songs(rows) } });
  };

  // --- plays -------------------------------------------------------------------------------------------------------

  /**
   * `submission=true` (the default): the songs were played, each reported as one play of its whole length
   * (Subsonic says nothing of how much was heard; the plays service still applies its counting window).
   * `submission=false` ("now playing"): checked, not recorded.
   */
  scrobble = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const ids = values(params, 'id');
    if (ids.length === 0) throw new SubsonicError(SubsonicCode.missingParameter, 'Required parameter is missing: id');
    const submission = flag(params, 'submission', true);
    const rows: SongRow[] = [];
    for (const id of ids) rows.push(await this.#playable(caller, id));
    if (submission) {
      for (const row of rows)
        await translated(() => this.#deps.plays.report(caller, row.id, { played_duration: row.duration }));
    }
    return content({});
  };

  // --- play queue --------------------------------------------------------------------------------------------------

  getPlayQueue = async ({ caller }: CallContext): Promise<CallResult> => {
    const { queue } = await this.#deps.queue.get(caller);
    if (queue.items.length === 0 && queue.current_track_id === null) return content({});
    const available = queue.items.filter((item) => item.available).map((item) => item.track_id);
    const rows = new Map(
      (await this.#deps.repository.songsById(caller.userId, available))
        .filter((row) => tracksPolicy.mayListen(caller, row).allowed)
        .map((row) => [row.id, row]),
    );
    const names = await this.#names([...rows.values()].map((row) => row.creator_id));
    const entries = available.flatMap((id) => {
      const row = rows.get(id);
      return row ? [this.#song(row, names)] : [];
    });
    return content({
      playQueue: {
        current: queue.current_track_available ? (queue.current_track_id ?? undefined) : undefined,
        position: queue.current_position * 1000,
        changed: queue.updated_at ?? undefined,
        changedBy: 'veza',
        entry: entries,
      },
    });
  };

  /** Replaces the queue (ids in order, the current one, its position in milliseconds); no id empties it. */
  savePlayQueue = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const ids = values(params, 'id').map(songId);
    const current = optional(params, 'current');
    const position = integer(params, 'position', { min: 0, max: 2_147_483_647_000, fallback: 0 });
    await translated(() =>
      this.#deps.queue.replace(
        caller,
        {
          track_ids: ids,
          current_track_id: current === undefined || current === '' ? null : songId(current),
          current_position: Math.floor(position / 1000),
        },
        undefined,
      ),
    );
    return content({});
  };

  // --- playlists ---------------------------------------------------------------------------------------------------

  #playlist(playlist: Playlist): SubsonicNode {
    return {
      id: playlist.id,
      name: playlist.name,
      comment: playlist.description ?? undefined,
      owner: playlist.owner?.username ?? '',
      public: playlist.visibility === 'public',
      songCount: playlist.track_count,
      duration: playlist.duration_seconds,
      created: playlist.created_at,
      changed: playlist.updated_at,
    };
  }

  async #playlistWithSongs(caller: Caller, id: string): Promise<CallResult> {
    const { playlist, entries } = await translated(() => this.#deps.playlists.allEntries(caller, id));
    const ids = entries.flatMap((entry) => (entry.track ? [entry.track.id] : []));
    const rows = new Map(
      (await this.#deps.repository.songsById(caller.userId, ids))
        .filter((row) => tracksPolicy.mayListen(caller, row).allowed)
        .map((row) => [row.id, row]),
    );
    const songs = await this.#songs(ids.flatMap((trackId) => rows.get(trackId) ?? []));
    return content({ playlist: { ...this.#playlist(playlist), entry: songs } });
  }

  /** A playlist id: a UUID, else the playlist does not exist. */
  #playlistId(id: string): string {
    const parsed = parseId(id);
    if (parsed.kind !== 'uuid') throw notFound('Playlist');
    return parsed.id;
  }

  /** The caller's playlists, those they collaborate on and those they follow; another user's public ones. */
  getPlaylists = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const { playlists } = this.#deps;
    const username = optional(params, 'username');
    const owner = username === undefined ? caller.userId : await this.#deps.accountIdOf(username);
    if (owner === undefined) return content({ playlists: {} });
    const all = new Map<string, Playlist>();
    const gather = async (
      list: (cursor: string | undefined) => Promise<{ items: Playlist[]; next_cursor: string | null }>,
    ) => {
      let cursor: string | undefined;
      do {
        const page = await list(cursor);
        for (const item of page.items) all.set(item.id, item);
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined && all.size < MAX_LISTED_PLAYLISTS);
    };
    const query = (cursor: string | undefined) => ({ limit: PLAYLIST_PAGE, ...(cursor ? { cursor } : {}) });
    await gather((cursor) => playlists.listOfUser(caller, owner, query(cursor)));
    if (owner === caller.userId) {
      await gather((cursor) => playlists.listCollaborating(caller, query(cursor)));
      await gather((cursor) => playlists.listFollowing(caller, query(cursor)));
    }
    return content({
      playlists: { playlist: [...all.values()].slice(0, MAX_LISTED_PLAYLISTS).map((p) => this.#playlist(p)) },
    });
  };

  getPlaylist = ({ caller, params }: CallContext): Promise<CallResult> =>
    this.#playlistWithSongs(caller, this.#playlistId(required(params, 'id')));

  /** A new private playlist with `songId`s, or (with `playlistId`) the songs of an existing one replaced. */
  createPlaylist = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const existing = optional(params, 'playlistId');
    const songIds = values(params, 'songId').map(songId);
    const fields = { trackIds: 'songId', positions: 'songIndexToRemove' };
    if (existing !== undefined && existing !== '') {
      const id = this.#playlistId(existing);
      await translated(() => this.#deps.playlists.replaceEntries(caller, id, songIds, fields));
      return this.#playlistWithSongs(caller, id);
    }
    const name = required(params, 'name').trim();
    if (name.length === 0)
      throw new SubsonicError(SubsonicCode.missingParameter, 'Required parameter is missing: name');
    const created = await translated(() =>
      this.#deps.playlists.create(caller, { name, visibility: 'private' }, songIds, fields),
    );
    return this.#playlistWithSongs(caller, created.id);
  };

  /**
   * Removes the entries at `songIndexToRemove` and appends `songIdToAdd` (songs already there stay where they
   * are), then changes name, comment and public. The entries go first: they are what may be refused.
   */
  updatePlaylist = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const id = this.#playlistId(required(params, 'playlistId'));
    const removals = values(params, 'songIndexToRemove').map((text) => {
      if (!/^\d{1,6}$/.test(text)) throw new SubsonicError(SubsonicCode.generic, 'songIndexToRemove must be an index');
      return Number(text);
    });
    const additions = values(params, 'songIdToAdd').map(songId);
    const name = optional(params, 'name');
    const comment = optional(params, 'comment');
    const isPublic = optional(params, 'public') === undefined ? undefined : flag(params, 'public', false);
    const { playlists } = this.#deps;
    if (name !== undefined && name.trim() === '')
      throw new SubsonicError(SubsonicCode.generic, 'The name of a playlist cannot be blank');
    const details = {
      ...(name !== undefined ? { name: name.trim() } : {}),
      ...(comment !== undefined ? { description: comment === '' ? null : comment } : {}),
      ...(isPublic !== undefined ? { visibility: isPublic ? ('public' as const) : ('private' as const) } : {}),
    };
    // One transaction: the entries and the details change together, or nothing does.
    await translated(() =>
      playlists.editEntries(
        caller,
        id,
        { removePositions: removals, appendTrackIds: additions, skipPresent: true, details },
        { trackIds: 'songIdToAdd', positions: 'songIndexToRemove' },
      ),
    );
    return content({});
  };

  deletePlaylist = async ({ caller, params }: CallContext): Promise<CallResult> => {
    const id = this.#playlistId(required(params, 'id'));
    await translated(() => this.#deps.playlists.delete(caller, id));
    return content({});
  };
}

/** The calls served, by name (without `.view`); getOpenSubsonicExtensions alone needs no sign-in. */
export const SUBSONIC_CALLS = [
  'ping',
  'getLicense',
  'getOpenSubsonicExtensions',
  'getMusicFolders',
  'getIndexes',
  'getArtists',
  'getArtist',
  'getAlbum',
  'getSong',
  'getMusicDirectory',
  'search3',
  'stream',
  'download',
  'getCoverArt',
  'getPlaylists',
  'getPlaylist',
  'createPlaylist',
  'updatePlaylist',
  'deletePlaylist',
  'star',
  'unstar',
  'getStarred2',
  'scrobble',
  'getPlayQueue',
  'savePlayQueue',
] as const satisfies readonly (keyof SubsonicService)[];
export type SubsonicCall = (typeof SUBSONIC_CALLS)[number];

/** Calls a player may make before signing in (OpenSubsonic: the extensions must be readable without). */
export const ANONYMOUS_CALLS: ReadonlySet<string> = new Set(['getOpenSubsonicExtensions']);
