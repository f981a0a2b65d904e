// Audio streaming (spec §7): tracks in releases of a few tracks sharing creator, album, genre and cover; playlists;
// the year of plays; likes, comments, queues, playlist followers and downloads.
import { createHash } from 'node:crypto';
import type { Row } from '../copy-text.ts';
import { distinctPicks } from '../pick.ts';
import type { Rng } from '../random.ts';
import { copyTable, type DerivedTable, type SeedSql, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, pickMember, streams, Timed, type Universe } from '../universe.ts';
import { GENRES, MUSICAL_KEYS, paragraph, sentence, title } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, userCreated, userId, users } from './auth.ts';
import { audioFileId, coverFileId } from './files.ts';

const S = streams(
  'tracks.id',
  'tracks.attr',
  'tracks.title',
  'tracks.row',
  'releases.attr',
  'releases.title',
  'playlists',
  'playlists.id',
  'playlists.attr',
  'playlists.name',
  'playlist_tracks',
  'playlist_tracks.id',
  'playlist_collaborators',
  'playlist_collaborators.id',
  'playback_history.id',
  'track_likes',
  'track_likes.id',
  'track_comments',
  'track_comments.id',
  'queues',
  'queues.id',
  'queue_items',
  'queue_items.id',
  'playlist_followers',
  'playlist_followers.id',
  'track_downloads',
  'track_downloads.id',
  'subsonic_credentials',
);

export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;

export interface Tracks {
  count: number;
  releases: number;
  timed: Timed;
  /** User index of the creator (the release's). */
  creator: Int32Array;
  duration: Uint16Array;
  /** Index into VISIBILITIES. */
  visibility: Uint8Array;
  deleted: Uint8Array;
  downloadable: Uint8Array;
  /** Index into GENRES (the release's). */
  genre: Uint8Array;
  /** Public and not soft-deleted: what people play, like and comment. */
  playable: Uint8Array;
  releaseHasCover: Uint8Array;
}

export function tracks(u: Universe): Tracks {
  return u.cached('tracks', () => {
    const all = users(u);
    const count = u.scaled(VOLUMES.tracks, 20);
    const perRelease = VOLUMES.tracksPerRelease;
    const releases = Math.ceil(count / perRelease);
    const created = new Float64Array(count);
    const creator = new Int32Array(count);
    const duration = new Uint16Array(count);
    const visibility = new Uint8Array(count);
    const deleted = new Uint8Array(count);
    const downloadable = new Uint8Array(count);
    const genre = new Uint8Array(count);
    const playable = new Uint8Array(count);
    const releaseHasCover = new Uint8Array(releases);
    const rng = u.rng();
    for (let i = 0; i < count; i++) created[i] = u.time.entityTime((i + u.unit(S['tracks.attr'], i)) / count);
    for (let r = 0; r < releases; r++) {
      rng.reset(S['releases.attr'], r);
      const first = r * perRelease;
      // prolific creators: the draw leans towards the creators who joined first
      const owner = pickMember(all.creators, all.timed.created, created[first] as number, rng.next() ** 1.4);
      const releaseGenre = rng.int(GENRES.length);
      const releaseVisibility = rng.chance(0.85) ? 0 : rng.chance(0.45) ? 1 : 2;
      const releaseDownloadable = rng.chance(0.3) ? 1 : 0;
      releaseHasCover[r] = rng.chance(0.8) ? 1 : 0;
      for (let i = first; i < Math.min(count, first + perRelease); i++) {
        creator[i] = owner;
        genre[i] = releaseGenre;
        visibility[i] = releaseVisibility;
        downloadable[i] = releaseDownloadable;
        duration[i] = rng.between(90, 420);
        deleted[i] = rng.chance(0.02) ? 1 : 0;
        playable[i] = releaseVisibility === 0 && !deleted[i] ? 1 : 0;
      }
    }
    return {
      count,
      releases,
      timed: new Timed(created),
      creator,
      duration,
      visibility,
      deleted,
      downloadable,
      genre,
      playable,
      releaseHasCover,
    };
  });
}

