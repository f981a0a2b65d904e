import { createHash } from 'node:crypto';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';
import { filesFactories } from './files.ts';

let position = 0;
const nextPosition = () => (position += 1);

const tracks: Factory = async (sql, o = {}) => {
  const creatorId = await parentId(o, 'creator_id', () => authFactories.users(sql));
  // The audio file belongs to the creator, as in real uploads, unless the creator was given (it may not exist).
  const fileOwner = 'creator_id' in o ? {} : { user_id: creatorId };
  return insertRow(sql, 'tracks', {
    creator_id: creatorId,
    file_id: await parentId(o, 'file_id', () => filesFactories.files(sql, fileOwner)),
    title: `Track ${uniqueToken()}`,
    duration: 215,
    ...o,
  });
};

const playlists: Factory = async (sql, o = {}) =>
  insertRow(sql, 'playlists', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    name: `Playlist ${uniqueToken()}`,
    ...o,
  });

const queues: Factory = async (sql, o = {}) =>
  insertRow(sql, 'queues', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    ...o,
  });

export const streamingFactories = {
  tracks,
  playlists,
  playlist_tracks: async (sql, o = {}) =>
    insertRow(sql, 'playlist_tracks', {
      playlist_id: await parentId(o, 'playlist_id', () => playlists(sql)),
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      // chk_playlist_tracks_position_range (0031): positions 0..9999.
      position: nextPosition() % 10_000,
      added_by: await parentId(o, 'added_by', () => authFactories.users(sql)),
      ...o,
    }),
  playback_history: async (sql, o = {}) =>
    insertRow(sql, 'playback_history', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      played_duration: 120,
      completion_percentage: 56,
      ...o,
    }),
  track_likes: async (sql, o = {}) =>
    insertRow(sql, 'track_likes', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      ...o,
    }),
  track_comments: async (sql, o = {}) =>
    insertRow(sql, 'track_comments', {
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      content: 'Lovely bridge at 1:12.',
      ...o,
    }),
  queues,
  queue_items: async (sql, o = {}) =>
    insertRow(sql, 'queue_items', {
      queue_id: await parentId(o, 'queue_id', () => queues(sql)),
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      position: nextPosition(),
      ...o,
    }),
  playlist_collaborators: async (sql, o = {}) =>
    insertRow(sql, 'playlist_collaborators', {
      playlist_id: await parentId(o, 'playlist_id', () => playlists(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      added_by: await parentId(o, 'added_by', () => authFactories.users(sql)),
      ...o,
    }),
  playlist_followers: async (sql, o = {}) =>
    insertRow(sql, 'playlist_followers', {
      playlist_id: await parentId(o, 'playlist_id', () => playlists(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  subsonic_credentials: async (sql, o = {}) =>
    insertRow(sql, 'subsonic_credentials', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      name: 'Test player',
      kind: 'api_key',
      api_key_hash: createHash('sha256').update(uniqueToken()).digest('hex'),
      hint: 'abcd',
      ...o,
    }),
  play_count_windows: async (sql, o = {}) =>
    insertRow(sql, 'play_count_windows', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      track_id: await parentId(o, 'track_id', () => tracks(sql)),
      counted_at: new Date(),
      ...o,
    }),
  track_downloads: async (sql, o = {}) =>
    insertRow(sql, 'track_downloads', {
      track_id: await parentId(o, 'track_id', () => tracks(sql, { is_downloadable: true })),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
} satisfies Record<string, Factory>;
