// Analytics (spec §15): the raw events (spec §1.3: 500M a year, one partition per day), the daily aggregates
// computed from them and from the plays, reports and dashboards. No per-user analytics (spec §17): the events carry
// a user id only until anonymisation, and the aggregates none.
import type { Row } from '../copy-text.ts';
import { cumulative, type Rng, streamOf } from '../random.ts';
import { copyTable, type DerivedTable, type SeedSql, type SeedTable } from '../table.ts';
import { DAY_MS, iso, isoDate } from '../timeline.ts';
import { streams, type Timed, type Universe } from '../universe.ts';
import { COUNTRY_WEIGHTS } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { userCreated, userId, users } from './auth.ts';
import { courseId, courses } from './education.ts';
import { personalFileId } from './files.ts';
import { orderId, orders, productId, products } from './marketplace.ts';
import { groupId, groups, postId, posts } from './social.ts';
import { pickTrack, playlistId, playlists, trackCommentFanout, trackId } from './streaming.ts';
import { roomId, rooms } from './chat.ts';

const S = streams('analytics_events.id', 'reports.id', 'dashboard_configs', 'dashboard_configs.id');

const EVENT_TYPES = [
  ['page_view', 30],
  ['play', 14],
  ['pause', 7],
  ['resume', 5],
  ['seek', 3],
  ['skip', 6],
  ['complete', 8],
  ['like', 2],
  ['unlike', 0.3],
  ['share', 0.7],
  ['download', 1],
  ['comment', 1],
  ['follow', 1.2],
  ['unfollow', 0.3],
  ['upload', 0.2],
  ['search', 8],
  ['add_to_cart', 0.5],
  ['purchase', 0.2],
] as const;
const EVENT_WEIGHTS = cumulative(EVENT_TYPES.map(([, weight]) => weight));
const COUNTRY_SUMS = cumulative(COUNTRY_WEIGHTS.map(([, weight]) => weight));
const TRACK_EVENTS = new Set([
  'play',
  'pause',
  'resume',
  'seek',
  'skip',
  'complete',
  'like',
  'unlike',
  'share',
  'download',
  'upload',
]);
const PAGES = ['/discover', '/library', '/feed', '/marketplace', '/learn', '/settings', '/search'] as const;

type Picker = (t: number, rng: Rng) => string | null;

function fromTimed(timed: Timed, id: (index: number) => string): Picker {
  return (t, rng) => (timed.count === 0 ? null : id(timed.pick(t, rng.next())));
}

function fromRange(count: number, id: (index: number) => string): Picker {
  return (_, rng) => (count === 0 ? null : id(rng.int(count)));
}

/** Which entity a page view, a play or a purchase is about: [entity_type, picker]. */
function pickers(u: Universe): Record<string, Picker> {
  const commentCount = trackCommentFanout(u).total;
  const commentStream = streamOf('track_comments.id');
  const lessons = courses(u).lessons.count;
  const lessonStream = streamOf('lessons.id');
  return {
    track: (t, rng) => trackId(u, pickTrack(u, t, rng)),
    playlist: fromTimed(playlists(u).timed, (i) => playlistId(u, i)),
    user: fromTimed(users(u).timed, (i) => userId(u, i)),
    post: fromTimed(posts(u).timed, (i) => postId(u, i)),
    product: fromTimed(products(u).timed, (i) => productId(u, i)),
    course: fromTimed(courses(u).timed, (i) => courseId(u, i)),
    group: fromTimed(groups(u).timed, (i) => groupId(u, i)),
    room: fromTimed(rooms(u).timed, (i) => roomId(u, i)),
    order: fromTimed(orders(u).timed, (i) => orderId(u, i)),
    track_comment: fromRange(commentCount, (i) => u.id(commentStream, i)),
    lesson: fromRange(lessons, (i) => u.id(lessonStream, i)),
  };
}

const PAGE_ENTITIES = [
  ['track', 40],
  ['user', 20],
  ['playlist', 10],
  ['post', 10],
  ['product', 8],
  ['course', 4],
  ['group', 4],
  ['room', 4],
] as const;
const PAGE_SUMS = cumulative(PAGE_ENTITIES.map(([, weight]) => weight));

function entityTypeOf(event: string, rng: Rng): string | null {
  if (TRACK_EVENTS.has(event)) return 'track';
  switch (event) {
    case 'comment':
      return 'track_comment';
    case 'follow':
    case 'unfollow':
      return 'user';
    case 'add_to_cart':
      return 'product';
    case 'purchase':
      return 'order';
    case 'search':
      return null;
    default:
      return rng.chance(0.8) ? (PAGE_ENTITIES[rng.weighted(PAGE_SUMS)] as (typeof PAGE_ENTITIES)[number])[0] : null;
  }
}

