// The HTTP side of `npm run bench`: the real service (`veza serve`, a child process) under autocannon load, one
// read endpoint at a time, so the report can set the latency a client sees beside the SQL the route issues.
//
// The service runs as deployed (its own process, pool and logger at the default level, info, writing to a file),
// except that jobs are off,
// migrations are not applied at start (the database is migrated and seeded beforehand), its data directory is a
// temporary one, and every pooled connection is opened with default_transaction_read_only=on: a GET that would
// write (a profile created on first read, say) fails as a 500 counted in the errors instead of changing the
// benchmark database under the SQL benchmark's feet.
//
// Beside each endpoint, pgbench runs that endpoint's own statements with as many clients as the HTTP side has
// connections: a first service, with bench/capture-statements.ts preloaded, answers a few sampled requests one at a
// time and records what reached the driver; each sampled request becomes one pgbench script (its statements, its
// parameters as pgbench variables). The ratio of the two throughputs is what the API layer keeps of the database's.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { AccessTokens } from '../src/domains/auth/index.ts';
import { PLAN_CACHE_MODE } from '../src/platform/db/pool.ts';
import type { Role } from '../src/platform/http/caller.ts';
import { encodeCursor } from '../src/platform/http/pagination.ts';
import { projectRoot } from '../src/platform/project-root.ts';
import { freePort } from '../test/helpers/free-port.ts';
import type { CapturedStatement } from './capture-statements.ts';
import { summarise, type Measurement } from './measurement.ts';
import { runPgbench, withoutComments, type PgbenchScript } from './pgbench.ts';
import { CATALOGUE_SAMPLE, POST_PAGE_SAMPLE, PRODUCT_PAGE_SAMPLE } from './workloads.ts';

export interface HttpResult {
  /** `<domain>.<what>`, stable: reports are keyed by it. */
  name: string;
  /** Method and path template, as docs/api.md and /openapi.json spell it. */
  route: string;
  description: string;
  /** The bench/workloads.ts workload whose SQL the route issues, when one matches. */
  sqlWorkload?: string;
  /** Keep-alive connections of the load generator (and pgbench's clients). */
  connections?: number;
  /** Measured window only; non-2xx answers and transport errors are in `errors`, not in the latencies. */
  measurement: Measurement;
  /** pgbench running the endpoint's statements (one transaction per request); absent when it issues none. */
  pgbench?: Measurement;
  /** The same load held at half the throughput measured, for the latency under a sustainable load. */
  halfRate?: Measurement;
  /** The errors of `measurement` by cause: an HTTP status ("404", "500"), "timeout" or "connection". */
  errorsByCause: Record<string, number>;
}

export interface HttpBenchmarkOptions {
  /** A migrated, seeded database; the service only reads it. */
  databaseUrl: string;
  /** Concurrent keep-alive connections of the load generator; each count is a round over the endpoints. */
  connections: number | readonly number[];
  /** Also run pgbench on each endpoint's statements with the same clients (needs pgbench on the PATH). */
  compareWithPgbench?: boolean;
  /** Also load each endpoint at half the throughput it reached, to report the latency there. */
  halfRate?: boolean;
  /** Measured seconds per endpoint. */
  durationSeconds: number;
  /** Seconds of load per endpoint before the measured window opens; 2 by default. */
  warmupSeconds?: number;
  /**
   * Extra environment of the service (VEZA_DB_POOL_SIZE, say). It cannot change the database, the address or
   * the JWT secret the benchmark relies on, except that a VEZA_JWT_SECRET given here is the one tokens are signed
   * with.
   */
  env?: Record<string, string>;
  /** Endpoint names (HTTP_ENDPOINTS) to run; all by default. */
  endpoints?: readonly string[];
  /** Progress lines; stderr by default. */
  log?: (line: string) => void;
}

/** One drawn row of an endpoint's sample: column name → value as text. */
export type SampleRow = Record<string, string>;

/**
 * A route under load. Each request draws one row of the endpoint's sample (by default, a public profile's
 * `username`) and builds its path, and for a write its body, from it.
 */
export interface HttpEndpoint {
  name: string;
  route: string;
  description: string;
  sqlWorkload?: string;
  /**
   * `anonymous`: no Authorization header; `signed-in`: the access token of any sampled user; `sampled-user`: the
   * token of the user named by the drawn row's `user_id` (the sample also returns `token_version` and `role`).
   */
  caller: 'anonymous' | 'signed-in' | 'sampled-user';
  /** SQL returning the rows to draw from, deterministic (ordered by a hash); absent: public usernames. */
  sample?: string;
  /**
   * SQL run once before the sample is drawn, on a connection that may write, to make data the seed does not
   * (a few 500-entry playlists, say); it must do nothing when that data is already there.
   */
  prepare?: string;
  /** GET by default. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path(row: SampleRow): string;
  /** JSON body of a write. */
  body?(row: SampleRow): unknown;
  /** Headers of each request besides Authorization and Content-Type (an Idempotency-Key, say). */
  headers?(row: SampleRow): Record<string, string>;
  /**
   * A request sent before each measured one, on the same connection, with the same row and caller, and not
   * measured: the cart line a checkout turns into an order.
   */
  before?: { method: 'POST' | 'PUT' | 'PATCH'; path(row: SampleRow): string; body?(row: SampleRow): unknown };
  /**
   * Each row is lent to one connection at a time and given back when its requests have answered (a buyer's cart
   * is one virtual user's): the sample needs at least as many rows as connections.
   */
  exclusiveRows?: boolean;
  /** pgbench does not replay it: its requests cannot be repeated as captured (a checkout empties its cart). */
  noPgbench?: boolean;
  /**
   * The route writes: it runs on a service whose sessions may write (reads run on a read-only one), and the
   * writes of the run stay in the benchmark database, like those of the SQL write workloads.
   */
  writes?: boolean;
}

