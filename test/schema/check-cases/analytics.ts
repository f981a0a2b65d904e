import type { CheckCase } from './check-case.ts';

export const analyticsCheckCases: CheckCase[] = [
  // migration 0054 (ADR 0093)
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_one_entity',
    bad: { track_id: null },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_event_type_valid',
    bad: { event_type: 'pause' },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_dimension_valid',
    bad: { dimension: 'country_code' },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_dimension_value_total',
    bad: { dimension: 'total' },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_dimension_value_total',
    bad: { dimension_value: '' },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_counts_non_negative',
    bad: { event_count: -1, distinct_users: -2 },
  },
  {
    table: 'entity_analytics_breakdowns',
    constraint: 'chk_entity_analytics_breakdowns_users_le_events',
    bad: { distinct_users: 13 },
  },
  {
    table: 'analytics_events',
    constraint: 'chk_analytics_events_event_date_matches',
    bad: { event_date: '2020-01-01' },
  },
  { table: 'analytics_events', constraint: 'chk_analytics_events_event_type_valid', bad: { event_type: 'impression' } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_entity_type_valid', bad: { entity_type: 'album' } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_entity_both_or_neither', bad: { entity_id: null } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_entity_both_or_neither', bad: { entity_type: null } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_properties_object', bad: { properties: '[1, 2]' } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_device_type_valid', bad: { device_type: 'tablet' } },
  { table: 'analytics_events', constraint: 'chk_analytics_events_country_code_format', bad: { country_code: 'fr' } },
  { table: 'daily_metrics', constraint: 'chk_daily_metrics_metric_name_format', bad: { metric_name: 'Plays per day' } },
  { table: 'daily_metrics', constraint: 'chk_daily_metrics_dimension_valid', bad: { dimension: 'user_id' } },
  { table: 'daily_metrics', constraint: 'chk_daily_metrics_dimension_value_total', bad: { dimension_value: '' } },
  { table: 'daily_metrics', constraint: 'chk_daily_metrics_dimension_value_total', bad: { dimension: 'total' } },
  { table: 'daily_metrics', constraint: 'chk_daily_metrics_unit_valid', bad: { unit: 'euros' } },
  { table: 'track_analytics', constraint: 'chk_track_analytics_counts_non_negative', bad: { skip_count: -1 } },
  {
    table: 'track_analytics',
    constraint: 'chk_track_analytics_counts_non_negative',
    bad: { total_played_seconds: -1 },
  },
  {
    table: 'track_analytics',
    constraint: 'chk_track_analytics_unique_listeners_le_plays',
    bad: { unique_listeners: 11 },
  },
  { table: 'track_analytics', constraint: 'chk_track_analytics_complete_count_le_plays', bad: { complete_count: 11 } },
  {
    table: 'track_analytics',
    constraint: 'chk_track_analytics_completion_sum_range',
    bad: { completion_percentage_sum: 1001 },
  },
  {
    table: 'track_analytics',
    constraint: 'chk_track_analytics_completion_sum_range',
    bad: { completion_percentage_sum: -1 },
  },
  { table: 'reports', constraint: 'chk_reports_report_type_valid', bad: { report_type: 'listener_habits' } },
  { table: 'reports', constraint: 'chk_reports_format_valid', bad: { format: 'docx' } },
  { table: 'reports', constraint: 'chk_reports_status_valid', bad: { status: 'queued' } },
  {
    table: 'reports',
    constraint: 'chk_reports_period_order',
    bad: { period_start: '2025-02-01', period_end: '2025-01-31' },
  },
  { table: 'reports', constraint: 'chk_reports_parameters_object', bad: { parameters: '"all"' } },
  { table: 'reports', constraint: 'chk_reports_generated_at_completed', bad: { status: 'completed' } },
  { table: 'dashboard_configs', constraint: 'chk_dashboard_configs_name_not_blank', bad: { name: '   ' } },
  { table: 'dashboard_configs', constraint: 'chk_dashboard_configs_scope_valid', bad: { scope: 'team' } },
  { table: 'dashboard_configs', constraint: 'chk_dashboard_configs_layout_object', bad: { layout: '[]' } },
  // Both rows go to the factory's shared dashboard owner (see factories/analytics.ts).
  {
    table: 'dashboard_configs',
    constraint: 'uq_dashboard_configs_user_id_scope_default',
    first: { is_default: true, scope: 'admin' },
    bad: { is_default: true, scope: 'admin' },
  },
];
