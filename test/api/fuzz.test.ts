// Property-based fuzzing of EVERY route of the API (issue 5 item 12): malformed bodies, path parameters, query
// strings and headers, from anonymous, forged and signed-in callers, must get a 4xx problem (or a success the
// route documents, when the input happens to be valid), never a 5xx; and a refused request must write nothing
// but the writes LEGITIMATE_WRITES_ON_REFUSAL lists (fuzz-database.ts).
//
// The routes come from the app itself: Fastify's router (hidden routes included) joined with /openapi.json, so a
// route added later is fuzzed without touching this file, with requests built from its own schemas.
//
// Reproducing: runs are seeded. VEZA_FUZZ_SEED=<n> (default below) replays a run, VEZA_FUZZ_RUNS=<n> sets the
// runs per documented route (default 15 in `npm test`, where every route is still fuzzed from every kind of caller;
// `npm run fuzz` runs 100 of each; HEAD twins and the reference page get a third), and
// VEZA_FUZZ_ROUTE=<regex> fuzzes only the routes whose `METHOD /path` matches, e.g. '^POST /v1/auth/login$';
// VEZA_FUZZ_TRACE=1 writes each route's name as it starts, to find one that never ends.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import bcrypt from 'bcrypt';
import fc from 'fast-check';
import { AccessTokens } from '../../src/domains/auth/index.ts';
import { startTestProvider, type TestProvider } from '../../src/domains/auth/federation.test-provider.ts';
import { encodeCursor } from '../../src/platform/http/pagination.ts';
import { allFactories } from '../factories/index.ts';
import { TEST_JWT_SECRET, useTestApp } from '../helpers/app.ts';
import { OWN, payloadOf, requestOf, type CallerSpec, type FuzzRequest, type KnownValues } from './fuzz-arbitraries.ts';
import { DatabaseFingerprint, illegitimate, LEGITIMATE_WRITES_ON_REFUSAL, WriteLog } from './fuzz-database.ts';
import { documentedKeys, fuzzRoutes, type FuzzRoute, type OpenApiDocument } from './fuzz-routes.ts';

const DEFAULT_SEED = 20_250_505;
const seed = Number(process.env.VEZA_FUZZ_SEED || DEFAULT_SEED);
// 15 runs a route keep this file, which fuzzes ~500 routes one after the other, within CI's time on two shared
// cores; the deep run is `npm run fuzz`.
const runs = Number(process.env.VEZA_FUZZ_RUNS || 15);
if (!Number.isSafeInteger(seed))
  throw new Error(`VEZA_FUZZ_SEED must be an integer, not ${process.env.VEZA_FUZZ_SEED}`);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('VEZA_FUZZ_RUNS must be a positive integer');
const only = process.env.VEZA_FUZZ_ROUTE ? new RegExp(process.env.VEZA_FUZZ_ROUTE) : undefined;
fc.configureGlobal({ seed, numRuns: runs, includeErrorInReport: true });

/** Routes that /openapi.json leaves out by design: the document itself and the reference page's files. */
const UNDOCUMENTED = [/^(GET|HEAD) \/openapi\.json$/, /^(GET|HEAD) \/docs(\/.*)?$/];

const REDIRECT_URI = 'http://127.0.0.1:5173/auth/oidc/callback';
/** The password of every user the fuzzer makes, so that some requests prove it and go deep. */
const PASSWORD = 'fuzz-Passphrase-of-every-test-user';

let provider: TestProvider | undefined;
const testApp = useTestApp({
  env: async () => {
    // A real OpenID Connect provider on loopback, so that federation routes get past "unknown provider".
    provider = await startTestProvider({ redirectUris: [REDIRECT_URI], accounts: {} });
    return {
      VEZA_OIDC_PROVIDERS: JSON.stringify({
        acme: { issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret },
      }),
      VEZA_OIDC_REDIRECT_URIS: REDIRECT_URI,
      VEZA_ENCRYPTION_KEYS: JSON.stringify({ fuzz1: randomBytes(32).toString('base64') }),
      // The presence sweep (ADR 0059) writes on its own clock; a sweep during a refused request would read as that
      // request's write. Its period and the lease are pushed past the longest run (a loaded machine took 36 min
      // with 15-min leases, and a sweep's offline events were blamed on a request); presence.instances.test.ts
      // tests the sweep.
      VEZA_CHAT_PRESENCE_RENEW_MS: '3600000',
      VEZA_CHAT_PRESENCE_LEASE_MS: '7200000',
    };
  },
});
after(async () => {
  await provider?.close();
});