function properties(event: string, rng: Rng): string {
  if (rng.chance(0.6)) return '{}';
  switch (event) {
    case 'play':
    case 'complete':
    case 'skip':
      return `{"source": "${rng.pick(['playlist', 'album', 'search', 'direct'])}"}`;
    case 'seek':
      return `{"position": ${rng.int(400)}}`;
    case 'search':
      return `{"results": ${rng.int(200)}}`;
    case 'page_view':
      return `{"path": "${rng.pick(PAGES)}"}`;
    default:
      return '{}';
  }
}

export function analyticsEventTotal(u: Universe): number {
  return u.scaled(VOLUMES.analyticsEvents);
}

const analyticsEvents = copyTable({
  name: 'analytics_events',
  dependsOn: ['users'],
  columns: [
    'id',
    'event_date',
    'event_type',
    'user_id',
    'entity_type',
    'entity_id',
    'properties',
    'device_type',
    'country_code',
    'created_at',
    'updated_at',
  ],
  count: analyticsEventTotal,
  *rows(u): Iterable<Row> {
    const total = analyticsEventTotal(u);
    const people = users(u);
    const pick = pickers(u);
    const rng = u.rng();
    for (let i = 0; i < total; i++) {
      rng.reset(S['analytics_events.id'], i);
      let at = u.time.eventTime((i + rng.next()) / total);
      const event = (EVENT_TYPES[rng.weighted(EVENT_WEIGHTS)] as (typeof EVENT_TYPES)[number])[0];
      const user = rng.chance(0.75) ? people.timed.pickSkewed(at, rng.next(), 1.3) : -1;
      if (user >= 0) at = Math.max(at, userCreated(u, user) + 1000);
      const type = entityTypeOf(event, rng);
      const entity = type === null ? null : (pick[type] as Picker)(at, rng);
      const created = iso(at);
      yield [
        u.id(S['analytics_events.id'], i),
        created.slice(0, 10),
        event,
        user >= 0 ? userId(u, user) : null,
        entity === null ? null : type,
        entity,
        properties(event, rng),
        rng.chance(0.55) ? 'mobile' : rng.chance(0.55) ? 'web' : 'desktop',
        (COUNTRY_WEIGHTS[rng.weighted(COUNTRY_SUMS)] as (typeof COUNTRY_WEIGHTS)[number])[0],
        created,
        created,
      ];
    }
  },
});

/** A uuid of version 4 shape computed in SQL from a text key, for derived rows: the same seed gives the same ids. */
function sqlUuid(key: string): string {
  return `overlay(overlay(md5(${key}) placing '4' from 13) placing '8' from 17)::uuid`;
}

const dailyMetrics: DerivedTable = {
  kind: 'derived',
  name: 'daily_metrics',
  dependsOn: ['analytics_events', 'playback_history', 'users', 'orders'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const anchor = new Date(u.time.anchor);
    const seed = String(u.seed);
    // spec §15, §18.1: platform-wide figures per day, by dimensions that identify nobody
    const result = await sql.query(
      `
      INSERT INTO daily_metrics (id, metric_date, metric_name, dimension, dimension_value, value, unit, created_at, updated_at)
      SELECT ${sqlUuid(`${seed}::text || ':' || m.metric_name || ':' || m.metric_date || ':' || m.dimension || ':' || m.dimension_value`)},
             m.metric_date, m.metric_name, m.dimension, m.dimension_value, m.value, m.unit,
             LEAST((m.metric_date + INTERVAL '1 day 1 hour') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second'),
             LEAST((m.metric_date + INTERVAL '1 day 1 hour') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second')
      FROM (
        SELECT event_date AS metric_date, 'events.count' AS metric_name,
               CASE WHEN GROUPING(event_type) = 0 THEN 'event_type' WHEN GROUPING(country_code) = 0 THEN 'country_code'
                    WHEN GROUPING(device_type) = 0 THEN 'device_type' ELSE 'total' END AS dimension,
               COALESCE(event_type, country_code, device_type, '') AS dimension_value,
               count(*)::numeric AS value, 'count' AS unit
        FROM analytics_events
        GROUP BY GROUPING SETS ((event_date), (event_date, event_type), (event_date, country_code), (event_date, device_type))
        HAVING (GROUPING(event_type) = 1 OR event_type IS NOT NULL)
           AND (GROUPING(country_code) = 1 OR country_code IS NOT NULL)
           AND (GROUPING(device_type) = 1 OR device_type IS NOT NULL)
        UNION ALL
        SELECT (played_at AT TIME ZONE 'UTC')::date, 'plays.count', 'total', '', count(*), 'count'
        FROM playback_history GROUP BY 1
        UNION ALL
        SELECT (played_at AT TIME ZONE 'UTC')::date, 'plays.seconds', 'total', '', sum(played_duration), 'seconds'
        FROM playback_history GROUP BY 1
        UNION ALL
        SELECT (created_at AT TIME ZONE 'UTC')::date, 'users.signups', 'total', '', count(*), 'count'
        FROM users GROUP BY 1
        UNION ALL
        SELECT (created_at AT TIME ZONE 'UTC')::date, 'orders.revenue', 'currency', currency, sum(total), 'amount'
        FROM orders WHERE status IN ('paid', 'processing', 'completed') GROUP BY 1, currency
      ) m`,
      [anchor],
    );
    return result.rowCount ?? 0;
  },
};

