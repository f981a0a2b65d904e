// The analytics domain (spec §15 Analytics). Other domains import from this file only.
export { analyticsModule } from './analytics.module.ts';
export { analyticsReportsModule, analyticsReportsExpire, analyticsReportsGenerate } from './reports.module.ts';

/** Tables this domain owns: only its repositories read or write them (migrations 0013, 0054). */
export const analyticsTables = [
  'analytics_events',
  'daily_metrics',
  'track_analytics',
  'entity_analytics_breakdowns',
  'reports',
  'dashboard_configs',
] as const;
