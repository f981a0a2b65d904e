// Administration (spec §16): moderation reports and actions, the audit trail (spec §1.3: 100M rows a year), platform
// settings, feature flags and the maintenance jobs' run history.
import type { Row } from '../copy-text.ts';
import { cumulative, streamOf } from '../random.ts';
import { copyTable, type CopyTable, type SeedTable } from '../table.ts';
import { DAY_MS, HOUR_MS, iso, MINUTE_MS } from '../timeline.ts';
import { streams, type Universe } from '../universe.ts';
import { paragraph, sentence } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { lifecycleJobs } from '../../lifecycle/lifecycle-jobs.ts';
import { ROLE_NAMES, userCreated, userId, username, users } from './auth.ts';
import { messageId, messageSender, messageTotal, roomId, rooms } from './chat.ts';
import { courseId, courses } from './education.ts';
import { orderId, orders, ORDER_STATUSES, productId, products } from './marketplace.ts';
import { groupId, groups, postId, posts } from './social.ts';
import { pickTrack, playlistId, playlists, trackCommentFanout, trackId, tracks } from './streaming.ts';

const S = streams(
  'moderation_reports.id',
  'moderation_reports.attr',
  'moderation_actions.id',
  'audit_logs.id',
  'audit_logs.deleted',
  'system_configs.id',
  'feature_flags.id',
  'job_runs.id',
  'idempotency_keys.id',
);

const ENTITY_TYPES = [
  ['track', 30],
  ['post', 25],
  ['track_comment', 10],
  ['user', 10],
  ['message', 10],
  ['product', 5],
  ['playlist', 4],
  ['room', 3],
  ['group', 2],
  ['course', 1],
] as const;
const ENTITY_SUMS = cumulative(ENTITY_TYPES.map(([, weight]) => weight));
const REASONS = ['spam', 'harassment', 'hate', 'copyright', 'explicit', 'impersonation', 'other'] as const;
const REPORT_STATUSES = ['open', 'in_review', 'resolved', 'dismissed'] as const;

interface Report {
  reporter: number;
  entityType: string;
  entityId: string;
  /** The person behind the reported content, -1 when not known (comments). */
  reportedUser: number;
  status: number;
  created: number;
  resolved: number;
  moderator: number;
}

function moderationReports(u: Universe): Report[] {
  return u.cached('moderation_reports', () => {
    const people = users(u);
    const total = u.scaled(VOLUMES.users * VOLUMES.moderationReportsPerUser, 3);
    const comments = trackCommentFanout(u).total;
    const messages = messageTotal(u);
    const pending = new Set<string>();
    const list: Report[] = [];
    const rng = u.rng();
    for (let r = 0; r < total; r++) {
      rng.reset(S['moderation_reports.attr'], r);
      const created = u.time.eventTime((r + rng.next()) / total);
      const reporter = rng.chance(0.02) ? -1 : people.timed.pick(created, rng.next());
      let entityType: string = (ENTITY_TYPES[rng.weighted(ENTITY_SUMS)] as (typeof ENTITY_TYPES)[number])[0];
      let entityId: string;
      let reportedUser = -1;
      if (entityType === 'track_comment' && comments === 0) entityType = 'track';
      if (entityType === 'post' && posts(u).owner.length === 0) entityType = 'track';
      if (entityType === 'product' && products(u).count === 0) entityType = 'track';
      if (entityType === 'playlist' && playlists(u).owner.length === 0) entityType = 'track';
      switch (entityType) {
        case 'track': {
          const track = pickTrack(u, created, rng);
          entityId = trackId(u, track);
          reportedUser = tracks(u).creator[track] as number;
          break;
        }
        case 'post': {
          const post = posts(u).timed.pick(created, rng.next());
          entityId = postId(u, post);
          reportedUser = posts(u).owner[post] as number;
          break;
        }
        case 'track_comment':
          entityId = u.id(streamOf('track_comments.id'), rng.int(comments));
          break;
        case 'user':
          reportedUser = people.timed.pick(created, rng.next());
          entityId = userId(u, reportedUser);
          break;
        case 'message': {
          const message = Math.floor(rng.next() * messages * ((created - u.time.start) / u.time.span));
          entityId = messageId(u, message);
          reportedUser = messageSender(u, message).sender;
          break;
        }
        case 'product': {
          const product = products(u).timed.pick(created, rng.next());
          entityId = productId(u, product);
          reportedUser = products(u).seller[product] as number;
          break;
        }
        case 'playlist': {
          const playlist = playlists(u).timed.pick(created, rng.next());
          entityId = playlistId(u, playlist);
          reportedUser = playlists(u).owner[playlist] as number;
          break;
        }
        case 'room': {
          const room = rooms(u).timed.pick(created, rng.next());
          entityId = roomId(u, room);
          reportedUser = rooms(u).creator[room] as number;
          break;
        }
        case 'group': {
          const group = groups(u).timed.pick(created, rng.next());
          entityId = groupId(u, group);
          reportedUser = groups(u).creator[group] as number;
          break;
        }
        default: {
          const course = courses(u).timed.pick(created, rng.next());
          entityId = courseId(u, course);
          reportedUser = courses(u).creator[course] as number;
        }
      }
      const state = rng.next();
      // the first report is resolved (and acted on, below): no scale leaves moderation_actions empty
      let status =
        r === 0
          ? 2
          : u.time.anchor - created < 3 * DAY_MS
            ? state < 0.7
              ? 0
              : 1
            : state < 0.1
              ? 0
              : state < 0.15
                ? 1
                : state < 0.65
                  ? 2
                  : 3;
      // uq_moderation_reports_reporter_entity_pending: one pending report per reporter and thing
      const key = `${reporter}:${entityType}:${entityId}`;
      if (status <= 1 && reporter >= 0) {
        if (pending.has(key)) status = 3;
        else pending.add(key);
      }
      const at = reporter >= 0 ? Math.max(created, userCreated(u, reporter) + 1000) : created;
      list.push({
        reporter,
        entityType,
        entityId,
        reportedUser,
        status,
        created: at,
        resolved: status >= 2 ? Math.min(at + rng.between(1, 72) * HOUR_MS, u.time.anchor - 1) : NaN,
        moderator: status === 0 ? -1 : 1 + rng.int(people.staff - 1),
      });
    }
    return list;
  });
}