export function trackId(u: Universe, track: number): string {
  return u.id(S['tracks.id'], track);
}

export function trackCreated(u: Universe, track: number): number {
  return tracks(u).timed.created[track] as number;
}

export function trackTitle(u: Universe, track: number): string {
  return title(u.rng().reset(S['tracks.title'], track));
}

export function releaseTitle(u: Universe, release: number): string {
  const rng = u.rng().reset(S['releases.title'], release);
  return rng.chance(0.5) ? title(rng) : `${title(rng)} ${rng.pick(['EP', 'LP', 'Sessions', 'Tapes', 'Vol. 2'])}`;
}

/** bpm and musical key of a track, recomputable by the file metadata. */
export function trackBeat(u: Universe, track: number): { bpm: number; key: string } {
  const rng = u.rng().reset(S['tracks.title'], track + 0x4000_0000);
  return { bpm: rng.between(60, 180), key: rng.pick(MUSICAL_KEYS) };
}

/**
 * A track that exists at t, usually playable: 35% among the newest tenth (new releases), else biased towards the
 * older, established catalogue.
 */
export function pickTrack(u: Universe, t: number, rng: Rng): number {
  const all = tracks(u);
  let track = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    const n = Math.max(1, all.timed.existing(t));
    track = rng.chance(0.35) ? n - 1 - rng.int(Math.max(1, Math.ceil(n / 10))) : rng.skewed(n, 2);
    if (all.playable[track]) return track;
  }
  return track;
}

const tracksTable = copyTable({
  name: 'tracks',
  dependsOn: ['users', 'files'],
  columns: [
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
  ],
  count: (u) => tracks(u).count,
  *rows(u): Iterable<Row> {
    const all = tracks(u);
    const rng = u.rng();
    for (let i = 0; i < all.count; i++) {
      rng.reset(S['tracks.row'], i);
      const release = Math.floor(i / VOLUMES.tracksPerRelease);
      const created = all.timed.created[i] as number;
      const { bpm, key } = trackBeat(u, i);
      const published = all.visibility[i] === 0 ? created + rng.between(1, 120) * MINUTE_MS : NaN;
      const deletedAt = all.deleted[i] ? u.time.after(created, 0.5 + rng.next() / 2) : NaN;
      yield [
        trackId(u, i),
        userId(u, all.creator[i] as number),
        audioFileId(u, i),
        trackTitle(u, i),
        rng.chance(0.5) ? paragraph(rng, rng.between(1, 3)) : null,
        displayName(u, all.creator[i] as number),
        releaseTitle(u, release),
        GENRES[all.genre[i] as number] as string,
        all.duration[i] as number,
        rng.chance(0.8) ? bpm : null,
        rng.chance(0.7) ? key : null,
        VISIBILITIES[all.visibility[i] as number] as string,
        all.downloadable[i] === 1,
        all.releaseHasCover[release] ? coverFileId(u, release) : null,
        rng.chance(0.4) ? JSON.stringify({ peaks: Array.from({ length: 16 }, () => rng.int(100)) }) : null,
        0,
        0,
        0,
        0,
        Number.isNaN(published) ? null : iso(published),
        iso(created),
        iso(Number.isNaN(deletedAt) ? (Number.isNaN(published) ? created : published) : deletedAt),
        Number.isNaN(deletedAt) ? null : iso(deletedAt),
      ];
    }
  },
});

export interface Playlists {
  fanout: Fanout;
  owner: Int32Array;
  timed: Timed;
  visibility: Uint8Array;
  deleted: Uint8Array;
  collaborative: Uint8Array;
}