interface World {
  routes: FuzzRoute[];
  documented: string[];
  known: KnownValues;
  writeLog: WriteLog;
  fingerprint: DatabaseFingerprint;
  passwordHash: string;
}

// Built by the first test (a top-level before() hook may run alongside useTestApp's own).
let world: Promise<World> | undefined;
const prepare = () => (world ??= buildWorld());

/** Requests sent and statuses answered, by route. */
const answered = new Map<string, Map<number, number>>();

async function buildWorld(): Promise<World> {
  const { app, database } = testApp.current;
  const { sql } = database;
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  const writeLog = await WriteLog.install(sql);
  const partial = {
    routes: fuzzRoutes(app.printRoutes({ commonPrefix: false }), doc),
    documented: documentedKeys(doc),
    writeLog,
    fingerprint: await DatabaseFingerprint.of(sql),
    passwordHash: await bcrypt.hash(PASSWORD, 4),
  };

  // A little world for valid-looking requests to reach: users to look at, badges to claim, a live refresh
  // token and a rotated one (presenting it again is a reuse: its session is revoked).
  const visible = await newUser(partial.passwordHash, 'user');
  const hidden = await newUser(partial.passwordHash, 'creator');
  await sql`UPDATE user_profiles SET profile_visibility = 'private' WHERE user_id = ${hidden.id}`;
  const badges = [];
  for (const is_active of [true, true, false]) badges.push(await allFactories.badges!(sql, { is_active }));
  await allFactories.user_roles!(sql, { user_id: visible.id, role: 'producer' });
  // Files of someone else to aim at (a public one, a private one); their bytes are not stored: delivery answers 404.
  const files = [
    await allFactories.files!(sql, { user_id: visible.id, is_public: true }),
    await allFactories.files!(sql, { user_id: visible.id }),
  ];
  // Streaming objects of someone else's (issue 13): a published public track, a private draft, a collaborative
  // public playlist holding the track, a comment on it, so that requests naming them get past "not found".
  const track = await allFactories.tracks!(sql, {
    creator_id: visible.id,
    file_id: files[0]!.id,
    visibility: 'public',
    published_at: new Date(),
    duration: 200,
  });
  const draft = await allFactories.tracks!(sql, {
    creator_id: visible.id,
    file_id: files[1]!.id,
    visibility: 'private',
  });
  const playlist = await allFactories.playlists!(sql, { user_id: visible.id, is_collaborative: true });
  const entry = await allFactories.playlist_tracks!(sql, {
    playlist_id: playlist.id,
    track_id: track.id,
    added_by: visible.id,
    position: 0,
  });
  const comment = await allFactories.track_comments!(sql, {
    track_id: track.id,
    user_id: visible.id,
    timestamp_seconds: 30,
  });
  const streamingIds = [track.id, draft.id, playlist.id, entry.id, comment.id].map(String);
  // Marketplace catalogue (issue 16): a product on sale with a licence, and a draft, of someone else's.
  const product = await allFactories.products!(sql, {
    seller_id: visible.id,
    status: 'active',
    published_at: new Date(),
  });
  const productDraft = await allFactories.products!(sql, { seller_id: visible.id });
  const license = await allFactories.product_licenses!(sql, { product_id: product.id });
  const catalogueIds = [product.id, productDraft.id, license.id].map(String);
  // Marketplace money side (issue 16): someone else's order with its line, and a discount code.
  const order = await allFactories.orders!(sql, { user_id: visible.id });
  const orderItem = await allFactories.order_items!(sql, {
    order_id: order.id,
    product_id: product.id,
    seller_id: visible.id,
  });
  const discountCode = await allFactories.discount_codes!(sql, { creator_id: visible.id });
  catalogueIds.push(...[order.id, orderItem.id, discountCode.id].map(String));
  // Posts of someone else's (issue 15 §3): a public post with a comment, so that requests naming them get past 404.
  const post = await allFactories.posts!(sql, { user_id: visible.id, content: 'Fuzzing #fuzztag' });
  const postComment = await allFactories.post_comments!(sql, { post_id: post.id, user_id: visible.id });
  const postIds = [post.id, postComment.id].map(String);
  // A notification of someone else's (issue 15 §7): its id is 404 to everyone else, never a 500.
  const notification = await allFactories.notifications!(sql, { user_id: visible.id, actor_id: hidden.id });
  // A group of someone else's (issue 15 §5), with a member and a post in it, so that requests naming it get past 404.
  const [group] =
    await sql`INSERT INTO groups (name, slug, creator_id) VALUES ('Fuzz group', 'fuzz-group', ${visible.id})
                            RETURNING id`;
  await sql`INSERT INTO group_members (group_id, user_id, role, status)
            VALUES (${group!.id}, ${visible.id}, 'owner', 'active'), (${group!.id}, ${hidden.id}, 'member', 'active')`;
  await sql`INSERT INTO group_posts (group_id, post_id) VALUES (${group!.id}, ${String(post.id)})`;
  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { identifier: visible.username, password: PASSWORD },
  });
  assert.equal(login.statusCode, 200, login.body);
  const rotated = login.json<{ refresh_token: string }>().refresh_token;
  const refresh = await app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refresh_token: rotated } });
  assert.equal(refresh.statusCode, 200, refresh.body);
  const live = refresh.json<{ refresh_token: string }>().refresh_token;

  const known: KnownValues = {
    username: [visible.username, hidden.username, 'nobody_here'],
    id: [
      visible.id,
      String(badges[0]!.id),
      OWN.session,
      OWN.identity,
      ...files.map((file) => String(file.id)),
      ...streamingIds,
      ...catalogueIds,
      ...postIds,
      String(notification.id),
      String(group!.id),
    ],
    license_id: [String(license.id)],
    comment_id: [String(postComment.id)],
    tag: ['fuzztag', 'FUZZTAG'],
    slug: ['fuzz-group'],
    entry: [String(entry.id), String(track.id)],
    track_id: [String(track.id), String(draft.id)],
    track_ids: [[String(track.id)], [String(track.id), String(draft.id)]],
    current_track_id: [String(track.id)],
    file_id: files.map((file) => String(file.id)),
    parent_comment_id: [String(comment.id)],
    creator_id: [visible.id],
    owner_id: [visible.id],
    user_id: [visible.id, hidden.id],
    badge_id: badges.map((badge) => String(badge.id)),
    role: ['creator', 'producer'],
    provider: ['acme'],
    redirect_uri: [REDIRECT_URI],
    identifier: [visible.email, visible.username],
    email: [visible.email],
    password: [PASSWORD],
    current_password: [PASSWORD],
    new_password: ['An0ther-fuzz-passphrase'],
    refresh_token: [rotated, live],
    token: [rotated],
    timezone: ['Europe/Paris', 'UTC', 'America/Argentina/Buenos_Aires'],
    language: ['en', 'fr'],
    birthdate: ['1990-01-31', '2000-02-29'],
    cursor: [encodeCursor({ createdAt: new Date().toISOString(), id: randomUUID() })],
    limit: [1, 100],
  };
  return { ...partial, known };
}