const moderationReportsTable = copyTable({
  name: 'moderation_reports',
  dependsOn: ['users'],
  columns: [
    'id',
    'reporter_id',
    'entity_type',
    'entity_id',
    'reported_user_id',
    'reason',
    'details',
    'status',
    'assigned_moderator_id',
    'resolution_note',
    'resolved_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => moderationReports(u).length,
  *rows(u): Iterable<Row> {
    const list = moderationReports(u);
    const rng = u.rng();
    for (let r = 0; r < list.length; r++) {
      const report = list[r] as Report;
      rng.reset(S['moderation_reports.id'], r);
      const closed = report.status >= 2;
      yield [
        u.id(S['moderation_reports.id'], r),
        report.reporter >= 0 ? userId(u, report.reporter) : null,
        report.entityType,
        report.entityId,
        report.reportedUser >= 0 ? userId(u, report.reportedUser) : null,
        rng.pick(REASONS),
        rng.chance(0.6) ? sentence(rng, 5, 25) : null,
        REPORT_STATUSES[report.status] as string,
        report.moderator >= 0 ? userId(u, report.moderator) : null,
        closed ? rng.pick(['Content removed.', 'No violation found.', 'User warned.', 'Duplicate report.']) : null,
        closed ? iso(report.resolved) : null,
        iso(report.created),
        iso(closed ? report.resolved : report.created),
      ];
    }
  },
});

const ACTION_TYPES = ['warn', 'hide_content', 'delete_content', 'mute', 'suspend', 'ban'] as const;
const ACTION_SUMS = cumulative([40, 25, 15, 10, 7, 3]);

/** Reports closed as resolved that led to an action. */
function actionReports(u: Universe): Int32Array {
  return u.cached('moderation_actions', () => {
    const list = moderationReports(u);
    const acted: number[] = [];
    list.forEach((report, r) => {
      if (
        report.status === 2 &&
        (r === 0 || u.unit(S['moderation_actions.id'], r) < VOLUMES.actionShareOfResolvedReports)
      ) {
        acted.push(r);
      }
    });
    return Int32Array.from(acted);
  });
}

const moderationActions = copyTable({
  name: 'moderation_actions',
  dependsOn: ['moderation_reports', 'users'],
  columns: [
    'id',
    'report_id',
    'moderator_id',
    'target_user_id',
    'entity_type',
    'entity_id',
    'action_type',
    'reason',
    'expires_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => actionReports(u).length,
  *rows(u): Iterable<Row> {
    const acted = actionReports(u);
    const list = moderationReports(u);
    const rng = u.rng();
    for (let a = 0; a < acted.length; a++) {
      const r = acted[a] as number;
      const report = list[r] as Report;
      rng.reset(S['moderation_actions.id'], a + 0x4000_0000);
      // chk_moderation_actions_target_user_required: sanctions of a person need the person
      const action =
        report.reportedUser >= 0
          ? (ACTION_TYPES[rng.weighted(ACTION_SUMS)] as string)
          : rng.chance(0.6)
            ? 'hide_content'
            : 'delete_content';
      const temporary = (action === 'mute' || action === 'suspend' || action === 'hide_content') && rng.chance(0.5);
      const at = report.resolved;
      yield [
        u.id(S['moderation_actions.id'], a),
        u.id(S['moderation_reports.id'], r),
        userId(u, report.moderator),
        report.reportedUser >= 0 ? userId(u, report.reportedUser) : null,
        report.entityType,
        report.entityId,
        action,
        paragraph(rng, 1),
        temporary ? iso(at + rng.pick([1, 7, 30]) * DAY_MS) : null,
        iso(at),
        iso(at),
      ];
    }
  },
});

/** The audited tables of migration 0017 and their share of the trail. */
const AUDITED = [
  ['users', 40],
  ['orders', 15],
  ['order_items', 8],
  ['transactions', 12],
  ['user_roles', 3],
  ['two_factor_configs', 4],
  ['federated_identities', 4],
  ['seller_payouts', 4],
  ['discount_codes', 2],
  ['moderation_reports', 4],
  ['moderation_actions', 2],
  ['system_configs', 1],
  ['feature_flags', 1],
] as const;
const AUDITED_SUMS = cumulative(AUDITED.map(([, weight]) => weight));
const AUDITED_STREAMS = AUDITED.map(([table]) => streamOf(`${table}.id`));

export function auditLogTotal(u: Universe): number {
  return u.scaled(VOLUMES.auditLogs);
}

/**
 * audit_logs as the trigger of migration 0017 writes them (ADR 0013: the row before and after, secrets redacted,
 * the acting user), for changes spread over the year: the rows change their status, consents, roles... The trail
 * is generated rather than produced by the triggers, which are off during the load. `rowsOf(table)` gives the row
 * count of an audited table in this plan: record ids are ids of real rows, except for deletions.
 */
export function auditLogsTable(rowsOf: (u: Universe, table: string) => number): CopyTable {
  return copyTable({
    name: 'audit_logs',
    dependsOn: ['users'],
    columns: [
      'id',
      'table_name',
      'operation',
      'record_id',
      'old_data',
      'new_data',
      'user_id',
      'transaction_id',
      'created_at',
      'updated_at',
    ],
    count: auditLogTotal,
    *rows(u): Iterable<Row> {
      const total = auditLogTotal(u);
      const people = users(u);
      const sales = orders(u);
      const counts = AUDITED.map(([table]) => rowsOf(u, table));
      const rng = u.rng();
      for (let i = 0; i < total; i++) {
        rng.reset(S['audit_logs.id'], i);
        let at = u.time.eventTime((i + rng.next()) / total);
        let kind = rng.weighted(AUDITED_SUMS);
        if ((counts[kind] as number) === 0) kind = 0;
        const table = (AUDITED[kind] as (typeof AUDITED)[number])[0];
        const operation = rng.chance(0.1) ? 'INSERT' : rng.chance(0.98) ? 'UPDATE' : 'DELETE';
        let record: string;
        let owner = -1;
        if (operation === 'DELETE') {
          record = u.id(S['audit_logs.deleted'], i);
        } else if (table === 'users') {
          owner = people.timed.pick(at, rng.next());
          record = userId(u, owner);
        } else if (table === 'orders') {
          const order = sales.timed.pick(at, rng.next());
          owner = sales.user[order] as number;
          record = orderId(u, order);
        } else {
          record = u.id(AUDITED_STREAMS[kind] as number, rng.int(counts[kind] as number));
        }
        if (owner >= 0) at = Math.max(at, userCreated(u, owner) + 1000);
        const created = iso(at);
        const before = iso(at - rng.between(1, 1000) * MINUTE_MS);
        let next: string;
        let previous: string;
        if (table === 'users') {
          const role = ROLE_NAMES[people.role[owner >= 0 ? owner : 0] as number] as string;
          const consent = rng.chance(0.5);
          const password = rng.chance(0.1);
          const name = username(u, owner >= 0 ? owner : 0);
          next = `{"id": "${record}", "role": "${role}", "username": "${name}", "is_active": true, "marketing_consent": ${consent}, "password_hash": "${password && operation === 'UPDATE' ? '[redacted:changed]' : '[redacted]'}", "updated_at": "${created}"}`;
          previous = `{"id": "${record}", "role": "${role}", "username": "${name}", "is_active": true, "marketing_consent": ${!consent}, "password_hash": "[redacted]", "updated_at": "${before}"}`;
        } else if (table === 'orders') {
          const status = rng.int(ORDER_STATUSES.length);
          next = `{"id": "${record}", "status": "${ORDER_STATUSES[status] as string}", "currency": "USD", "updated_at": "${created}"}`;
          previous = `{"id": "${record}", "status": "${ORDER_STATUSES[Math.max(0, status - 1)] as string}", "currency": "USD", "updated_at": "${before}"}`;
        } else {
          next = `{"id": "${record}", "updated_at": "${created}", "status": "${rng.pick(['active', 'completed', 'pending', 'resolved'])}"}`;
          previous = `{"id": "${record}", "updated_at": "${before}", "status": "pending"}`;
        }
        const actor = rng.next();
        const user = owner >= 0 && actor < 0.7 ? owner : actor < 0.85 ? rng.int(people.staff) : -1;
        yield [
          u.id(S['audit_logs.id'], i),
          table,
          operation,
          record,
          operation === 'INSERT' ? null : previous,
          operation === 'DELETE' ? null : next,
          user >= 0 ? userId(u, user) : null,
          10_000_000 + i,
          created,
          created,
        ];
      }
    },
  });
}

const SYSTEM_CONFIGS: readonly [string, unknown, string, boolean][] = [
  ['marketplace.commission_rate', 0.1, 'Share of each sale kept by the platform', true],
  ['marketplace.payout_minimum', { amount: 50, currency: 'USD' }, 'Smallest payout sent to a seller', true],
  ['uploads.max_file_size_mb', 500, 'Largest file accepted by the upload service', true],
  ['uploads.allowed_audio_formats', ['wav', 'flac', 'mp3', 'aiff'], 'Audio formats accepted for tracks', true],
  ['streaming.default_bitrate_kbps', 256, 'Bitrate of the default rendition', false],
  ['chat.max_message_length', 10000, 'Longest chat message', true],
  ['chat.typing_indicator_seconds', 10, 'How long a typing indicator lasts', false],
  ['retention.analytics_days', 365, 'Raw analytics kept (spec §18.1)', false],
  ['retention.login_attempts_days', 90, 'Login attempts kept (spec §18.1)', false],
  ['search.results_per_page', 20, 'Search page size', true],
  ['education.certificate_issuer', 'Veza Learn', 'Name printed on certificates', true],
  ['moderation.auto_hide_threshold', 5, 'Pending reports that hide a piece of content until reviewed', false],
];

const systemConfigs = copyTable({
  name: 'system_configs',
  dependsOn: ['users'],
  columns: ['id', 'key', 'value', 'description', 'is_public', 'updated_by', 'created_at', 'updated_at'],
  count: () => SYSTEM_CONFIGS.length,
  *rows(u): Iterable<Row> {
    for (let c = 0; c < SYSTEM_CONFIGS.length; c++) {
      const [key, value, description, isPublic] = SYSTEM_CONFIGS[c] as (typeof SYSTEM_CONFIGS)[number];
      const created = iso(u.time.start + HOUR_MS);
      const updated = iso(u.time.after(u.time.start + HOUR_MS, u.unit(S['system_configs.id'], c)));
      yield [
        u.id(S['system_configs.id'], c),
        key,
        JSON.stringify(value),
        description,
        isPublic,
        userId(u, 0),
        created,
        updated,
      ];
    }
  },
});

const FEATURE_FLAGS: readonly [string, boolean, number, object][] = [
  ['streaming.lossless', true, 100, {}],
  ['streaming.offline_mode', true, 50, { roles: ['premium'] }],
  ['marketplace.pay_what_you_want', true, 100, {}],
  ['marketplace.discount_codes', true, 100, {}],
  ['social.groups', true, 100, {}],
  ['social.reposts', true, 80, {}],
  ['education.quizzes', true, 100, {}],
  ['cloud.google_drive', false, 10, { countries: ['FR', 'DE'] }],
  ['search.filters_v2', false, 0, {}],
  ['chat.voice_messages', true, 25, {}],
];

const featureFlags = copyTable({
  name: 'feature_flags',
  dependsOn: ['users'],
  columns: [
    'id',
    'key',
    'description',
    'is_enabled',
    'rollout_percentage',
    'conditions',
    'updated_by',
    'created_at',
    'updated_at',
  ],
  count: () => FEATURE_FLAGS.length,
  *rows(u): Iterable<Row> {
    for (let f = 0; f < FEATURE_FLAGS.length; f++) {
      const [key, enabled, rollout, conditions] = FEATURE_FLAGS[f] as (typeof FEATURE_FLAGS)[number];
      const created = u.time.after(u.time.start, u.unit(S['feature_flags.id'], f) / 2);
      yield [
        u.id(S['feature_flags.id'], f),
        key,
        `Toggle for ${key.replace('.', ': ').replaceAll('_', ' ')}`,
        enabled,
        rollout,
        JSON.stringify(conditions),
        userId(u, 0),
        iso(created),
        iso(u.time.after(created, 0.5)),
      ];
    }
  },
});

/** The daily maintenance jobs ("M H * * *") with their minute and hour. */
const DAILY_JOBS = lifecycleJobs
  .map((job) => ({ name: job.name, cron: /^(\d+) (\d+) \* \* \*$/.exec(job.defaultSchedule) }))
  .filter((job): job is { name: string; cron: RegExpExecArray } => job.cron !== null)
  .map((job) => ({ name: job.name, minute: Number(job.cron[1]), hour: Number(job.cron[2]) }));

const jobRuns = copyTable({
  name: 'job_runs',
  dependsOn: [],
  columns: [
    'id',
    'job_name',
    'triggered_by',
    'dry_run',
    'status',
    'started_at',
    'finished_at',
    'rows_by_table',
    'error_message',
    'created_at',
    'updated_at',
  ],
  // one run a day of each daily job over the year (not scaled: the schedule does not depend on the volume)
  count: (u) => Math.floor(u.time.span / DAY_MS) * DAILY_JOBS.length,
  *rows(u): Iterable<Row> {
    const days = Math.floor(u.time.span / DAY_MS);
    const rng = u.rng();
    let row = 0;
    for (let d = 0; d < days; d++) {
      for (const job of DAILY_JOBS) {
        rng.reset(S['job_runs.id'], row);
        const started = u.time.start + d * DAY_MS + job.hour * HOUR_MS + job.minute * MINUTE_MS;
        const startedAt = Math.min(started, u.time.anchor - 2000);
        const failed = rng.chance(0.02);
        const finished = Math.min(startedAt + rng.between(200, 120_000), u.time.anchor - 1);
        yield [
          u.id(S['job_runs.id'], row++),
          job.name,
          'schedule',
          false,
          failed ? 'failed' : 'succeeded',
          iso(startedAt),
          iso(finished),
          failed ? '{}' : JSON.stringify({ rows: rng.int(5000) }),
          failed ? 'canceling statement due to lock timeout' : null,
          iso(startedAt),
          iso(finished),
        ];
      }
    }
  },
});

/** Idempotency keys live a day (ADR 0035): only the writes retried in the 24 hours before the anchor remain. */
const IDEMPOTENT_ROUTES = [
  ['POST', '/v1/auth/register', 202, '{"status":"accepted"}'],
  ['POST', '/v1/me/export', 202, '{"status":"pending"}'],
] as const;

const idempotencyKeys = copyTable({
  name: 'idempotency_keys',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'idempotency_key',
    'request_method',
    'request_route',
    'request_fingerprint',
    'status',
    'response_status',
    'response_headers',
    'response_body',
    'created_at',
    'completed_at',
    'expires_at',
    'updated_at',
  ],
  count: (u) => Math.min(u.scaled(VOLUMES.users / 1000, 1), users(u).count),
  *rows(u): Iterable<Row> {
    const total = Math.min(u.scaled(VOLUMES.users / 1000, 1), users(u).count);
    for (let k = 0; k < total; k++) {
      const id = u.id(S['idempotency_keys.id'], k);
      const [method, route, status, body] = IDEMPOTENT_ROUTES[
        k % IDEMPOTENT_ROUTES.length
      ] as (typeof IDEMPOTENT_ROUTES)[number];
      const created = u.time.anchor - 1000 - Math.floor(u.unit(S['idempotency_keys.id'], k) * (DAY_MS - 60_000));
      const completed = created + 150;
      yield [
        id,
        route === '/v1/auth/register' ? null : userId(u, users(u).count - 1 - k),
        id,
        method,
        route,
        id.replaceAll('-', '').padEnd(64, '0'),
        'completed',
        status,
        JSON.stringify({ 'content-type': 'application/json; charset=utf-8' }),
        body,
        iso(created),
        iso(completed),
        iso(created + DAY_MS),
        iso(completed),
      ];
    }
  },
});

export const adminTables: SeedTable[] = [
  moderationReportsTable,
  moderationActions,
  systemConfigs,
  featureFlags,
  jobRuns,
  idempotencyKeys,
];