export function playlists(u: Universe): Playlists {
  return u.cached('playlists', () => {
    const fanout = Fanout.of(u, S.playlists, users(u).count, (_, rng) =>
      rng.exponentialCount(VOLUMES.playlistsPerUser, 30),
    );
    const total = fanout.total;
    const owner = new Int32Array(total);
    const created = new Float64Array(total);
    const visibility = new Uint8Array(total);
    const deleted = new Uint8Array(total);
    const collaborative = new Uint8Array(total);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let p = fanout.start[user] as number; p < (fanout.start[user + 1] as number); p++) {
        rng.reset(S['playlists.attr'], p);
        owner[p] = user;
        created[p] = u.time.after(userCreated(u, user), rng.next() * 0.9);
        visibility[p] = rng.chance(0.7) ? 0 : rng.chance(0.33) ? 1 : 2;
        deleted[p] = rng.chance(0.01) ? 1 : 0;
        collaborative[p] = rng.chance(0.05) ? 1 : 0;
      }
    }
    return { fanout, owner, timed: new Timed(created), visibility, deleted, collaborative };
  });
}

export function playlistId(u: Universe, playlist: number): string {
  return u.id(S['playlists.id'], playlist);
}

export function playlistName(u: Universe, playlist: number): string {
  const rng = u.rng().reset(S['playlists.name'], playlist);
  const moods = ['favourites', 'mix', 'for work', 'late night', 'gym', 'discoveries'];
  return rng.chance(0.5) ? `${rng.pick(GENRES)} ${rng.pick(moods)}` : title(rng);
}

const playlistsTable = copyTable({
  name: 'playlists',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'name',
    'description',
    'cover_url',
    'visibility',
    'is_collaborative',
    'track_count',
    'duration_seconds',
    'follower_count',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => playlists(u).fanout.total,
  *rows(u): Iterable<Row> {
    const all = playlists(u);
    const rng = u.rng();
    for (let p = 0; p < all.owner.length; p++) {
      rng.reset(S['playlists.id'], p);
      const created = all.timed.created[p] as number;
      const deletedAt = all.deleted[p] ? u.time.after(created, 0.5 + rng.next() / 2) : NaN;
      yield [
        playlistId(u, p),
        userId(u, all.owner[p] as number),
        playlistName(u, p),
        rng.chance(0.3) ? sentence(rng, 5, 15) : null,
        rng.chance(0.4) ? `https://cdn.veza.example/playlists/${p}.jpg` : null,
        VISIBILITIES[all.visibility[p] as number] as string,
        all.collaborative[p] === 1,
        0,
        0,
        0,
        iso(created),
        iso(Number.isNaN(deletedAt) ? created : deletedAt),
        Number.isNaN(deletedAt) ? null : iso(deletedAt),
      ];
    }
  },
});

/**
 * The collaborators of each collaborative playlist (ADR 0049): one to three accounts other than the owner, existing
 * when the playlist was made; entries of the playlist are added by its owner or by one of them.
 */
function playlistCollaborators(u: Universe): Int32Array[] {
  return u.cached('playlist_collaborators', () => {
    const all = playlists(u);
    const people = users(u);
    const rng = u.rng();
    return Array.from({ length: all.owner.length }, (_, p) => {
      if (!all.collaborative[p] || people.count < 2) return new Int32Array(0);
      rng.reset(S.playlist_collaborators, p);
      const created = all.timed.created[p] as number;
      const wanted = 1 + rng.int(3);
      const crew = new Set<number>();
      for (let attempt = 0; attempt < wanted * 4 && crew.size < wanted; attempt++) {
        const candidate = people.timed.pick(created, rng.next());
        if (candidate !== all.owner[p]) crew.add(candidate);
      }
      return Int32Array.from([...crew].sort((a, b) => a - b));
    });
  });
}

function collaboratorsOf(u: Universe, playlist: number): Int32Array {
  return playlistCollaborators(u)[playlist] as Int32Array;
}

const playlistCollaboratorsTable = copyTable({
  name: 'playlist_collaborators',
  dependsOn: ['playlists', 'users'],
  columns: ['id', 'playlist_id', 'user_id', 'added_by', 'created_at', 'updated_at'],
  count: (u) => playlistCollaborators(u).reduce((sum, crew) => sum + crew.length, 0),
  *rows(u): Iterable<Row> {
    const all = playlists(u);
    let row = 0;
    for (const [p, crew] of playlistCollaborators(u).entries()) {
      for (const user of crew) {
        // Invited by the owner when both accounts existed, shortly after the playlist was made.
        const at = iso(Math.max(all.timed.created[p] as number, userCreated(u, user)) + MINUTE_MS);
        yield [
          u.id(S['playlist_collaborators.id'], row),
          playlistId(u, p),
          userId(u, user),
          userId(u, all.owner[p] as number),
          at,
          at,
        ];
        row += 1;
      }
    }
  },
});