const user = (username: string) => `/v1/users/${encodeURIComponent(username)}`;

/** The conditions of a user who may sign in (`u`) and of a track anyone may play (`t`). */
const LIVE_USER = `u.deleted_at IS NULL AND u.is_active AND NOT u.is_banned`;
const LISTENABLE_TRACK = `t.visibility = 'public' AND t.published_at IS NOT NULL AND t.deleted_at IS NULL`;
const BENCH_PLAYLIST_NAME = 'Benchmark: 500 entries #';

/**
 * Buyers of the checkout benchmark, each with a licence on sale it may buy (fixed price, not its own, not
 * exclusive, no limit near): 400 live accounts, more than any connection count.
 */
const CHECKOUT_BUYERS = `
  WITH buyers AS (
    SELECT u.id, u.token_version, u.role, row_number() OVER (ORDER BY md5(u.id::text || 'checkout')) AS k
    FROM users u WHERE ${LIVE_USER} ORDER BY md5(u.id::text || 'checkout') LIMIT 400
  ), offers AS (
    SELECT l.id AS license_id, l.product_id, p.seller_id, row_number() OVER (ORDER BY md5(l.id::text)) AS k
    FROM product_licenses l JOIN products p ON p.id = l.product_id
    WHERE p.status = 'active' AND p.deleted_at IS NULL AND p.pricing_model = 'fixed' AND p.price > 0
      AND l.deleted_at IS NULL AND l.withdrawn_at IS NULL AND NOT l.is_exclusive
      AND (l.distribution_limit IS NULL OR l.distribution_limit - l.units_sold - l.units_reserved > 1000)
  )
  SELECT b.id AS user_id, b.token_version, b.role, o.product_id, o.license_id
  FROM buyers b CROSS JOIN (SELECT count(*) AS n FROM offers) AS c JOIN offers o ON o.k = 1 + b.k % c.n
  WHERE o.seller_id <> b.id`;

export const HTTP_ENDPOINTS: readonly HttpEndpoint[] = [
  {
    name: 'platform.healthz',
    route: 'GET /healthz',
    description: 'liveness probe, no database: the floor of the HTTP stack',
    caller: 'anonymous',
    path: () => '/healthz',
  },
  {
    name: 'profiles.public_profile',
    route: 'GET /v1/users/{username}',
    description: 'a public profile (account by username, then its profile)',
    // Its first statement is the account by username; the route's has no `deleted_at IS NULL` (it tests it
    // after reading), so it is the same lookup, not byte for byte the same SQL.
    sqlWorkload: 'auth.user_by_username',
    caller: 'anonymous',
    path: (row) => user(row.username ?? ''),
  },
  {
    name: 'profiles.public_badges',
    route: 'GET /v1/users/{username}/badges',
    description: "a user's displayed badges",
    caller: 'anonymous',
    path: (row) => `${user(row.username ?? '')}/badges`,
  },
  {
    name: 'profiles.public_roles',
    route: 'GET /v1/users/{username}/roles',
    description: "a user's declared professional roles",
    caller: 'anonymous',
    path: (row) => `${user(row.username ?? '')}/roles`,
  },
  {
    name: 'profiles.badge_catalogue',
    route: 'GET /v1/badges',
    description: 'the first page of the badge catalogue',
    caller: 'anonymous',
    path: () => '/v1/badges',
  },
  {
    name: 'profiles.account',
    route: 'GET /v1/me',
    description: 'your account (token check against the account, then the account)',
    caller: 'signed-in',
    path: () => '/v1/me',
  },
  {
    name: 'profiles.own_profile',
    route: 'GET /v1/me/profile',
    description: 'your profile, private fields included',
    caller: 'signed-in',
    path: () => '/v1/me/profile',
  },
  {
    name: 'profiles.own_settings',
    route: 'GET /v1/me/settings',
    description: 'your settings',
    caller: 'signed-in',
    path: () => '/v1/me/settings',
  },
  {
    name: 'auth.sessions',
    route: 'GET /v1/auth/sessions',
    description: 'your active sessions, first page',
    caller: 'signed-in',
    path: () => '/v1/auth/sessions',
  },
  ...streamingEndpoints(),
  ...chatEndpoints(),
  ...socialEndpoints(),
  ...notificationsEndpoints(),
  ...marketplaceEndpoints(),
];

/**
 * Issue 15's read path over HTTP: the home feed of someone following 5,000 accounts (the readers are made by the
 * SQL workload's setup, so this endpoint runs after it, on the same database).
 */