interface NewUser {
  id: string;
  username: string;
  email: string;
}

/** A user as registration makes one (with profile and settings rows), whose password is PASSWORD. */
async function newUser(passwordHash: string, role: string, overrides: Record<string, unknown> = {}): Promise<NewUser> {
  const { sql } = testApp.current.database;
  const user = await allFactories.users!(sql, { role, password_hash: passwordHash, ...overrides });
  await allFactories.user_profiles!(sql, { user_id: user.id });
  await allFactories.user_settings!(sql, { user_id: user.id });
  return { id: String(user.id), username: String(user.username), email: String(user.email) };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const expiredTokens = new AccessTokens(TEST_JWT_SECRET, -3600);
const foreignTokens = new AccessTokens('another-secret-that-this-api-never-trusted', 900);

interface Credentials {
  authorization: string | undefined;
  /** Real ids of what the caller owns, by the stand-in they replace. */
  owned: Map<string, string>;
}

/** The Authorization header a caller sends, making its user (and what it owns) first when it needs one. */
async function credentialsOf(caller: CallerSpec, passwordHash: string): Promise<Credentials> {
  const tokens = testApp.current.accessTokens;
  const { sql } = testApp.current.database;
  const owned = new Map<string, string>();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, owned });
  const userOf = async (overrides: Record<string, unknown> = {}) =>
    (await newUser(passwordHash, caller.kind === 'token' || caller.kind === 'user' ? caller.role : 'user', overrides))
      .id;
  switch (caller.kind) {
    case 'anonymous':
      return { authorization: undefined, owned };
    case 'raw':
      return { authorization: caller.authorization, owned };
    case 'user': {
      const userId = await userOf(caller.passwordless ? { password_hash: null } : {});
      if (caller.session) {
        const session = await allFactories.refresh_tokens!(sql, { user_id: userId });
        owned.set(OWN.session, String(session.id));
      }
      if (caller.identity) {
        const identity = await allFactories.federated_identities!(sql, { user_id: userId, provider: 'acme' });
        owned.set(OWN.identity, String(identity.id));
      }
      return bearer((await tokens.issue({ userId, tokenVersion: 0, role: caller.role })).token);
    }
    case 'token': {
      const claims = { tokenVersion: 0, role: caller.role };
      switch (caller.variant) {
        case 'expired':
          return bearer((await expiredTokens.issue({ ...claims, userId: await userOf() })).token);
        case 'wrong-secret':
          return bearer((await foreignTokens.issue({ ...claims, userId: await userOf() })).token);
        case 'alg-none': {
          const now = Math.floor(Date.now() / 1000);
          const payload = { sub: await userOf(), tv: 0, role: caller.role, iss: 'veza-core', aud: 'veza-api' };
          return bearer(
            `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...payload, iat: now, exp: now + 900 })}.`,
          );
        }
        case 'unknown-user':
          return bearer((await tokens.issue({ ...claims, userId: randomUUID() })).token);
        case 'stale-version':
          return bearer((await tokens.issue({ ...claims, userId: await userOf(), tokenVersion: 1 })).token);
        case 'banned':
          return bearer((await tokens.issue({ ...claims, userId: await userOf({ is_banned: true }) })).token);
        case 'deleted': {
          const userId = await userOf({ deleted_at: new Date(), is_active: false });
          return bearer((await tokens.issue({ ...claims, userId })).token);
        }
      }
    }
  }
}

