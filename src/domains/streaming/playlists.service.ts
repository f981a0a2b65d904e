// Playlists, their entries, collaborators and followers (issue 13 §4, ADR 0049). Every method takes the caller and
// plain values, never a request: the HTTP routes and the OpenSubsonic playlist calls share them.
//
// Entries: positions are 0-based, unique and gap-free (0..n-1). Every change to a playlist's entries holds the
// playlist row FOR UPDATE (repository.locked) and renumbers what it moves in the same transaction, so concurrent
// writers of one playlist apply one after the other, each on the order the previous one left.
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems, type ProblemField, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Decision } from '../../platform/policy/policy.ts';
import { playlistsPolicy } from './playlists.policy.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import {
  createPlaylistsRepository,
  type CollaboratorRow,
  type EntryRow,
  type PlaylistRow,
  type PlaylistsRepository,
} from './playlists.repository.ts';
import {
  MAX_ENTRY_PAGE,
  MAX_PLAYLIST_COLLABORATORS,
  MAX_PLAYLIST_ENTRIES,
  type Collaborator,
  type CreatePlaylist,
  type Entry,
  type EntryPage,
  type EntryPageQuery,
  type Playlist,
  type PlaylistDetail,
  type PlaylistListQuery,
  type UpdatePlaylist,
  type UserSummary,
} from './playlists.schemas.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy, type TrackSubject } from './tracks.policy.ts';

/** The public names of accounts, by id (profiles' publicNamesOf): absent for a deleted account. */
export type PublicNames = (ids: Iterable<string>) => Promise<Map<string, UserSummary>>;

export interface PlaylistsServiceDeps {
  repository: PlaylistsRepository;
  publicNames: PublicNames;
}

type Names = Map<string, UserSummary>;
const named = (names: Names, id: string | null): UserSummary | null => (id === null ? null : (names.get(id) ?? null));

/** Names the request fields a rule refers to, so that each caller (HTTP, OpenSubsonic) reports its own names. */
export interface EntryFields {
  trackIds: string;
  positions: string;
}
const HTTP_FIELDS: EntryFields = { trackIds: 'body.track_id', positions: 'body.position' };

const iso = (date: Date) => date.toISOString();

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message: string): ApiError {
  const errors: ProblemField[] = [{ field, rule, message }];
  return new ApiError(type, detail, errors);
}