function socialEndpoints(): HttpEndpoint[] {
  return [
    {
      name: 'social.home_feed_5000',
      route: 'GET /v1/me/feed',
      description: 'the home feed of someone following 5,000 accounts (or everyone): a page of 20, newest first',
      sqlWorkload: 'social.home_feed_5000',
      caller: 'sampled-user',
      sample: `SELECT u.id AS user_id, u.token_version, u.role
               FROM users u
               JOIN (SELECT follower_id FROM follows GROUP BY follower_id HAVING count(*) >= 4000) f
                 ON f.follower_id = u.id
               WHERE ${LIVE_USER}
               ORDER BY md5(u.id::text) LIMIT 16`,
      path: () => '/v1/me/feed?limit=20',
    },
    {
      name: 'social.post_page',
      route: 'GET /v1/posts/{id}',
      description: 'a post page as a signed-in viewer: the post, its author and counts, its first 10 comments',
      sqlWorkload: 'social.post_page',
      caller: 'sampled-user',
      sample: `SELECT s.viewer_id AS user_id, u.token_version, u.role, s.post_id
               FROM (${POST_PAGE_SAMPLE}) AS s JOIN users u ON u.id = s.viewer_id`,
      path: (row) => `/v1/posts/${row.post_id}?comments=10`,
    },
  ];
}

/** Issue 15 §7 over HTTP: the unread badge and the first page of the list, for users who have notifications. */
function notificationsEndpoints(): HttpEndpoint[] {
  const sample = `SELECT u.id AS user_id, u.token_version, u.role
                  FROM (SELECT user_id FROM notifications GROUP BY user_id) n JOIN users u ON u.id = n.user_id
                  WHERE ${LIVE_USER} ORDER BY md5(u.id::text) LIMIT 5000`;
  return [
    {
      name: 'notifications.unread_count',
      route: 'GET /v1/me/notifications/unread-count',
      description: 'the unread notifications badge',
      sqlWorkload: 'notifications.unread_count',
      caller: 'sampled-user',
      sample,
      path: () => '/v1/me/notifications/unread-count',
    },
    {
      name: 'notifications.list',
      route: 'GET /v1/me/notifications',
      description: 'the latest page of 20 notifications',
      sqlWorkload: 'notifications.list',
      caller: 'sampled-user',
      sample,
      path: () => '/v1/me/notifications?limit=20',
    },
  ];
}

/** Issue 16 over HTTP: the filtered catalogue, a product page and a checkout. */
function marketplaceEndpoints(): HttpEndpoint[] {
  return [
    {
      name: 'marketplace.catalogue_filtered',
      route: 'GET /v1/products?category=&genre=&min_price=…',
      description: 'beats of a genre in a price and bpm range, the page of 20 after a product (keyset cursor)',
      sqlWorkload: 'marketplace.catalogue_filtered',
      caller: 'anonymous',
      sample: CATALOGUE_SAMPLE,
      path: (row) => {
        const query = new URLSearchParams({
          category: 'beat',
          genre: row.genre ?? '',
          currency: row.currency ?? '',
          min_price: row.min_price ?? '',
          max_price: row.max_price ?? '',
          bpm_min: row.bpm_min ?? '',
          bpm_max: row.bpm_max ?? '',
          cursor: encodeCursor({ createdAt: row.after_published_at ?? '', id: row.after_id ?? '' }),
          limit: '20',
        });
        return `/v1/products?${query.toString()}`;
      },
    },
    {
      name: 'marketplace.product_page',
      route: 'GET /v1/products/{id}',
      description: 'a product page: the product, its licences, whether you saved it; counts a view (writes)',
      sqlWorkload: 'marketplace.product_page',
      caller: 'sampled-user',
      // the view counter is an UPDATE: a read-only session would refuse it
      writes: true,
      sample: `SELECT s.viewer_id AS user_id, u.token_version, u.role, s.product_id
               FROM (${PRODUCT_PAGE_SAMPLE}) AS s JOIN users u ON u.id = s.viewer_id WHERE ${LIVE_USER}`,
      path: (row) => `/v1/products/${row.product_id}`,
    },
    {
      name: 'marketplace.checkout',
      route: 'POST /v1/me/checkout',
      description:
        'a buyer turns a one-line cart into a pending order (re-pricing, licence reservation, tax, manual payment);' +
        ' each connection is a buyer who first puts the line in its cart (not measured)',
      caller: 'sampled-user',
      method: 'POST',
      writes: true,
      exclusiveRows: true,
      noPgbench: true,
      // Earlier runs' leftovers out of the buyers' carts: the checkout takes the whole cart.
      prepare: `DELETE FROM cart_items WHERE cart_id IN (
                  SELECT c.id FROM carts c WHERE c.user_id IN (SELECT user_id FROM (${CHECKOUT_BUYERS}) AS b))`,
      sample: CHECKOUT_BUYERS,
      before: {
        method: 'POST',
        path: () => '/v1/me/cart/items',
        body: (row) => ({ product_id: row.product_id, license_id: row.license_id }),
      },
      path: () => '/v1/me/checkout',
      body: () => ({ billing_email: 'buyer@example.test', payment_method: 'manual' }),
      headers: () => ({ 'idempotency-key': randomUUID() }),
    },
  ];
}

/** Issue 14's read path over HTTP: a member opens a room on its latest page of messages. */
function chatEndpoints(): HttpEndpoint[] {
  return [
    {
      name: 'chat.room_history',
      route: 'GET /v1/rooms/{id}/messages',
      description: "a member reads a room's latest 50 messages (with reactions, reply previews and senders)",
      sqlWorkload: 'chat.room_latest_messages',
      caller: 'sampled-user',
      sample: `SELECT u.id AS user_id, u.token_version, u.role, m.room_id
               FROM room_members m JOIN users u ON u.id = m.user_id JOIN rooms r ON r.id = m.room_id
               WHERE ${LIVE_USER} AND NOT m.is_banned AND r.deleted_at IS NULL
               ORDER BY md5(m.id::text) LIMIT 5000`,
      path: (row) => `/v1/rooms/${row.room_id}/messages?limit=50`,
    },
  ];
}

