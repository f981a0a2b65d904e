// The analytics domain (spec §15 Analytics). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0013). */
export const analyticsTables = [
  'analytics_events',
  'daily_metrics',
  'track_analytics',
  'reports',
  'dashboard_configs',
] as const;