function playlistTrackFanout(u: Universe): Fanout {
  return u.cached('playlist_tracks', () => {
    const cap = Math.min(200, Math.floor(tracks(u).count / 2));
    return Fanout.of(u, S.playlist_tracks, playlists(u).owner.length, (_, rng) =>
      rng.exponentialCount(VOLUMES.tracksPerPlaylist, cap),
    );
  });
}

const playlistTracks = copyTable({
  name: 'playlist_tracks',
  dependsOn: ['playlists', 'tracks', 'users'],
  columns: ['id', 'playlist_id', 'track_id', 'position', 'added_by', 'added_at', 'created_at', 'updated_at'],
  count: (u) => playlistTrackFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = playlistTrackFanout(u);
    const all = playlists(u);
    const trackCount = tracks(u).count;
    const rng = u.rng();
    for (let p = 0; p < fanout.counts.length; p++) {
      const k = fanout.counts[p] as number;
      if (k === 0) continue;
      const created = all.timed.created[p] as number;
      rng.reset(S.playlist_tracks, p);
      const times = Array.from({ length: k }, (_, j) => u.time.after(created, (j + rng.next()) / k));
      const picks = distinctPicks(k, trackCount, rng, (j) => pickTrack(u, times[j] as number, rng));
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[p] as number) + j;
        const track = picks[j] as number;
        const added = Math.max(times[j] as number, trackCreated(u, track) + MINUTE_MS);
        const crew = collaboratorsOf(u, p);
        const adder = crew.length > 0 && rng.chance(0.3) ? (crew[rng.int(crew.length)] as number) : all.owner[p];
        const at = iso(added);
        yield [
          u.id(S['playlist_tracks.id'], row),
          playlistId(u, p),
          trackId(u, track),
          j, // 0-based and gap-free (ADR 0049)
          userId(u, adder as number),
          at,
          at,
          at,
        ];
      }
    }
  },
});

const playbackHistory = copyTable({
  name: 'playback_history',
  dependsOn: ['users', 'tracks', 'playlists'],
  columns: [
    'id',
    'user_id',
    'track_id',
    'played_duration',
    'completion_percentage',
    'source',
    'source_id',
    'device_type',
    'played_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => u.scaled(VOLUMES.playbackHistory),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.playbackHistory);
    const all = tracks(u);
    const people = users(u);
    const lists = playlists(u);
    const rng = u.rng();
    for (let i = 0; i < total; i++) {
      rng.reset(S['playback_history.id'], i);
      let t = u.time.eventTime((i + rng.next()) / total);
      const track = pickTrack(u, t, rng);
      const user = rng.chance(0.98) ? people.timed.pickSkewed(t, rng.next(), 1.3) : -1;
      t = Math.max(t, trackCreated(u, track) + 1000, user >= 0 ? userCreated(u, user) + 1000 : 0);
      const outcome = rng.next();
      const completion =
        outcome < 0.55 ? rng.between(95, 100) : outcome < 0.8 ? rng.between(5, 30) : rng.between(31, 94);
      const duration = all.duration[track] as number;
      const source = rng.next();
      const at = iso(t);
      yield [
        u.id(S['playback_history.id'], i),
        user >= 0 ? userId(u, user) : null,
        trackId(u, track),
        Math.max(1, Math.round((duration * completion) / 100)),
        completion,
        source < 0.4 ? 'playlist' : source < 0.6 ? 'album' : source < 0.75 ? 'search' : 'direct',
        source < 0.4 && lists.owner.length > 0 ? playlistId(u, lists.timed.pick(t, rng.next())) : null,
        rng.chance(0.55) ? 'mobile' : rng.chance(0.45) ? 'desktop' : 'web',
        at,
        at,
        at,
      ];
    }
  },
});