/** Issue 13's hot paths: a track page, a creator's tracks, trending, a 500-entry playlist page, queue and plays. */
function streamingEndpoints(): HttpEndpoint[] {
  let volume = 0;
  return [
    {
      name: 'streaming.track_page',
      route: 'GET /v1/tracks/{id}',
      description: 'a track page (track, creator, counts, first comments)',
      sqlWorkload: 'streaming.track_page',
      caller: 'anonymous',
      sample: `SELECT t.id FROM tracks t WHERE ${LISTENABLE_TRACK} ORDER BY md5(t.id::text) LIMIT 5000`,
      path: (row) => `/v1/tracks/${row.id}`,
    },
    {
      name: 'streaming.creator_tracks',
      route: 'GET /v1/tracks?creator_id=',
      description: "a creator's newest public tracks",
      sqlWorkload: 'streaming.tracks_by_creator',
      caller: 'anonymous',
      sample: `SELECT t.creator_id FROM tracks t WHERE ${LISTENABLE_TRACK}
               GROUP BY t.creator_id ORDER BY md5(t.creator_id::text) LIMIT 5000`,
      path: (row) => `/v1/tracks?creator_id=${row.creator_id}`,
    },
    {
      name: 'streaming.trending',
      route: 'GET /v1/tracks/trending',
      description: 'the first page of trending tracks (materialized view)',
      caller: 'anonymous',
      sample: `SELECT 1 AS one`,
      path: () => '/v1/tracks/trending',
    },
    {
      name: 'streaming.playlist_page_500',
      route: 'GET /v1/playlists/{id}/tracks?limit=500',
      description: 'a page of 500 entries of a public playlist, with their track cards and who added them',
      caller: 'anonymous',
      prepare: `
        WITH owner AS (
          SELECT u.id FROM users u WHERE ${LIVE_USER} ORDER BY md5(u.id::text) LIMIT 1
        ), made AS (
          INSERT INTO playlists (user_id, name, visibility)
          SELECT owner.id, '${BENCH_PLAYLIST_NAME}' || n, 'public' FROM owner, generate_series(1, 20) AS n
          WHERE NOT EXISTS (SELECT FROM playlists WHERE name LIKE '${BENCH_PLAYLIST_NAME}%')
          RETURNING id, user_id, name
        )
        INSERT INTO playlist_tracks (playlist_id, track_id, position, added_by)
        SELECT made.id, picked.id, picked.k - 1, made.user_id
        FROM made CROSS JOIN LATERAL (
          SELECT t.id, row_number() OVER (ORDER BY md5(t.id::text || made.name)) AS k
          FROM tracks t WHERE ${LISTENABLE_TRACK} ORDER BY md5(t.id::text || made.name) LIMIT 500
        ) AS picked`,
      sample: `SELECT id FROM playlists WHERE name LIKE '${BENCH_PLAYLIST_NAME}%' ORDER BY name`,
      path: (row) => `/v1/playlists/${row.id}/tracks?limit=500`,
    },
    {
      name: 'streaming.queue_update',
      route: 'PATCH /v1/me/queue',
      description: 'a player sets the volume of its queue (no If-Match: last write wins)',
      caller: 'sampled-user',
      method: 'PATCH',
      writes: true,
      sample: `SELECT u.id AS user_id, u.token_version, u.role FROM queues q JOIN users u ON u.id = q.user_id
               WHERE ${LIVE_USER} ORDER BY md5(q.id::text) LIMIT 1000`,
      path: () => '/v1/me/queue',
      // A new value each time: the same volume twice is a no-op that writes nothing.
      body: () => ({ volume: 10 + (volume++ % 90) }),
    },
    {
      name: 'streaming.report_play',
      route: 'POST /v1/tracks/{id}/plays',
      description: 'a player reports 45 s heard (counted once per listener, track and window: ADR 0045)',
      caller: 'sampled-user',
      method: 'POST',
      writes: true,
      sample: `SELECT u.id AS user_id, u.token_version, u.role, t.id AS track_id
               FROM (SELECT u.id, u.token_version, u.role, row_number() OVER (ORDER BY md5(u.id::text)) AS k
                     FROM users u WHERE ${LIVE_USER} LIMIT 1000) AS u
               JOIN (SELECT t.id, row_number() OVER (ORDER BY md5(t.id::text)) AS k
                     FROM tracks t WHERE ${LISTENABLE_TRACK} AND t.duration >= 60) AS t ON t.k % 1000 = u.k % 1000
               ORDER BY md5(u.id::text || t.id::text) LIMIT 20000`,
      path: (row) => `/v1/tracks/${row.track_id}/plays`,
      body: () => ({ played_duration: 45, source: 'direct', device_type: 'web' }),
    },
  ];
}

// Deterministic samples, like bench/workloads.ts: ordered by a hash of the id, not random().
// Only accounts anyone may see (live, not banned, profile not private) so a 404 is a bug, not the sample's doing;
// only accounts with a profile and settings row, which the routes would otherwise create on first read.
const PUBLIC_USERNAMES = `
  SELECT u.username
  FROM users u JOIN user_profiles p ON p.user_id = u.id
  WHERE u.deleted_at IS NULL AND u.is_active AND NOT u.is_banned AND p.profile_visibility <> 'private'
  ORDER BY md5(u.id::text) LIMIT 5000`;
