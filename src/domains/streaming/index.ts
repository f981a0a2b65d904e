// The streaming domain (spec §7 Audio Streaming). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0005). */
export const streamingTables = [
  'tracks',
  'playlists',
  'playlist_tracks',
  'playback_history',
  'track_likes',
  'track_comments',
  'queues',
  'queue_items',
  'playlist_followers',
  'track_downloads',
] as const;