function trackLikeFanout(u: Universe): Fanout {
  return u.cached('track_likes', () => {
    const cap = Math.min(2000, Math.floor(tracks(u).count / 2));
    return Fanout.of(u, S.track_likes, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.likesPerUser, cap));
  });
}

const trackLikes = copyTable({
  name: 'track_likes',
  dependsOn: ['users', 'tracks'],
  columns: ['id', 'user_id', 'track_id', 'created_at', 'updated_at'],
  count: (u) => trackLikeFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = trackLikeFanout(u);
    const trackCount = tracks(u).count;
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      const k = fanout.counts[user] as number;
      if (k === 0) continue;
      rng.reset(S.track_likes, user);
      const joined = userCreated(u, user);
      const times = Array.from({ length: k }, () => u.time.after(joined, rng.next()));
      const picks = distinctPicks(k, trackCount, rng, (j) => pickTrack(u, times[j] as number, rng));
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[user] as number) + j;
        const track = picks[j] as number;
        const at = iso(Math.max(times[j] as number, trackCreated(u, track) + MINUTE_MS));
        yield [u.id(S['track_likes.id'], row), userId(u, user), trackId(u, track), at, at];
      }
    }
  },
});

export function trackCommentFanout(u: Universe): Fanout {
  return u.cached('track_comments', () => {
    const all = tracks(u);
    // older tracks have had more time, and more listeners, to be commented
    return Fanout.of(u, S.track_comments, all.count, (track, rng) =>
      all.playable[track] ? rng.exponentialCount(VOLUMES.commentsPerTrack * (1.5 - track / all.count), 200) : 0,
    );
  });
}

const trackComments = copyTable({
  name: 'track_comments',
  dependsOn: ['tracks', 'users'],
  columns: [
    'id',
    'track_id',
    'user_id',
    'content',
    'parent_comment_id',
    'timestamp_seconds',
    'is_edited',
    'is_deleted',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => trackCommentFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = trackCommentFanout(u);
    const all = tracks(u);
    const people = users(u);
    const rng = u.rng();
    for (let track = 0; track < all.count; track++) {
      const k = fanout.counts[track] as number;
      const first = fanout.start[track] as number;
      const created = all.timed.created[track] as number;
      for (let j = 0; j < k; j++) {
        const row = first + j;
        rng.reset(S['track_comments.id'], row);
        const at = u.time.after(created, (j + rng.next()) / k);
        const deleted = rng.chance(0.02);
        const deletedAt = deleted ? u.time.after(at, rng.next()) : NaN;
        const edited = rng.chance(0.05);
        yield [
          u.id(S['track_comments.id'], row),
          trackId(u, track),
          userId(u, people.timed.pick(at, rng.next())),
          sentence(rng, 2, 20),
          j > 0 && rng.chance(0.2) ? u.id(S['track_comments.id'], first + rng.int(j)) : null,
          rng.chance(0.3) ? rng.int(all.duration[track] as number) : null,
          edited,
          deleted,
          iso(at),
          iso(deleted ? deletedAt : edited ? at + MINUTE_MS : at),
          deleted ? iso(deletedAt) : null,
        ];
      }
    }
  },
});

function queueFanout(u: Universe): Fanout {
  return u.cached('queues', () =>
    Fanout.of(u, S.queues, users(u).count, (_, rng) => (rng.chance(VOLUMES.queueShare) ? 1 : 0)),
  );
}

const queuesTable = copyTable({
  name: 'queues',
  dependsOn: ['users', 'tracks'],
  columns: [
    'id',
    'user_id',
    'current_track_id',
    'current_position',
    'is_playing',
    'shuffle',
    'repeat_mode',
    'volume',
    'created_at',
    'updated_at',
  ],
  count: (u) => queueFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = queueFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let q = fanout.start[user] as number; q < (fanout.start[user + 1] as number); q++) {
        rng.reset(S['queues.id'], q);
        const created = u.time.after(userCreated(u, user), rng.next() / 10);
        const updated = u.time.after(created, 0.7 + rng.next() * 0.3);
        const track = rng.chance(0.7) ? pickTrack(u, updated, rng) : -1;
        yield [
          u.id(S['queues.id'], q),
          userId(u, user),
          track >= 0 ? trackId(u, track) : null,
          track >= 0 ? rng.int(tracks(u).duration[track] as number) : 0,
          track >= 0 && rng.chance(0.05),
          rng.chance(0.2),
          rng.pick(['off', 'off', 'off', 'track', 'queue']),
          rng.chance(0.6) ? 100 : rng.between(10, 99),
          iso(created),
          iso(Math.max(updated, track >= 0 ? trackCreated(u, track) : 0)),
        ];
      }
    }
  },
});

