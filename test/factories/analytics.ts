import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';
import { streamingFactories } from './streaming.ts';

/** The UTC calendar day of a timestamp, as analytics_events.event_date must be (chk_analytics_events_event_date_matches). */
function utcDay(at: unknown): string {
  return new Date(at as string | number | Date).toISOString().slice(0, 10);
}

/**
 * One owner per database for the dashboards the factory creates on its own, so that the case for the
 * partial unique index uq_dashboard_configs_user_id_scope_default (one default per user and scope)
 * can insert two default dashboards of the same user without naming a user that exists.
 */
const dashboardOwners = new WeakMap<Sql, Promise<unknown>>();
function dashboardOwner(sql: Sql): Promise<unknown> {
  let owner = dashboardOwners.get(sql);
  if (!owner) {
    owner = authFactories.users(sql).then((user) => user.id);
    dashboardOwners.set(sql, owner);
  }
  return owner;
}

let day = 0;
/** A distinct past day per call, for the per-day aggregate tables. */
const nextDay = () => {
  day += 1;
  return new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
};

export const analyticsFactories = {
  analytics_events: async (sql, o = {}) => {
    const createdAt = 'created_at' in o ? o.created_at : new Date();
    return insertRow(sql, 'analytics_events', {
      event_type: 'play',
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      entity_type: 'track',
      entity_id: randomUUID(),
      properties: { played_seconds: 120, completion_percentage: 56, source: 'playlist' },
      device_type: 'web',
      country_code: 'FR',
      created_at: createdAt,
      event_date: utcDay(createdAt),
      ...o,
    });
  },
  daily_metrics: (sql, o = {}) =>
    insertRow(sql, 'daily_metrics', {
      metric_date: nextDay(),
      metric_name: `test_metric_${uniqueToken()}`,
      dimension: 'country_code',
      dimension_value: 'FR',
      value: 1234,
      ...o,
    }),
  track_analytics: async (sql, o = {}) =>
    insertRow(sql, 'track_analytics', {
      track_id: await parentId(o, 'track_id', () => streamingFactories.tracks(sql)),
      day: nextDay(),
      play_count: 10,
      unique_listeners: 7,
      total_played_seconds: 1800,
      completion_percentage_sum: 650,
      complete_count: 4,
      skip_count: 2,
      like_count: 3,
      comment_count: 1,
      share_count: 1,
      download_count: 2,
      ...o,
    }),
  // entity_id is generated from the one of track_id, product_id, course_id that is set: given alone (the unique
  // constraint's duplicate), it names the track.
  entity_analytics_breakdowns: async (sql, o = {}) => {
    const { entity_id: entityId, ...rest } = o;
    const kindGiven = 'track_id' in rest || 'product_id' in rest || 'course_id' in rest;
    return insertRow(sql, 'entity_analytics_breakdowns', {
      track_id: kindGiven ? null : (entityId ?? (await streamingFactories.tracks(sql)).id),
      day: nextDay(),
      event_type: 'play',
      dimension: 'device_type',
      dimension_value: 'mobile',
      event_count: 12,
      distinct_users: 6,
      ...rest,
    });
  },
  reports: async (sql, o = {}) =>
    insertRow(sql, 'reports', {
      requested_by: await parentId(o, 'requested_by', () => authFactories.users(sql)),
      report_type: 'track_performance',
      title: `Report ${uniqueToken()}`,
      parameters: { metrics: ['plays', 'unique_listeners'] },
      period_start: '2025-01-01',
      period_end: '2025-01-31',
      ...o,
    }),
  dashboard_configs: async (sql, o = {}) =>
    insertRow(sql, 'dashboard_configs', {
      user_id: 'user_id' in o ? o.user_id : await dashboardOwner(sql),
      name: `Dashboard ${uniqueToken()}`,
      layout: { widgets: [{ metric: 'plays', period: '30d', chart: 'line', x: 0, y: 0, w: 6, h: 4 }] },
      ...o,
    }),
} satisfies Record<string, Factory>;