const trackAnalytics: DerivedTable = {
  kind: 'derived',
  name: 'track_analytics',
  dependsOn: ['tracks', 'playback_history', 'track_likes', 'track_comments', 'track_downloads'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const anchor = new Date(u.time.anchor);
    const seed = String(u.seed);
    // spec §15, §17.4: per track and day, what the creator's dashboard shows; computed from the rows themselves
    const result = await sql.query(
      `
      INSERT INTO track_analytics (id, track_id, day, play_count, unique_listeners, total_played_seconds,
                                   completion_percentage_sum, complete_count, skip_count, like_count, comment_count,
                                   share_count, download_count, created_at, updated_at)
      SELECT ${sqlUuid(`${seed}::text || ':' || p.track_id::text || ':' || p.day`)},
             p.track_id, p.day, p.plays, p.listeners, p.seconds, p.completion, p.completes, p.skips,
             COALESCE(l.n, 0), COALESCE(c.n, 0), 0, COALESCE(d.n, 0),
             LEAST((p.day + INTERVAL '1 day 2 hours') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second'),
             LEAST((p.day + INTERVAL '1 day 2 hours') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second')
      FROM (
        SELECT track_id, (played_at AT TIME ZONE 'UTC')::date AS day, count(*) AS plays,
               count(DISTINCT user_id) AS listeners, sum(played_duration) AS seconds,
               sum(completion_percentage) AS completion,
               count(*) FILTER (WHERE completion_percentage >= 95) AS completes,
               count(*) FILTER (WHERE completion_percentage < 30) AS skips
        FROM playback_history GROUP BY 1, 2
      ) p
      LEFT JOIN (SELECT track_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
                 FROM track_likes GROUP BY 1, 2) l USING (track_id, day)
      LEFT JOIN (SELECT track_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
                 FROM track_comments WHERE deleted_at IS NULL AND NOT is_deleted GROUP BY 1, 2) c USING (track_id, day)
      LEFT JOIN (SELECT track_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
                 FROM track_downloads GROUP BY 1, 2) d USING (track_id, day)`,
      [anchor],
    );
    return result.rowCount ?? 0;
  },
};

/**
 * The sources and devices of each track's plays per day, with the distinct listeners behind each cell (ADR 0093):
 * what retention.analytics writes next to track_analytics, computed here from the seeded plays like track_analytics.
 * Product and course views are left to the nightly job.
 */
const entityAnalyticsBreakdowns: DerivedTable = {
  kind: 'derived',
  name: 'entity_analytics_breakdowns',
  dependsOn: ['tracks', 'playback_history'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const anchor = new Date(u.time.anchor);
    const seed = String(u.seed);
    const result = await sql.query(
      `
      INSERT INTO entity_analytics_breakdowns (id, track_id, day, event_type, dimension, dimension_value, event_count,
                                               distinct_users, created_at, updated_at)
      SELECT ${sqlUuid(`${seed}::text || ':' || c.track_id::text || ':' || c.day || ':' || c.dimension || ':' || c.dimension_value`)},
             c.track_id, c.day, 'play', c.dimension, c.dimension_value, c.plays, c.listeners,
             LEAST((c.day + INTERVAL '1 day 2 hours') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second'),
             LEAST((c.day + INTERVAL '1 day 2 hours') AT TIME ZONE 'UTC', $1::timestamptz - INTERVAL '1 second')
      FROM (
        SELECT p.track_id, p.day,
               CASE WHEN GROUPING(p.device) = 0 THEN 'device_type' WHEN GROUPING(p.source) = 0 THEN 'source'
                    ELSE 'total' END AS dimension,
               CASE WHEN GROUPING(p.device) = 0 THEN p.device WHEN GROUPING(p.source) = 0 THEN p.source
                    ELSE '' END AS dimension_value,
               count(*) AS plays, count(DISTINCT p.user_id) AS listeners
        FROM (
          SELECT track_id, (played_at AT TIME ZONE 'UTC')::date AS day, user_id,
                 COALESCE(device_type, 'unknown') AS device, COALESCE(source, 'unknown') AS source
          FROM playback_history
        ) p
        GROUP BY GROUPING SETS ((p.track_id, p.day), (p.track_id, p.day, p.device), (p.track_id, p.day, p.source))
      ) c`,
      [anchor],
    );
    return result.rowCount ?? 0;
  },
};