const SIGNED_IN_USERS = `
  SELECT u.id, u.token_version, u.role
  FROM users u
  WHERE u.deleted_at IS NULL AND u.is_active AND NOT u.is_banned
    AND EXISTS (SELECT FROM user_profiles p WHERE p.user_id = u.id)
    AND EXISTS (SELECT FROM user_settings s WHERE s.user_id = u.id)
  ORDER BY md5(u.id::text) LIMIT 1000`;

/** Longer than any run: the service checks the token's own expiry, not its configured lifetime. */
const TOKEN_TTL_SECONDS = 6 * 3600;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** How much of the service's output is kept to explain a failure. */
const OUTPUT_TAIL_CHARACTERS = 16_000;

interface Samples {
  /** The rows each endpoint draws from, by endpoint name. */
  rows: Map<string, SampleRow[]>;
  /** `Bearer <token>` of each sampled user, carrying their current token_version. */
  authorizations: string[];
  /** `Bearer <token>` of the users named by `sampled-user` endpoints' rows, by user id. */
  authorizationOf: Map<string, string>;
}

async function drawSamples(databaseUrl: string, jwtSecret: string, endpoints: readonly HttpEndpoint[]) {
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'veza-bench-http', default_transaction_read_only: true },
  });
  try {
    const tokens = new AccessTokens(jwtSecret, TOKEN_TTL_SECONDS);
    const bearer = async (row: { id: string; token_version: number | string; role: string }) =>
      `Bearer ${(await tokens.issue({ userId: row.id, tokenVersion: Number(row.token_version), role: row.role as Role })).token}`;
    const usernames = (await sql.unsafe<{ username: string }[]>(PUBLIC_USERNAMES)).map((row) => ({
      username: row.username,
    }));
    const users = await sql.unsafe<{ id: string; token_version: number; role: Role }[]>(SIGNED_IN_USERS);
    if (usernames.length === 0 || users.length === 0) {
      throw new Error('the database has no live user with a visible profile and settings: seed it first');
    }
    const samples: Samples = {
      rows: new Map(),
      authorizations: await Promise.all(users.map(bearer)),
      authorizationOf: new Map(),
    };
    for (const endpoint of endpoints) {
      if (endpoint.prepare) await prepare(databaseUrl, endpoint.prepare);
      if (!endpoint.sample) {
        samples.rows.set(endpoint.name, usernames);
        continue;
      }
      const rows = (await sql.unsafe<Record<string, unknown>[]>(endpoint.sample)).map((row) =>
        Object.fromEntries(Object.entries(row).map(([name, value]) => [name, String(value)])),
      );
      if (rows.length === 0) throw new Error(`${endpoint.name}: its sample is empty: seed the database first`);
      samples.rows.set(endpoint.name, rows);
      if (endpoint.caller !== 'sampled-user') continue;
      for (const row of rows) {
        const id = row.user_id;
        if (!id || !row.token_version || !row.role)
          throw new Error(`${endpoint.name}: a sampled-user sample returns user_id, token_version and role`);
        if (!samples.authorizationOf.has(id))
          samples.authorizationOf.set(id, await bearer({ id, token_version: row.token_version, role: row.role }));
      }
    }
    return samples;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Runs an endpoint's `prepare` SQL on a connection of its own, which may write. */
async function prepare(databaseUrl: string, statement: string): Promise<void> {
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'veza-bench-http-prepare' },
  });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The request an endpoint sends for one drawn row, as the caller whose token is given. */
function requestFor(endpoint: HttpEndpoint, row: SampleRow, authorization: string) {
  const headers: Record<string, string> = { ...endpoint.headers?.(row) };
  if (endpoint.caller !== 'anonymous') headers.authorization = authorization;
  const body = endpoint.body ? JSON.stringify(endpoint.body(row)) : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method: endpoint.method ?? 'GET', path: endpoint.path(row), headers, body };
}

/** The requests of one round of an endpoint on a connection: its `before` request, if any, then the measured one. */
function roundFor(endpoint: HttpEndpoint, row: SampleRow, authorization: string) {
  const measured = requestFor(endpoint, row, authorization);
  if (!endpoint.before) return [measured];
  const { before } = endpoint;
  const first = requestFor(
    {
      ...endpoint,
      method: before.method,
      path: (drawn) => before.path(drawn),
      ...(before.body ? { body: (drawn: SampleRow) => before.body?.(drawn) } : { body: undefined }),
      headers: undefined,
    },
    row,
    authorization,
  );
  return [first, measured];
}

function authorizationFor(endpoint: HttpEndpoint, samples: Samples, row: SampleRow, pick: () => string): string {
  if (endpoint.caller !== 'sampled-user') return pick();
  const authorization = samples.authorizationOf.get(row.user_id ?? '');
  if (!authorization) throw new Error(`${endpoint.name}: no token for the sampled user ${row.user_id}`);
  return authorization;
}

export interface RunningService {
  baseUrl: string;
  /** The `veza serve` process (bench/chat-fanout.ts signals it to read its memory). */
  pid: number;
  /** Its whole output (deleted by stop). */
  logFile: string;
  output(): Promise<string>;
  stop(): Promise<void>;
}

/** The URL with every session read-only (postgres.js sends unknown URL parameters as startup parameters). */
function readOnly(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('default_transaction_read_only', 'on');
  return url.toString();
}

