import type { CheckCase } from './check-case.ts';

export const streamingCheckCases: CheckCase[] = [
  { table: 'tracks', constraint: 'chk_tracks_duration_positive', bad: { duration: 0 } },
  { table: 'playback_history', constraint: 'chk_playback_history_completion', bad: { completion_percentage: 101 } },
  { table: 'playback_history', constraint: 'chk_playback_history_completion', bad: { completion_percentage: -1 } },
  { table: 'playback_history', constraint: 'chk_playback_history_source_valid', bad: { source: 'radio' } },
  { table: 'playback_history', constraint: 'chk_playback_history_device_type_valid', bad: { device_type: 'tablet' } },
  { table: 'track_comments', constraint: 'chk_track_comments_content_length', bad: { content: '' } },
  { table: 'track_comments', constraint: 'chk_track_comments_content_length', bad: { content: 'x'.repeat(5001) } },
  { table: 'queues', constraint: 'chk_queues_repeat_mode_valid', bad: { repeat_mode: 'all' } },
  { table: 'queues', constraint: 'chk_queues_volume_range', bad: { volume: 101 } },
  { table: 'queues', constraint: 'chk_queues_volume_range', bad: { volume: -1 } },
  { table: 'queue_items', constraint: 'chk_queue_items_position_non_negative', bad: { position: -1 } },
  // Migration 0031: playlist positions (ADR 0049).
  { table: 'playlist_tracks', constraint: 'chk_playlist_tracks_position_range', bad: { position: -1 } },
  { table: 'playlist_tracks', constraint: 'chk_playlist_tracks_position_range', bad: { position: 10_000 } },
  // Migration 0033: Subsonic credentials (ADR 0051).
  { table: 'subsonic_credentials', constraint: 'chk_subsonic_credentials_kind_valid', bad: { kind: 'password' } },
  {
    table: 'subsonic_credentials',
    constraint: 'chk_subsonic_credentials_secret_of_kind',
    bad: { kind: 'app_password', sealed_password: null },
  },
  {
    table: 'subsonic_credentials',
    constraint: 'chk_subsonic_credentials_api_key_hash_format',
    bad: { api_key_hash: 'Z'.repeat(64) },
  },
  { table: 'subsonic_credentials', constraint: 'chk_subsonic_credentials_name_length', bad: { name: '   ' } },
];