function queueItemFanout(u: Universe): Fanout {
  return u.cached('queue_items', () =>
    Fanout.of(u, S.queue_items, queueFanout(u).total, (_, rng) => rng.exponentialCount(VOLUMES.itemsPerQueue, 100)),
  );
}

const queueItems = copyTable({
  name: 'queue_items',
  dependsOn: ['queues', 'tracks'],
  columns: ['id', 'queue_id', 'track_id', 'position', 'added_at', 'created_at', 'updated_at'],
  count: (u) => queueItemFanout(u).total,
  *rows(u): Iterable<Row> {
    const queues = queueFanout(u);
    const items = queueItemFanout(u);
    const rng = u.rng();
    for (let user = 0; user < queues.counts.length; user++) {
      for (let q = queues.start[user] as number; q < (queues.start[user + 1] as number); q++) {
        const from = u.time.after(userCreated(u, user), 0.8);
        for (let j = 0; j < (items.counts[q] as number); j++) {
          const row = (items.start[q] as number) + j;
          rng.reset(S['queue_items.id'], row);
          const track = pickTrack(u, u.time.anchor, rng);
          const at = iso(Math.max(u.time.after(from, rng.next()), trackCreated(u, track) + MINUTE_MS));
          // 0-based and gap-free (ADR 0050)
          yield [u.id(S['queue_items.id'], row), u.id(S['queues.id'], q), trackId(u, track), j, at, at, at];
        }
      }
    }
  },
});

function playlistFollowerFanout(u: Universe): Fanout {
  return u.cached('playlist_followers', () => {
    // own playlists are never followed: keep enough others to choose from
    const lists = playlists(u);
    const mostOwned = lists.fanout.counts.reduce((most, n) => Math.max(most, n), 0);
    const cap = Math.max(0, Math.min(200, Math.floor((lists.owner.length - mostOwned) / 2)));
    return Fanout.of(u, S.playlist_followers, users(u).count, (_, rng) =>
      rng.exponentialCount(VOLUMES.playlistFollowsPerUser, cap),
    );
  });
}

const playlistFollowers = copyTable({
  name: 'playlist_followers',
  dependsOn: ['playlists', 'users'],
  columns: ['id', 'playlist_id', 'user_id', 'created_at', 'updated_at'],
  count: (u) => playlistFollowerFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = playlistFollowerFanout(u);
    const lists = playlists(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      const k = fanout.counts[user] as number;
      if (k === 0) continue;
      rng.reset(S.playlist_followers, user);
      const joined = userCreated(u, user);
      const times = Array.from({ length: k }, () => u.time.after(joined, rng.next()));
      const picks = distinctPicks(
        k,
        lists.owner.length,
        rng,
        (j) => {
          // public playlists are the ones people find; a private one only when the draws keep missing
          let playlist = lists.timed.pick(times[j] as number, rng.next());
          for (let attempt = 0; attempt < 4 && lists.visibility[playlist] !== 0; attempt++) {
            playlist = lists.timed.pick(times[j] as number, rng.next());
          }
          return playlist;
        },
        (p) => lists.owner[p] !== user,
      );
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[user] as number) + j;
        const playlist = picks[j] as number;
        const at = iso(Math.max(times[j] as number, (lists.timed.created[playlist] as number) + MINUTE_MS));
        yield [u.id(S['playlist_followers.id'], row), playlistId(u, playlist), userId(u, user), at, at];
      }
    }
  },
});