export interface ServiceOptions {
  /** Where bench/capture-statements.ts appends what the service sends; absent: nothing is captured. */
  captureFile?: string;
  /** Sessions may write (the write endpoints); read-only otherwise. */
  writable?: boolean;
}

/**
 * Starts `veza serve` on `databaseUrl` with the benchmark's environment plus `env` (NODE_OPTIONS included) and waits
 * for /readyz; read-only sessions unless `writable`.
 */
export async function startService(
  databaseUrl: string,
  jwtSecret: string,
  env: Record<string, string>,
  serviceOptions: ServiceOptions = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-bench-http-'));
  const port = await freePort();
  // The service's configuration is what this file says, not whatever VEZA_* the shell running the bench has.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('VEZA_') && name !== 'DATABASE_URL' && name !== 'NODE_OPTIONS',
    ),
  );
  const childEnv: Record<string, string | undefined> = {
    ...inherited,
    NODE_ENV: 'development',
    VEZA_JOBS_ENABLED: 'false',
    VEZA_MIGRATE_ON_START: 'false',
    VEZA_DATA_DIR: dataDir,
    // One load generator on one address, a few hundred accounts: the per-client limits (ADR 0034) would answer
    // 429 within a second. Their cost per request is measured by passing VEZA_RATE_LIMIT_PER_MINUTE in env.
    VEZA_RATE_LIMIT_PER_MINUTE: '0',
    ...env,
    DATABASE_URL: serviceOptions.writable ? databaseUrl : readOnly(databaseUrl),
    VEZA_HTTP_HOST: '127.0.0.1',
    VEZA_HTTP_PORT: String(port),
    VEZA_JWT_SECRET: jwtSecret,
    ...(serviceOptions.captureFile
      ? {
          NODE_OPTIONS: `--import=${join(projectRoot, 'bench', 'capture-statements.ts')}`,
          VEZA_BENCH_CAPTURE: serviceOptions.captureFile,
        }
      : {}),
  };
  if (childEnv.NODE_ENV === 'production') throw new Error('the HTTP benchmark does not run with NODE_ENV=production');

  // A file, as in production (journald, a log shipper): reading a pipe would cost this process, the load
  // generator's, CPU for every request line.
  const outputFile = join(dataDir, 'service.log');
  const outputHandle = await open(outputFile, 'w');
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: childEnv,
    stdio: ['ignore', outputHandle.fd, outputHandle.fd],
  });
  await outputHandle.close();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';

  const service: RunningService = {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    logFile: outputFile,
    async output() {
      const text = await readFile(outputFile, 'utf8').catch(() => output);
      return text.slice(-OUTPUT_TAIL_CHARACTERS);
    },
    async stop() {
      await stopChild(child, exited);
      output = await service.output();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilReady(service.baseUrl, child);
  } catch (error) {
    await service.stop();
    throw new Error(`veza serve did not become ready: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return service;
}

async function waitUntilReady(baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('it exited');
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      const body = await response.text();
      if (response.status === 200) return;
      last = `${response.status} ${body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`still not ready after ${READY_TIMEOUT_MS / 1000} s (last /readyz: ${last})`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
  });
  const stuck = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (stuck) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Mulberry32: a seeded uniform generator, so two runs draw the same sequence of parameters. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LoadOptions {
  baseUrl: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Requests per second over all connections; absent: as fast as the service answers. */
  rate?: number;
}

/**
 * Loads one endpoint for warm-up + duration seconds on the same keep-alive connections, and keeps what completed
 * inside the measured window. Latencies are autocannon's per-response times (from writing the request to the
 * end of the response, hrtime), recorded here one by one for exact percentiles: autocannon's own summary has
 * p90 and p97.5 but no p95, and its histogram rounds to whole milliseconds.
 */
async function loadEndpoint(endpoint: HttpEndpoint, samples: Samples, options: LoadOptions) {
  const random = seededRandom(0x5eed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
  const rows = samples.rows.get(endpoint.name) ?? [];
  const steps = endpoint.before ? 2 : 1;
  // exclusiveRows: the rows no connection holds, lent at a round's first request, given back at its last answer.
  const free = [...rows];
  if (endpoint.exclusiveRows && rows.length < options.connections) {
    throw new Error(`${endpoint.name}: ${rows.length} rows cannot be lent to ${options.connections} connections`);
  }
  const draw = () => {
    if (!endpoint.exclusiveRows) return pick(rows);
    const row = free.shift();
    if (!row) throw new Error(`${endpoint.name}: every row is lent`);
    return row;
  };
  /** The round's row and requests, built at its first request (autocannon gives each round a fresh context). */
  type Round = { row: SampleRow; requests: ReturnType<typeof roundFor> };
  const roundOf = (context: Record<string, unknown>): Round => {
    if (!context.round) {
      const row = draw();
      const authorization = authorizationFor(endpoint, samples, row, () => pick(samples.authorizations));
      context.round = { row, requests: roundFor(endpoint, row, authorization) } satisfies Round;
    }
    return context.round as Round;
  };
  // Answers per autocannon client: with a `before` request, only each round's last answer is measured.
  const answered = new WeakMap<object, number>();
  const latencies: number[] = [];
  const errorsByCause: Record<string, number> = {};
  const countError = (cause: string) => {
    errorsByCause[cause] = (errorsByCause[cause] ?? 0) + 1;
  };
  const windowStart = performance.now() + options.warmupSeconds * 1000;
  const windowEnd = windowStart + options.durationSeconds * 1000;
  const inWindow = () => {
    const now = performance.now();
    return now >= windowStart && now <= windowEnd;
  };

  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        // autocannon stops at its first sampling tick after this, so the measured window is always covered.
        duration: options.warmupSeconds + options.durationSeconds,
        // the rate counts every request, the `before` ones too
        ...(options.rate ? { overallRate: options.rate * steps } : {}),
        requests: Array.from({ length: steps }, (_, step) => ({
          setupRequest: (request: autocannon.Request, context: object) => {
            const { method, path, headers, body } = roundOf(context as Record<string, unknown>).requests[
              step
            ] as ReturnType<typeof requestFor>;
            return {
              ...request,
              method,
              path,
              headers: { ...request.headers, ...headers },
              ...(body !== undefined ? { body } : {}),
            };
          },
          ...(step === steps - 1 && endpoint.exclusiveRows
            ? {
                onResponse: (_status: number, _body: string, context: object) => {
                  free.push(roundOf(context as Record<string, unknown>).row);
                },
              }
            : {}),
        })),
      },
      (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error })) : resolve(),
    );
    instance.on('response', (client, statusCode, _bytes, responseTime) => {
      const count = (answered.get(client) ?? 0) + 1;
      answered.set(client, count);
      if (count % steps !== 0) return;
      if (!inWindow()) return;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else countError(String(statusCode));
    });
    instance.on('reqError', (error: unknown) => {
      if (!inWindow()) return;
      countError(error instanceof Error && /timed out/.test(error.message) ? 'timeout' : 'connection');
    });
  });

  const errors = Object.values(errorsByCause).reduce((sum, count) => sum + count, 0);
  return { measurement: summarise(Float64Array.from(latencies), options.durationSeconds, errors), errorsByCause };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');