const REPORT_TYPES = [
  'platform_activity',
  'user_growth',
  'content',
  'track_performance',
  'sales',
  'payouts',
  'moderation',
] as const;

const reports = copyTable({
  name: 'reports',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'requested_by',
    'report_type',
    'title',
    'parameters',
    'period_start',
    'period_end',
    'format',
    'status',
    'file_id',
    'error_message',
    'started_at',
    'generated_at',
    'expires_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => u.scaled(VOLUMES.reports, 3),
  *rows(u): Iterable<Row> {
    const total = u.scaled(VOLUMES.reports, 3);
    const people = users(u);
    const rng = u.rng();
    for (let r = 0; r < total; r++) {
      rng.reset(S['reports.id'], r);
      const created = u.time.eventTime((r + rng.next()) / total);
      const staff = rng.chance(0.4);
      const requester = rng.chance(0.05)
        ? -1
        : staff
          ? rng.int(people.staff)
          : (people.creators[rng.int(people.creators.length)] as number);
      const at = requester >= 0 ? Math.max(created, userCreated(u, requester) + 1000) : created;
      const type = staff ? rng.pick(REPORT_TYPES) : rng.pick(['track_performance', 'sales', 'payouts'] as const);
      const state = rng.next();
      const status =
        state < 0.8
          ? 'completed'
          : state < 0.85
            ? 'failed'
            : state < 0.9
              ? 'expired'
              : state < 0.95
                ? 'pending'
                : 'processing';
      const started = status === 'pending' ? NaN : at + 5000;
      const generated = status === 'completed' || status === 'expired' ? at + 60_000 : NaN;
      const periodEnd = Math.floor(at / DAY_MS) * DAY_MS - DAY_MS;
      yield [
        u.id(S['reports.id'], r),
        requester >= 0 ? userId(u, requester) : null,
        type,
        `${type.replace('_', ' ')} report`,
        JSON.stringify({ granularity: rng.pick(['day', 'week', 'month']) }),
        isoDate(periodEnd - rng.pick([7, 30, 90]) * DAY_MS),
        isoDate(periodEnd),
        rng.pick(['csv', 'csv', 'json', 'pdf', 'xlsx']),
        status,
        status === 'completed' && requester >= 0 ? personalFileId(u, requester, 3) : null,
        status === 'failed' ? 'the aggregation timed out' : null,
        Number.isNaN(started) ? null : iso(started),
        Number.isNaN(generated) ? null : iso(generated),
        Number.isNaN(generated) ? null : iso(generated + 30 * DAY_MS),
        iso(at),
        iso(Number.isNaN(generated) ? (Number.isNaN(started) ? at : started) : generated),
      ];
    }
  },
});

/** Staff get an admin dashboard, half the creators a creator dashboard: user indexes, staff first. */
function dashboardOwners(u: Universe): Int32Array {
  return u.cached('dashboard_configs', () => {
    const people = users(u);
    const owners: number[] = [];
    for (let s = 0; s < people.staff; s++) owners.push(s);
    for (const creator of people.creators) {
      if (u.unit(S.dashboard_configs, creator) < VOLUMES.dashboardShareOfCreators) owners.push(creator);
    }
    return Int32Array.from(owners);
  });
}

const dashboardConfigs = copyTable({
  name: 'dashboard_configs',
  dependsOn: ['users'],
  columns: ['id', 'user_id', 'name', 'scope', 'layout', 'is_default', 'created_at', 'updated_at'],
  count: (u) => dashboardOwners(u).length,
  *rows(u): Iterable<Row> {
    const owners = dashboardOwners(u);
    const staff = users(u).staff;
    const rng = u.rng();
    for (let d = 0; d < owners.length; d++) {
      rng.reset(S['dashboard_configs.id'], d);
      const owner = owners[d] as number;
      const admin = owner < staff;
      const at = iso(u.time.after(userCreated(u, owner), rng.next() / 2));
      const widgets = admin
        ? ['signups', 'events', 'revenue', 'moderation_queue']
        : ['plays', 'listeners', 'sales', 'top_tracks'];
      yield [
        u.id(S['dashboard_configs.id'], d),
        userId(u, owner),
        admin ? 'Platform overview' : 'My music',
        admin ? 'admin' : 'creator',
        JSON.stringify({ widgets: widgets.slice(0, rng.between(2, 4)), range: rng.pick(['7d', '30d', '90d']) }),
        true,
        at,
        at,
      ];
    }
  },
});

export const analyticsTables: SeedTable[] = [
  analyticsEvents,
  dailyMetrics,
  trackAnalytics,
  entityAnalyticsBreakdowns,
  reports,
  dashboardConfigs,
];