/** The text with each stand-in of OWN replaced by the id the caller really owns, if any. */
function withOwnIds(text: string, owned: Map<string, string>): string {
  let replaced = text;
  for (const [standIn, id] of owned) replaced = replaced.replaceAll(standIn, id);
  return replaced;
}

/** Each route its own stream of requests, all derived from the one seed (FNV-1a of the route's key). */
function seedOf(route: FuzzRoute): number {
  let hash = 0x811c9dc5;
  for (const char of route.key) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (seed ^ hash) | 0;
}

const clipped = (text: string, length = 300) => (text.length > length ? `${text.slice(0, length)}…` : text);

/** One fuzzed request: sent, then judged. */
async function attack(route: FuzzRoute, request: FuzzRequest, ready: World): Promise<void> {
  const { app } = testApp.current;
  const { authorization, owned } = await credentialsOf(request.caller, ready.passwordHash);
  const body = payloadOf(request.body, Object.keys(route.body?.properties ?? {}));
  const payload = body.payload === undefined ? undefined : withOwnIds(body.payload, owned);
  const headers: Record<string, string> = { ...request.headers };
  if (authorization !== undefined) headers.authorization = authorization;
  if (body.contentType !== undefined) headers['content-type'] = body.contentType;
  const url = withOwnIds(request.query ? `${request.path}?${request.query}` : request.path, owned);

  const mark = await ready.writeLog.mark();
  const response = await app.inject({
    method: route.method,
    url,
    headers,
    remoteAddress: request.remoteAddress,
    ...(payload !== undefined ? { payload } : {}),
  });
  const status = response.statusCode;
  const seen = answered.get(route.key) ?? new Map<number, number>();
  seen.set(status, (seen.get(status) ?? 0) + 1);
  answered.set(route.key, seen);

  const shownHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, clipped(value, 120)]));
  const described =
    `${route.method} ${clipped(url)} headers=${JSON.stringify(shownHeaders)} ` +
    `body=${clipped(payload ?? '(none)')}\n→ ${status} ${clipped(response.body, 600)}`;

  assert.ok(status < 500, `a server error: ${described}`);
  if (status < 400) {
    if (route.successStatuses) {
      assert.ok(
        route.successStatuses.includes(status),
        `${status} is not a success ${route.key} documents (${route.successStatuses.join(', ')}): ${described}`,
      );
    }
    return;
  }
  if (route.method !== 'HEAD') {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, described);
    const problem = response.json<{ status: unknown; code: unknown; request_id: unknown }>();
    assert.equal(problem.status, status, described);
    assert.equal(typeof problem.code, 'string', described);
    assert.equal(problem.request_id, response.headers['x-request-id'], described);
  }
  const writes = illegitimate(await ready.writeLog.since(mark));
  assert.deepEqual(
    writes.map((write) => `${write.op} ${write.table}`),
    [],
    `a refused request (${status}) wrote to the database: ${described}\n` +
      `writes: ${clipped(JSON.stringify(writes), 2000)}`,
  );
}

