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
];