export function toPlaylist(row: PlaylistRow, names: Names): Playlist {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    cover_url: row.cover_url,
    visibility: row.visibility,
    is_collaborative: row.is_collaborative,
    owner: named(names, row.user_id),
    track_count: row.track_count,
    duration_seconds: row.duration_seconds,
    follower_count: row.follower_count,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/**
 * What a playlist's ETag versions: the details PATCH changes, not its counters (which move whenever anyone adds a
 * track or follows), so that a collaborator's edit does not make the owner's rename a 412 (as tracks, ADR 0046).
 */
export function editableDetails(playlist: Playlist | PlaylistRow) {
  const { id, name, description, cover_url, visibility, is_collaborative } = playlist;
  return { id, name, description, cover_url, visibility, is_collaborative };
}

function trackSubject(row: EntryRow): TrackSubject | null {
  if (row.creator_id === null || row.visibility === null) return null;
  return {
    creator_id: row.creator_id,
    visibility: row.visibility,
    published_at: row.published_at,
    deleted_at: row.track_deleted_at,
  };
}

/** An entry as `viewer` sees it: the track's card, or a placeholder (track null) for a track they may not play. */
function toEntry(row: EntryRow, viewer: Caller | null, names: Names): Entry {
  const playable = tracksPolicy.mayListen(viewer, trackSubject(row)).allowed;
  return {
    id: row.id,
    position: row.position,
    added_at: iso(row.added_at),
    added_by: named(names, row.added_by),
    available: playable,
    track:
      playable && row.title !== null && row.duration !== null
        ? {
            id: row.track_id,
            title: row.title,
            artist: row.artist,
            album: row.album,
            duration_seconds: row.duration,
            cover_art_file_id: row.cover_art_file_id,
            creator: named(names, row.creator_id),
          }
        : null,
  };
}

/** A collaborator whose account is gone is left out (anonymisation deletes the row soon after). */
function toCollaborator(row: CollaboratorRow, names: Names): Collaborator | null {
  const person = named(names, row.user_id);
  return person && { user: person, added_by: named(names, row.added_by), added_at: iso(row.created_at) };
}

// The entry cursor: the last position of the page, opaque to clients.
const encodeEntryCursor = (position: number) => Buffer.from(JSON.stringify({ p: position })).toString('base64url');

function decodeEntryCursor(cursor: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const position = (parsed as { p?: unknown } | undefined)?.p;
  if (typeof position !== 'number' || !Number.isInteger(position) || position < 0 || position >= MAX_PLAYLIST_ENTRIES) {
    throw fieldError(
      CommonProblems.validationFailed,
      'The cursor is not one this API issued',
      'query.cursor',
      'cursor',
      'is not a cursor from a previous page',
    );
  }
  return position;
}

export class PlaylistsService {
  readonly #repository: PlaylistsRepository;
  readonly #publicNames: PublicNames;

  constructor(deps: PlaylistsServiceDeps) {
    this.#repository = deps.repository;
    this.#publicNames = deps.publicNames;
  }

  /** The names of the accounts these rows mention, in one query. */
  #names(...ids: (string | null | undefined)[][]): Promise<Names> {
    return this.#publicNames(ids.flat().filter((id): id is string => typeof id === 'string'));
  }

  async #playlist(row: PlaylistRow): Promise<Playlist> {
    return toPlaylist(row, await this.#names([row.user_id]));
  }

  async #playlists(rows: PlaylistRow[]): Promise<Playlist[]> {
    const names = await this.#names(rows.map((row) => row.user_id));
    return rows.map((row) => toPlaylist(row, names));
  }

  async #entries(rows: EntryRow[], viewer: Caller | null): Promise<Entry[]> {
    const names = await this.#names(
      rows.map((row) => row.added_by),
      rows.map((row) => row.creator_id),
    );
    return rows.map((row) => toEntry(row, viewer, names));
  }

  /** The playlist if `rule` lets the caller at it (a hidden one is PLAYLIST_NOT_FOUND), and whether they collaborate. */
  async #reach(
    caller: Caller | null,
    id: string,
    rule: (caller: Caller | null, playlist: PlaylistRow | undefined, collaborates: boolean) => Decision,
  ) {
    const playlist = await this.#repository.find(id);
    const collaborates = playlist ? await this.#repository.collaborates(id, caller?.userId ?? null) : false;
    authorize(rule(caller, playlist, collaborates), StreamingProblems.playlistNotFound);
    return { playlist: playlist as PlaylistRow, collaborates };
  }

  /**
   * Runs `work` with the playlist locked, once `rule` allows the caller. `work` uses the transaction only, never the
   * pool (a second connection per transaction would starve the pool under load): names are looked up after it.
   */
  #locked<T>(
    caller: Caller,
    id: string,
    rule: (caller: Caller | null, playlist: PlaylistRow | undefined, collaborates: boolean) => Decision,
    work: (tx: Transaction<DB>, playlist: PlaylistRow, collaborates: boolean) => Promise<T>,
  ): Promise<T> {
    return this.#repository.locked(caller.userId, id, async (tx, playlist, collaborates) => {
      authorize(rule(caller, playlist, collaborates), StreamingProblems.playlistNotFound);
      return work(tx, playlist as PlaylistRow, collaborates);
    });
  }

  // --- playlists ---------------------------------------------------------------------------------------------------

  /** A new playlist, optionally with its first tracks (in order, one transaction: all or nothing). */
  async create(
    caller: Caller,
    input: CreatePlaylist,
    trackIds: readonly string[] = [],
    fields: EntryFields = HTTP_FIELDS,
  ): Promise<Playlist> {
    const row = await this.#repository.create(
      caller.userId,
      {
        name: input.name,
        description: input.description ?? null,
        visibility: input.visibility ?? 'public',
        is_collaborative: input.is_collaborative ?? false,
      },
      async (tx, playlist) => {
        if (trackIds.length > 0) await this.#insertTracks(tx, caller, playlist, 0, trackIds, 0, fields);
      },
    );
    return this.#playlist(row);
  }

  /** Details, the viewer's relation to the playlist, and the first page of entries. */
  async detail(
    caller: Caller | null,
    id: string,
    query: EntryPageQuery,
  ): Promise<{ detail: PlaylistDetail; playlist: Playlist }> {
    const { playlist, collaborates } = await this.#reach(caller, id, playlistsPolicy.mayView);
    const [entryCount, following, tracks] = await Promise.all([
      this.#repository.entryCount(id),
      this.#repository.follows(id, caller?.userId ?? null),
      this.#entryPage(caller, id, query),
    ]);
    const summary = await this.#playlist(playlist);
    const owner = caller !== null && caller.userId === playlist.user_id;
    return {
      playlist: summary,
      detail: {
        ...summary,
        entry_count: entryCount,
        viewer: {
          role: owner ? 'owner' : caller !== null && collaborates ? 'collaborator' : null,
          following,
          may_edit_tracks: playlistsPolicy.mayEditEntries(caller, playlist, collaborates).allowed,
        },
        tracks,
      },
    };
  }

  /** One page of entries, by position (keyset). */
  async entries(caller: Caller | null, id: string, query: EntryPageQuery): Promise<EntryPage> {
    await this.#reach(caller, id, playlistsPolicy.mayView);
    return this.#entryPage(caller, id, query);
  }

  async #entryPage(caller: Caller | null, id: string, query: EntryPageQuery): Promise<EntryPage> {
    const after = query.cursor === undefined ? undefined : decodeEntryCursor(query.cursor);
    const rows = await this.#repository.listEntries(id, after, query.limit);
    const kept = rows.slice(0, query.limit);
    const last = kept.at(-1);
    return {
      items: await this.#entries(kept, caller),
      next_cursor: rows.length > query.limit && last ? encodeEntryCursor(last.position) : null,
    };
  }

  /** Every entry in order (at most 10,000), for clients that take a playlist whole (OpenSubsonic getPlaylist). */
  async allEntries(caller: Caller | null, id: string): Promise<{ playlist: Playlist; entries: Entry[] }> {
    const { playlist } = await this.#reach(caller, id, playlistsPolicy.mayView);
    const entries: Entry[] = [];
    let after: number | undefined;
    for (;;) {
      const rows = await this.#repository.listEntries(id, after, MAX_ENTRY_PAGE);
      const kept = rows.slice(0, MAX_ENTRY_PAGE);
      entries.push(...(await this.#entries(kept, caller)));
      if (rows.length <= MAX_ENTRY_PAGE) break;
      after = kept.at(-1)?.position;
    }
    return { playlist: await this.#playlist(playlist), entries };
  }

  /**
   * Changes the details (owner only). `ifMatch` (the route's If-Match precondition) is checked against the
   * playlist's editable details as they are inside the update's transaction, locked: two changes based on one ETag
   * never both apply.
   */
  async update(
    caller: Caller,
    id: string,
    input: UpdatePlaylist,
    ifMatch?: (current: ReturnType<typeof editableDetails>) => void,
  ): Promise<Playlist> {
    const row = await this.#locked(caller, id, playlistsPolicy.mayEditDetails, async (tx, playlist) => {
      ifMatch?.(editableDetails(playlist));
      const changes: Parameters<PlaylistsRepository['updateDetails']>[2] = {};
      if (input.name !== undefined) changes.name = input.name;
      if (input.description !== undefined) changes.description = input.description;
      if (input.visibility !== undefined) changes.visibility = input.visibility;
      if (input.is_collaborative !== undefined) changes.is_collaborative = input.is_collaborative;
      return this.#repository.updateDetails(tx, id, changes);
    });
    return this.#playlist(row);
  }

  /** Soft delete (owner only): the playlist is gone for everyone at once; the retention job purges it later. */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.#locked(caller, id, playlistsPolicy.mayDelete, (tx) => this.#repository.softDelete(tx, id));
  }

  // --- lists -------------------------------------------------------------------------------------------------------

  async #page(rows: Parameters<typeof toPage<PlaylistRow & { position_stamp: string }>>[0], limit: number) {
    const page = toPage(rows, limit);
    return { items: await this.#playlists(page.items), next_cursor: page.next_cursor };
  }

  /** A user's playlists: all of them for the user, the public ones for anyone else. */
  async listOfUser(caller: Caller | null, userId: string, query: PlaylistListQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const own = caller !== null && caller.userId === userId;
    return this.#page(await this.#repository.listOwnedBy(userId, !own, after, query.limit), query.limit);
  }

  async listCollaborating(caller: Caller, query: PlaylistListQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return this.#page(await this.#repository.listCollaborating(caller.userId, after, query.limit), query.limit);
  }

  async listFollowing(caller: Caller, query: PlaylistListQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return this.#page(await this.#repository.listFollowing(caller.userId, after, query.limit), query.limit);
  }

  // --- entries -----------------------------------------------------------------------------------------------------

  /**
   * Checks and inserts tracks at `position` of a locked playlist holding `count` entries: each track must be one
   * the caller may share (TRACK_NOT_FOUND otherwise, as if it did not exist), and a private track goes only into
   * its creator's own playlist; a track already there is a 409, and so is going past 10,000 entries.
   */
  async #insertTracks(
    tx: Transaction<DB>,
    caller: Caller,
    playlist: PlaylistRow,
    position: number,
    trackIds: readonly string[],
    count: number,
    fields: EntryFields,
  ): Promise<string[]> {
    const subjects = await this.#repository.trackSubjects(tx, trackIds);
    const seen = new Set<string>();
    for (const trackId of trackIds) {
      const subject = subjects.get(trackId);
      const decision = tracksPolicy.mayShare(caller, subject);
      if (!decision.allowed) {
        throw fieldError(
          StreamingProblems.trackNotFound,
          decision.reason,
          fields.trackIds,
          'exists',
          'names no track you may add',
        );
      }
      if (subject?.visibility === 'private' && subject.creator_id !== playlist.user_id) {
        throw fieldError(
          CommonProblems.validationFailed,
          'A private track goes only into its creator’s own playlists',
          fields.trackIds,
          'private',
          'is a private track of someone other than the playlist’s owner',
        );
      }
      if (seen.has(trackId) || (await this.#repository.hasTrack(tx, playlist.id, trackId))) {
        throw fieldError(
          StreamingProblems.trackAlreadyInPlaylist,
          'A track appears in a playlist once',
          fields.trackIds,
          'uq_playlist_tracks_playlist_track',
          'is already in the playlist',
        );
      }
      seen.add(trackId);
    }
    if (count + trackIds.length > MAX_PLAYLIST_ENTRIES) {
      throw fieldError(
        StreamingProblems.playlistFull,
        `A playlist holds at most ${MAX_PLAYLIST_ENTRIES} tracks (placeholders of unavailable tracks included); ` +
          `this one has ${count}`,
        fields.trackIds,
        'maxEntries',
        `would take the playlist past ${MAX_PLAYLIST_ENTRIES} entries`,
      );
    }
    return this.#repository.insertEntries(tx, playlist.id, position, trackIds, caller.userId);
  }

  /** Adds a track at `position` (default: the end); the entries from there move down one. */
  async addTrack(caller: Caller, id: string, input: { track_id: string; position?: number }): Promise<Entry> {
    const row = await this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx, playlist) => {
      const count = await this.#repository.entryCount(id, tx);
      const position = input.position ?? count;
      if (position > count) {
        throw outOfRange(HTTP_FIELDS.positions, count, 'inserted');
      }
      const [entryId] = await this.#insertTracks(tx, caller, playlist, position, [input.track_id], count, HTTP_FIELDS);
      return (await this.#repository.entry(tx, entryId as string)) as EntryRow;
    });
    return (await this.#entries([row], caller))[0] as Entry;
  }

  /** Removes an entry (named by its id or its track's id); the entries after it move up one. */
  async removeEntry(caller: Caller, id: string, entryKey: string): Promise<void> {
    await this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx) => {
      const entry = await this.#repository.findEntry(tx, id, entryKey);
      if (!entry) throw new ApiError(StreamingProblems.playlistEntryNotFound);
      await this.#repository.removeEntry(tx, id, entry.id, entry.position);
    });
  }

  /** Moves an entry to `position` (0..n-1); the entries in between shift by one. */
  async moveEntry(caller: Caller, id: string, entryKey: string, position: number): Promise<Entry> {
    const row = await this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx) => {
      const entry = await this.#repository.findEntry(tx, id, entryKey);
      if (!entry) throw new ApiError(StreamingProblems.playlistEntryNotFound);
      const count = await this.#repository.entryCount(id, tx);
      if (position > count - 1) throw outOfRange(HTTP_FIELDS.positions, count, 'moved');
      await this.#repository.moveEntry(tx, id, entry.id, entry.position, position);
      return (await this.#repository.entry(tx, entry.id)) as EntryRow;
    });
    return (await this.#entries([row], caller))[0] as Entry;
  }

  /** Puts every entry in a new order; the list must name each current entry once (409 if the playlist changed). */
  async reorder(caller: Caller, id: string, entryIds: readonly string[]): Promise<{ entry_count: number }> {
    return this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx) => {
      const current = await this.#repository.entryIds(tx, id);
      const wanted = new Set(entryIds);
      if (wanted.size !== entryIds.length || current.length !== wanted.size || current.some((e) => !wanted.has(e))) {
        throw fieldError(
          StreamingProblems.playlistOrderMismatch,
          `The playlist has ${current.length} entries; list each of them once (read the playlist again)`,
          'body.entry_ids',
          'sameEntries',
          'does not name every entry of the playlist exactly once',
        );
      }
      await this.#repository.reorder(tx, id, entryIds);
      return { entry_count: current.length };
    });
  }

  /**
   * Removes the entries at `removePositions` (positions as they are before the change), then appends
   * `appendTrackIds`, in one transaction: OpenSubsonic updatePlaylist's songIndexToRemove and songIdToAdd.
   * With `skipPresent`, a track already in the playlist is left where it is instead of being a 409.
   */
  async editEntries(
    caller: Caller,
    id: string,
    change: {
      removePositions?: readonly number[];
      appendTrackIds?: readonly string[];
      skipPresent?: boolean;
      /** Details changed in the same transaction (the owner's rule applies then): all or nothing. */
      details?: UpdatePlaylist;
    },
    fields: EntryFields = { trackIds: 'body.add_track_ids', positions: 'body.remove_positions' },
  ): Promise<Playlist> {
    const row = await this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx, playlist, collaborates) => {
      const details = change.details ?? {};
      if (Object.keys(details).length > 0) {
        authorize(playlistsPolicy.mayEditDetails(caller, playlist, collaborates), StreamingProblems.playlistNotFound);
        await this.#repository.updateDetails(tx, id, details);
      }
      const count = await this.#repository.entryCount(id, tx);
      const removals = [...new Set(change.removePositions ?? [])];
      const outside = removals.find((position) => !Number.isInteger(position) || position < 0 || position >= count);
      if (outside !== undefined) throw outOfRange(fields.positions, count, 'removed');
      const remaining = count - (await this.#repository.removePositions(tx, id, removals));
      let appended = [...new Set(change.appendTrackIds ?? [])];
      if (change.skipPresent) {
        const present = await Promise.all(appended.map((trackId) => this.#repository.hasTrack(tx, id, trackId)));
        appended = appended.filter((_trackId, index) => !present[index]);
      }
      await this.#insertTracks(tx, caller, playlist, remaining, appended, remaining, fields);
      return (await this.#repository.get(tx, id)) as PlaylistRow;
    });
    return this.#playlist(row);
  }

  /** Replaces every entry with `trackIds`, in order, in one transaction (OpenSubsonic createPlaylist on an id). */
  async replaceEntries(
    caller: Caller,
    id: string,
    trackIds: readonly string[],
    fields: EntryFields = { trackIds: 'body.track_ids', positions: 'body.position' },
  ): Promise<Playlist> {
    const row = await this.#locked(caller, id, playlistsPolicy.mayEditEntries, async (tx, playlist) => {
      const count = await this.#repository.entryCount(id, tx);
      await this.#repository.removePositions(
        tx,
        id,
        Array.from({ length: count }, (_value, index) => index),
      );
      await this.#insertTracks(tx, caller, playlist, 0, [...new Set(trackIds)], 0, fields);
      return (await this.#repository.get(tx, id)) as PlaylistRow;
    });
    return this.#playlist(row);
  }

  // --- collaborators -----------------------------------------------------------------------------------------------

  /** The collaborators, for anyone who may see the playlist (added_by shows on its entries anyway). */
  async collaborators(caller: Caller | null, id: string): Promise<{ items: Collaborator[] }> {
    await this.#reach(caller, id, playlistsPolicy.mayView);
    const rows = await this.#repository.listCollaborators(id);
    const names = await this.#names(
      rows.map((row) => row.user_id),
      rows.map((row) => row.added_by),
    );
    return { items: rows.map((row) => toCollaborator(row, names)).filter((item) => item !== null) };
  }

  /** The owner adds a collaborator to a collaborative playlist. */
  async addCollaborator(caller: Caller, id: string, userId: string): Promise<Collaborator> {
    const names = await this.#names([userId, caller.userId]);
    const row = await this.#locked(caller, id, playlistsPolicy.mayInvite, async (tx, playlist) => {
      if (!playlist.is_collaborative) {
        throw new ApiError(
          StreamingProblems.playlistNotCollaborative,
          'Make the playlist collaborative (is_collaborative) before inviting anyone',
        );
      }
      if (userId === playlist.user_id) {
        throw fieldError(
          CommonProblems.validationFailed,
          'The owner is not a collaborator',
          'body.user_id',
          'notOwner',
          'is the owner of the playlist',
        );
      }
      if (!names.has(userId)) {
        throw fieldError(CommonProblems.validationFailed, 'No such user', 'body.user_id', 'exists', 'names no account');
      }
      if ((await this.#repository.collaboratorCount(tx, id)) >= MAX_PLAYLIST_COLLABORATORS) {
        throw new ApiError(
          StreamingProblems.tooManyCollaborators,
          `A playlist has at most ${MAX_PLAYLIST_COLLABORATORS} collaborators`,
        );
      }
      if (!(await this.#repository.addCollaborator(tx, id, userId, caller.userId))) {
        throw fieldError(
          StreamingProblems.collaboratorExists,
          'Already a collaborator',
          'body.user_id',
          'uq_playlist_collaborators_playlist_id_user_id',
          'already collaborates on the playlist',
        );
      }
      return (await this.#repository.listCollaborators(id, tx)).find((added) => added.user_id === userId);
    });
    return toCollaborator(row as CollaboratorRow, names) as Collaborator;
  }

  /** The owner removes a collaborator, or a collaborator leaves; the entries they added stay. */
  async removeCollaborator(caller: Caller, id: string, userId: string): Promise<void> {
    await this.#locked(
      caller,
      id,
      (who, playlist, collaborates) => playlistsPolicy.mayRemoveCollaborator(who, playlist, collaborates, userId),
      async (tx) => {
        if (!(await this.#repository.removeCollaborator(tx, id, userId))) {
          throw new ApiError(StreamingProblems.collaboratorNotFound);
        }
      },
    );
  }

  // --- followers ---------------------------------------------------------------------------------------------------

  /** Follows a playlist the caller may see (idempotent); follower_count is kept by trigger. */
  async follow(caller: Caller, id: string): Promise<void> {
    const { playlist } = await this.#reach(caller, id, playlistsPolicy.mayFollow);
    if (playlist.user_id === caller.userId) throw new ApiError(StreamingProblems.cannotFollowOwnPlaylist);
    await this.#repository.follow(caller.userId, id);
  }

  /** Unfollows (idempotent). A follow of a playlist that has since turned private can still be dropped. */
  async unfollow(caller: Caller, id: string): Promise<void> {
    if (await this.#repository.unfollow(caller.userId, id)) return;
    await this.#reach(caller, id, playlistsPolicy.mayView);
  }
}

function outOfRange(field: string, count: number, what: 'inserted' | 'moved' | 'removed'): ApiError {
  const highest = what === 'inserted' ? count : count - 1;
  const message =
    highest < 0 ? 'the playlist has no entries' : `must be at most ${highest} (the playlist has ${count} entries)`;
  return fieldError(
    CommonProblems.validationFailed,
    `Positions are 0-based; an entry can be ${what} at 0 to ${Math.max(highest, 0)}`,
    field,
    'maximum',
    message,
  );
}

/** The service on a pool, for the module and for other surfaces of the domain (the OpenSubsonic playlist calls). */
export function createPlaylistsService(pool: Pool | { db: Database }, publicNames: PublicNames): PlaylistsService {
  return new PlaylistsService({ repository: createPlaylistsRepository(pool), publicNames });
}