function downloadFanout(u: Universe): Fanout {
  return u.cached('track_downloads', () =>
    Fanout.of(u, S.track_downloads, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.downloadsPerUser, 200)),
  );
}

const trackDownloads = copyTable({
  name: 'track_downloads',
  dependsOn: ['tracks', 'users'],
  columns: ['id', 'track_id', 'user_id', 'created_at', 'updated_at'],
  count: (u) => downloadFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = downloadFanout(u);
    const all = tracks(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      const joined = userCreated(u, user);
      for (let row = fanout.start[user] as number; row < (fanout.start[user + 1] as number); row++) {
        rng.reset(S['track_downloads.id'], row);
        let t = u.time.after(joined, rng.next());
        let track = pickTrack(u, t, rng);
        for (let attempt = 0; attempt < 6 && !all.downloadable[track]; attempt++) track = pickTrack(u, t, rng);
        t = Math.max(t, trackCreated(u, track) + MINUTE_MS);
        const at = iso(t);
        // SET NULL on account deletion keeps the download counted (fk_track_downloads_users): a few are anonymous
        yield [
          u.id(S['track_downloads.id'], row),
          trackId(u, track),
          rng.chance(0.03) ? null : userId(u, user),
          at,
          at,
        ];
      }
    }
  },
});

/**
 * The counting windows still open at the anchor (ADR 0045): a listener's latest counted play of a track in the day
 * before it, which is when the longest window (24 hours) can still be running.
 */
const playCountWindows: DerivedTable = {
  kind: 'derived',
  name: 'play_count_windows',
  dependsOn: ['playback_history', 'users', 'tracks'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `INSERT INTO play_count_windows (id, user_id, track_id, counted_at, created_at, updated_at)
       SELECT overlay(overlay(md5($2::text || ':' || user_id::text || ':' || track_id::text) placing '4' from 13)
                      placing '8' from 17)::uuid,
              user_id, track_id, max(played_at), max(played_at), max(played_at)
       FROM playback_history
       WHERE user_id IS NOT NULL AND played_at >= $1::timestamptz - INTERVAL '1 day' AND played_at < $1::timestamptz
       GROUP BY user_id, track_id`,
      [new Date(u.time.anchor), String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

function subsonicKeyFanout(u: Universe): Fanout {
  return u.cached('subsonic_credentials', () =>
    // The oldest account has one at every scale, so that even the smallest seed fills the table.
    Fanout.of(u, S.subsonic_credentials, users(u).count, (user, rng) =>
      user === 0 || rng.chance(VOLUMES.subsonicKeyShare) ? 1 : 0,
    ),
  );
}

/**
 * API keys for Subsonic players (ADR 0051): only the SHA-256 of the key is stored, here of a key derived from the
 * row's id, so no seeded key is known to anyone; app passwords are not seeded, their sealing key being the
 * deployment's.
 */
const subsonicCredentials = copyTable({
  name: 'subsonic_credentials',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'name',
    'kind',
    'sealed_password',
    'api_key_hash',
    'hint',
    'last_used_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => subsonicKeyFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = subsonicKeyFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let k = fanout.start[user] as number; k < (fanout.start[user + 1] as number); k++) {
        rng.reset(S.subsonic_credentials, k);
        const id = u.id(S.subsonic_credentials, k);
        const hash = createHash('sha256').update(`seed:${u.seed}:${id}`).digest('hex');
        const created = u.time.after(userCreated(u, user), 0.5 + rng.next() / 2);
        const used = rng.chance(0.8) ? iso(u.time.after(created, rng.next())) : null;
        yield [
          id,
          userId(u, user),
          rng.pick(['Phone', 'Desktop player', 'Car']),
          'api_key',
          null,
          hash,
          hash.slice(-4),
          used,
          iso(created),
          iso(created),
        ];
      }
    }
  },
});

export const streamingTables: SeedTable[] = [
  tracksTable,
  playlistsTable,
  playlistCollaboratorsTable,
  playlistTracks,
  playbackHistory,
  trackLikes,
  trackComments,
  queuesTable,
  queueItems,
  playlistFollowers,
  trackDownloads,
  playCountWindows,
  subsonicCredentials,
];
