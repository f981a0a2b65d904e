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
  // Migration 0029: when each listener's last counted play of a track opened its counting window (ADR 0045).
  'play_count_windows',
  // Migration 0031: who the owner of a playlist invited to edit its tracks (ADR 0049).
  'playlist_collaborators',
  // Migration 0033: Subsonic app passwords and API keys (ADR 0051).
  'subsonic_credentials',
] as const;

export { streamingModule } from './streaming.module.ts';
export { subsonicModule } from './subsonic/subsonic.module.ts';
export { playWindowsExpire } from './plays.jobs.ts';
export { embedModule } from './embed.routes.ts';
export { trackCommentModeration, trackModeration } from './track-moderation.ts';