/** Sampled requests per endpoint replayed by pgbench, one script each (pgbench takes at most 128 scripts). */
const PGBENCH_SCRIPTS = 32;

/**
 * pgbench takes every `:name` for a variable, even inside a string literal (the `HH24:MI:SS` of a keyset cursor's
 * `to_char` format): such a literal is spelt with chr(58) for its colons, a constant expression the planner folds.
 */
export function withoutColonNames(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, (literal) =>
    /(?<!:):[A-Za-z_]/.test(literal) ? `(${literal.split(':').join("' || chr(58) || '")})` : literal,
  );
}

/** Whether every transaction the statements open is closed by them (BEGIN … COMMIT/ROLLBACK). */
export function transactionsClosed(statements: readonly CapturedStatement[]): boolean {
  let open = 0;
  for (const { text } of statements) {
    if (/^\s*(begin|start\s+transaction)\b/i.test(text)) open += 1;
    else if (/^\s*(commit|rollback|end|abort)\b/i.test(text)) {
      if (open === 0) return false;
      open -= 1;
    }
  }
  return open === 0;
}

/** The pgbench script of one captured request: its statements, each parameter a variable of its own. */
export function scriptOf(statements: readonly CapturedStatement[], prefix: string): PgbenchScript {
  const defines: Record<string, string> = {};
  const lines = statements.map((statement, index) => {
    // Comments go first (joined, a `--` would swallow the rest of the statement), then lines are joined (our
    // statements have no line break inside a literal) and literals' `:name`s spelt without a colon.
    const text = withoutColonNames(withoutComments(statement.text).replace(/\s*\n\s*/g, ' ')).replace(
      /\$(\d+)/g,
      (_, position: string) => {
        const value = statement.values[Number(position) - 1];
        if (value === null || value === undefined) return 'NULL';
        const name = `${prefix}s${index}p${position}`;
        defines[name] = value;
        return `:${name}`;
      },
    );
    return `${text};`;
  });
  return { text: `${lines.join('\n')}\n`, defines };
}

/**
 * What each endpoint sends to the database, from a service started with the capture preload: PGBENCH_SCRIPTS
 * sampled requests per endpoint, one at a time, each becoming a pgbench script. Endpoints that send nothing get
 * none. Throws when a sampled request fails: its statements would not be the route's.
 */
async function captureScripts(
  databaseUrl: string,
  jwtSecret: string,
  env: Record<string, string>,
  endpoints: readonly HttpEndpoint[],
  samples: Samples,
): Promise<Map<string, PgbenchScript[]>> {
  const directory = await mkdtemp(join(tmpdir(), 'veza-bench-capture-'));
  const captureFile = join(directory, 'statements.jsonl');
  // One process: with cluster workers, statements of two requests could not be told apart anyway (one at a time).
  const writable = endpoints.some((endpoint) => endpoint.writes === true);
  const service = await startService(databaseUrl, jwtSecret, { ...env, VEZA_WORKERS: '1' }, { captureFile, writable });
  const scripts = new Map<string, PgbenchScript[]>();
  try {
    for (const [endpointIndex, endpoint] of endpoints.entries()) {
      const captured: PgbenchScript[] = [];
      scripts.set(endpoint.name, captured);
      if (endpoint.noPgbench) continue;
      const rows = samples.rows.get(endpoint.name) ?? [];
      for (let index = 0; index < PGBENCH_SCRIPTS; index += 1) {
        const offset = (await stat(captureFile).catch(() => ({ size: 0 }))).size;
        const row = rows[index % rows.length] as SampleRow;
        const anyAuthorization = samples.authorizations[index % samples.authorizations.length] as string;
        const authorization = authorizationFor(endpoint, samples, row, () => anyAuthorization);
        const { method, path, headers, body } = requestFor(endpoint, row, authorization);
        const response = await fetch(`${service.baseUrl}${path}`, { method, headers, ...(body ? { body } : {}) });
        await response.arrayBuffer();
        if (response.status < 200 || response.status >= 300) {
          throw new Error(`${endpoint.name}: a sampled request answered ${response.status}`);
        }
        const added = (await readFile(captureFile).catch(() => Buffer.alloc(0))).subarray(offset).toString('utf8');
        const statements = added
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as CapturedStatement);
        if (statements.length === 0) break;
        // The service's own timers (the presence sweep of chat, say) also query while a request runs: a
        // transaction of theirs cut by the request's end would leave pgbench's script inside it. Such a sample is
        // left out.
        if (!transactionsClosed(statements)) continue;
        captured.push(scriptOf(statements, `e${endpointIndex}r${index}`));
      }
    }
  } finally {
    await service.stop();
    await rm(directory, { recursive: true, force: true });
  }
  return scripts;
}