test('the routes fuzzed are read from the app, and only the reference page is undocumented', async () => {
  const { routes, documented } = await prepare();
  const keys = new Set(routes.map((route) => route.key));
  assert.ok(routes.filter((route) => route.operation).length >= 40, 'the router tree was not read whole');
  for (const key of documented) assert.ok(keys.has(key), `${key} is documented but not found in the router`);
  for (const route of routes) {
    if (route.operation) continue;
    assert.ok(
      UNDOCUMENTED.some((pattern) => pattern.test(route.key)),
      `${route.key} is served but not documented in /openapi.json`,
    );
  }
});

// A served app always holds its listening socket; app.inject() holds nothing. On a loaded machine a request can be
// waiting only on unreferenced timers (the gateway's and brokers' retries are unref'd so that they never keep a
// process alive) while the pools sit idle, and Node then ends the file as if the test had stalled ("Promise
// resolution is still pending but the event loop has already resolved"). This interval stands for the listening
// socket; a request that truly never ends fails at the test's timeout instead, naming nothing wrongly.
test(
  `every route answers malformed requests with a 4xx and no write (seed ${seed})`,
  { timeout: 40 * 60_000 },
  async (t) => {
    const servedLikeAServer = setInterval(() => undefined, 1_000);
    t.after(() => clearInterval(servedLikeAServer));
    const ready = await prepare();
    const started = Date.now();
    for (const route of ready.routes.filter((candidate) => !only || only.test(candidate.key))) {
      // Routes without a contract of their own (HEAD twins, the reference page) get a third of the runs.
      const numRuns = route.operation && route.method !== 'HEAD' ? runs : Math.max(3, Math.ceil(runs / 3));
      if (process.env.VEZA_FUZZ_TRACE) process.stderr.write(`fuzz: ${route.key}\n`);
      await t.test(route.key, async (routeTest) => {
        const mark = await ready.writeLog.mark();
        const before = await ready.fingerprint.take();
        try {
          await fc.assert(
            fc.asyncProperty(requestOf(route, ready.known), (request) => attack(route, request, ready)),
            { numRuns, seed: seedOf(route) },
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const pattern = route.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const replay = `VEZA_FUZZ_SEED=${seed} VEZA_FUZZ_RUNS=${runs} VEZA_FUZZ_ROUTE='^${pattern}$'`;
          throw new Error(`Fuzzing ${route.key} failed; replay it with ${replay}.\n${message}`, {
            cause: error,
          });
        }
        // The write log missed nothing: every table whose rows changed was written through it.
        const logged = new Set((await ready.writeLog.since(mark)).map((write) => write.table));
        const changed = DatabaseFingerprint.changedTables(before, await ready.fingerprint.take());
        assert.deepEqual(
          changed.filter((table) => !logged.has(table)),
          [],
          'tables changed without a trace in the write log',
        );
        const seen = [...(answered.get(route.key) ?? new Map<number, number>())].sort(([a], [b]) => a - b);
        routeTest.diagnostic(seen.map(([status, count]) => `${status}×${count}`).join(' '));
      });
    }
    const requests = [...answered.values()].flatMap((seen) => [...seen.values()]).reduce((a, b) => a + b, 0);
    t.diagnostic(
      `${ready.routes.length} routes, ${requests} requests, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    t.diagnostic(`writes allowed on a refusal: ${LEGITIMATE_WRITES_ON_REFUSAL.map((rule) => rule.table).join(', ')}`);
  },
);

test('every route was fuzzed', async () => {
  const { routes } = await prepare();
  const missed = routes
    .filter((route) => (!only || only.test(route.key)) && !answered.has(route.key))
    .map((route) => route.key);
  assert.deepEqual(missed, [], 'routes the fuzzer never reached');
});