/**
 * Starts `veza serve` on `databaseUrl` (read-only), loads each read endpoint in turn with autocannon from this
 * process, once per connection count, and stops the service; with compareWithPgbench, pgbench runs each endpoint's
 * statements right after it. Throws when the service does not start or the database has no user to draw.
 */
export async function benchmarkHttp(options: HttpBenchmarkOptions): Promise<HttpResult[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const warmupSeconds = options.warmupSeconds ?? 2;
  const endpoints = options.endpoints
    ? options.endpoints.map((name) => {
        const endpoint = HTTP_ENDPOINTS.find((candidate) => candidate.name === name);
        if (!endpoint) throw new Error(`no HTTP endpoint named ${name}`);
        return endpoint;
      })
    : HTTP_ENDPOINTS;
  const connectionCounts = typeof options.connections === 'number' ? [options.connections] : options.connections;
  const env = options.env ?? {};
  const jwtSecret = env.VEZA_JWT_SECRET ?? randomBytes(48).toString('base64url');

  const samples = await drawSamples(options.databaseUrl, jwtSecret, endpoints);
  log(`http: ${samples.rows.size} endpoint samples, ${samples.authorizations.length} signed-in users drawn`);
  const scripts = options.compareWithPgbench
    ? await captureScripts(options.databaseUrl, jwtSecret, env, endpoints, samples)
    : new Map<string, PgbenchScript[]>();
  // Reads run on a read-only service, so that a GET that would write fails instead of changing the data; writes
  // on a second one whose sessions may write.
  const readService = await startService(options.databaseUrl, jwtSecret, env);
  let writeService: RunningService | undefined;
  const results: HttpResult[] = [];
  const describe = (measurement: Measurement) =>
    `${Math.round(measurement.throughput)} req/s, p50 ${ms(measurement.latency.p50)} ` +
    `p95 ${ms(measurement.latency.p95)} p99 ${ms(measurement.latency.p99)} ms`;
  try {
    for (const connections of connectionCounts) {
      for (const endpoint of endpoints) {
        let service = readService;
        if (endpoint.writes)
          service = writeService ??= await startService(options.databaseUrl, jwtSecret, env, { writable: true });
        const load = { baseUrl: service.baseUrl, connections, warmupSeconds, durationSeconds: options.durationSeconds };
        const { measurement, errorsByCause } = await loadEndpoint(endpoint, samples, load);
        const errors = measurement.errors > 0 ? `, ${measurement.errors} errors ${JSON.stringify(errorsByCause)}` : '';
        log(`http ${endpoint.name} @${connections}: ${describe(measurement)}${errors}`);
        const result: HttpResult = {
          name: endpoint.name,
          route: endpoint.route,
          description: endpoint.description,
          ...(endpoint.sqlWorkload ? { sqlWorkload: endpoint.sqlWorkload } : {}),
          connections,
          measurement,
          errorsByCause,
        };
        if (options.halfRate && measurement.throughput > 0) {
          const rate = Math.max(1, Math.floor(measurement.throughput / 2));
          result.halfRate = (await loadEndpoint(endpoint, samples, { ...load, rate })).measurement;
          log(`http ${endpoint.name} @${connections}, held at ${rate} req/s: ${describe(result.halfRate)}`);
        }
        const endpointScripts = scripts.get(endpoint.name) ?? [];
        if (endpointScripts.length > 0) {
          result.pgbench = await runPgbench(endpointScripts, {
            url: options.databaseUrl,
            clients: connections,
            threads: 2,
            durationSeconds: options.durationSeconds,
            warmupSeconds,
            // The sessions of the service's pool (src/platform/db/pool.ts).
            sessionOptions: `-c plan_cache_mode=${PLAN_CACHE_MODE} -c TimeZone=UTC`,
          });
          const ratio = measurement.throughput / result.pgbench.throughput;
          log(`pgbench ${endpoint.name} @${connections}: ${describe(result.pgbench)}; ratio ${ratio.toFixed(2)}`);
        }
        results.push(result);
      }
    }
  } finally {
    await readService.stop();
    await writeService?.stop();
  }
  if (results.some((result) => result.measurement.errors > 0)) {
    for (const service of [readService, writeService])
      if (service) log(`http: some requests failed; the service said:\n${(await service.output()) || '(nothing)'}`);
  }
  return results;
}
