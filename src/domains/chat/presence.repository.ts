// Where presence and typing live (issue 14 §5, spec §8.7 "Redis preferred, DB fallback", ADR 0059): one store
// interface, two adapters. The table adapter uses user_presence and typing_indicators; the Redis adapter, chosen
// when VEZA_REDIS_URL is set, keeps the same facts under keys that expire on their own. Either way, typing expires
// at the time the service computes with its clock, so a test can move time instead of sleeping; and the
// membership facts the rules need (who shares a room, who is in a room) come from the chat tables here.
//
// Several instances (ADR 0059): every instance renews, each renewal period, its users' last_seen_at; a presence
// whose last_seen_at is a lease old reads as offline (the service's rule) and the sweep writes it so, once. Redis
// also keeps a lease per user and instance, so the instance closing a user's last connection knows at once whether
// another one still holds them; the tables cannot tell (no schema change), so they wait one renewal period.
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import type { PresenceStatus } from './presence.schemas.ts';

export interface PresenceState {
  user_id: string;
  status: PresenceStatus;
  custom_status: string | null;
  last_seen_at: Date;
}

export interface PresenceChange {
  status?: PresenceStatus;
  /** undefined: unchanged; null: removed. */
  custom_status?: string | null;
}

export interface TypingEntry {
  user_id: string;
  expires_at: Date;
}

/**
 * What an instance letting go of a user learnt: `offline`, the user went offline now (no live lease remains);
 * `unchanged`, another instance still holds them or they were offline already; `unsure`, the store keeps no leases
 * (the tables): `confirmRelease(userId, stamp)` once every other instance has renewed since.
 */
export type Release =
  { outcome: 'offline'; state: PresenceState } | { outcome: 'unchanged' } | { outcome: 'unsure'; stamp: Date };

/**
 * Presence and typing, wherever they are kept. Every time is the service's clock, never the store's. States are
 * answered as stored: reading one as offline once its lease lapsed is the service's rule (`presenceAt`).
 */
export interface PresenceStore {
  readonly kind: 'database' | 'redis';
  get(userIds: readonly string[]): Promise<Map<string, PresenceState>>;
  /**
   * Applies `change` (creating the user's presence if absent, offline) and stamps last_seen_at = now: a sign of
   * life, so a status other than offline holds for `leaseMs` without any connection.
   */
  set(userId: string, change: PresenceChange, now: Date, leaseMs: number): Promise<PresenceState>;
  /**
   * A connection of the user opened on `instanceId`: its lease runs `leaseMs` from now and last_seen_at is now. A
   * user offline, or whose presence lapsed, becomes online (`cameOnline`); a live away or busy stays.
   */
  connect(
    userId: string,
    instanceId: string,
    now: Date,
    leaseMs: number,
  ): Promise<{ state: PresenceState; cameOnline: boolean }>;
  /** Renews `instanceId`'s leases of `userIds` for `leaseMs`, stamping last_seen_at = now for those not offline. */
  renew(instanceId: string, userIds: readonly string[], now: Date, leaseMs: number): Promise<void>;
  /** `instanceId` holds the user no more (their last connection there closed). */
  release(userId: string, instanceId: string, now: Date): Promise<Release>;
  /** After an `unsure` release: offline, last seen at `stamp`, unless someone stamped last_seen_at since. */
  confirmRelease(userId: string, stamp: Date): Promise<PresenceState | undefined>;
  /**
   * Presences not offline whose last_seen_at is `leaseMs` old or more (their instance died, or they were set over
   * HTTP and never renewed) become offline, last seen when they lapsed; at most `limit` per call. Each one is
   * answered to exactly one caller, whichever instances sweep at once.
   */
  sweep(now: Date, leaseMs: number, limit: number): Promise<PresenceState[]>;
  /** Starts or renews typing until `expiresAt`; answers whether it was not already on (a new indicator). */
  startTyping(roomId: string, userId: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Answers whether an indicator that had not expired was removed. */
  stopTyping(roomId: string, userId: string, now: Date): Promise<boolean>;
  /** Who types in the room now (indicators not expired at `now`). */
  typing(roomId: string, now: Date): Promise<TypingEntry[]>;
  close(): Promise<void>;
}

/** The prefix of this service's keys in Redis. */
export const REDIS_PREFIX = 'veza:';

/** spec §18.1: presence is an activity log kept 90 days; the Redis keys expire after as long. */
export const PRESENCE_RETENTION_SECONDS = 90 * 24 * 3600;

/** Statuses that hold only while renewed (every one but offline). */
const HELD_STATUSES = ['online', 'away', 'busy'] as const satisfies readonly PresenceStatus[];

/** Rows renewed per statement: one renewal of a busy instance stays a few short statements. */
const RENEW_BATCH = 1_000;

/**
 * The table adapter: user_presence (one row per user) and typing_indicators (one row per room and user). It keeps
 * no leases: last_seen_at, stamped by every instance holding the user, is the one lease of all of them.
 */
export function createDatabasePresenceStore(db: Database): PresenceStore {
  const columns = ['user_id', 'status', 'custom_status', 'last_seen_at'] as const;
  type Row = { user_id: string; status: string; custom_status: string | null; last_seen_at: Date };
  const state = (row: Row): PresenceState => ({
    user_id: row.user_id,
    status: row.status as PresenceStatus,
    custom_status: row.custom_status,
    last_seen_at: row.last_seen_at,
  });
  return {
    kind: 'database',
    async get(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('user_presence')
        .select(columns)
        .where('user_id', 'in', [...userIds])
        .execute();
      return new Map(rows.map((row) => [row.user_id, { ...row, status: row.status as PresenceStatus }]));
    },
    async set(userId, change, now, _leaseMs) {
      const values = {
        user_id: userId,
        status: change.status ?? 'offline',
        custom_status: change.custom_status ?? null,
        last_seen_at: now,
      };
      const updates: Record<string, unknown> = { last_seen_at: now };
      if (change.status !== undefined) updates.status = change.status;
      if (change.custom_status !== undefined) updates.custom_status = change.custom_status;
      const row = await db
        .insertInto('user_presence')
        .values(values)
        .onConflict((oc) => oc.column('user_id').doUpdateSet(updates))
        .returning(columns)
        .executeTakeFirstOrThrow();
      return { ...row, status: row.status as PresenceStatus };
    },
    async connect(userId, _instanceId, now, leaseMs) {
      await db
        .insertInto('user_presence')
        .values({ user_id: userId, status: 'offline', last_seen_at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
      // The row is locked before it is read, so of two instances connecting the user at once only one sees them
      // come online (one event).
      const lapsedBy = new Date(now.getTime() - leaseMs);
      const { rows } = await sql<Row & { came_online: boolean }>`
        UPDATE user_presence p SET
          status = CASE WHEN before.status = 'offline' OR before.last_seen_at <= ${lapsedBy}::timestamptz
                        THEN 'online' ELSE before.status END,
          last_seen_at = GREATEST(before.last_seen_at, ${now}::timestamptz)
        FROM (SELECT id, status, last_seen_at FROM user_presence WHERE user_id = ${userId}::uuid FOR UPDATE) before
        WHERE p.id = before.id
        RETURNING p.user_id, p.status, p.custom_status, p.last_seen_at,
          (before.status = 'offline' OR before.last_seen_at <= ${lapsedBy}::timestamptz) AS came_online`.execute(db);
      const [row] = rows;
      if (!row) throw new Error(`user_presence of ${userId} vanished while connecting`);
      return { state: state(row), cameOnline: row.came_online };
    },
    async renew(_instanceId, userIds, now) {
      for (let start = 0; start < userIds.length; start += RENEW_BATCH) {
        const batch = userIds.slice(start, start + RENEW_BATCH);
        // Rows are locked in id order: two instances renewing overlapping users never deadlock.
        await sql`
          UPDATE user_presence SET last_seen_at = GREATEST(last_seen_at, ${now}::timestamptz)
          WHERE id IN (SELECT id FROM user_presence
                       WHERE user_id = ANY(${batch}::uuid[]) AND status <> 'offline' ORDER BY id FOR UPDATE)`.execute(
          db,
        );
      }
    },
    async release(userId, _instanceId, now) {
      // The release is itself a sign of life: the user was here until now. Whoever stamps after it holds them.
      const { rows } = await sql<{ last_seen_at: Date }>`
        UPDATE user_presence SET last_seen_at = GREATEST(last_seen_at, ${now}::timestamptz)
        WHERE user_id = ${userId}::uuid AND status <> 'offline'
        RETURNING last_seen_at`.execute(db);
      const [row] = rows;
      if (!row || row.last_seen_at.getTime() > now.getTime()) return { outcome: 'unchanged' };
      return { outcome: 'unsure', stamp: row.last_seen_at };
    },
    async confirmRelease(userId, stamp) {
      const { rows } = await sql<Row>`
        UPDATE user_presence SET status = 'offline'
        WHERE user_id = ${userId}::uuid AND status <> 'offline' AND last_seen_at = ${stamp}::timestamptz
        RETURNING user_id, status, custom_status, last_seen_at`.execute(db);
      return rows[0] ? state(rows[0]) : undefined;
    },
    async sweep(now, leaseMs, limit) {
      // SKIP LOCKED: instances sweeping at once share the rows out; each row is answered to one of them.
      const { rows } = await sql<Row>`
        UPDATE user_presence SET status = 'offline',
          last_seen_at = last_seen_at + ${leaseMs}::int * interval '1 millisecond'
        WHERE id IN (SELECT id FROM user_presence
                     WHERE status IN (${sql.join(HELD_STATUSES)})
                       AND last_seen_at <= ${new Date(now.getTime() - leaseMs)}::timestamptz
                     ORDER BY last_seen_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING user_id, status, custom_status, last_seen_at`.execute(db);
      return rows.map(state);
    },
    async startTyping(roomId, userId, expiresAt, now) {
      // xmax = 0 on a fresh insert; on a renewal, the row existed: new only if it had expired.
      const row = await sql<{ was_active: boolean }>`
        WITH before AS (
          SELECT expires_at > ${now}::timestamptz AS active FROM typing_indicators
          WHERE room_id = ${roomId}::uuid AND user_id = ${userId}::uuid
        ), upsert AS (
          INSERT INTO typing_indicators (room_id, user_id, started_at, expires_at)
          VALUES (${roomId}::uuid, ${userId}::uuid, ${now}::timestamptz, ${expiresAt}::timestamptz)
          ON CONFLICT (room_id, user_id) DO UPDATE SET expires_at = excluded.expires_at,
            started_at = CASE WHEN typing_indicators.expires_at > ${now}::timestamptz
                              THEN typing_indicators.started_at ELSE excluded.started_at END
          RETURNING 1
        )
        SELECT coalesce((SELECT active FROM before), false) AS was_active FROM upsert`.execute(db);
      // Expired indicators of the room go as others start (the retention job sweeps the rest, spec §18.1).
      await db.deleteFrom('typing_indicators').where('room_id', '=', roomId).where('expires_at', '<=', now).execute();
      return !row.rows[0]?.was_active;
    },
    async stopTyping(roomId, userId, now) {
      const removed = await db
        .deleteFrom('typing_indicators')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .returning('expires_at')
        .executeTakeFirst();
      return removed !== undefined && removed.expires_at > now;
    },
    async typing(roomId, now) {
      return db
        .selectFrom('typing_indicators')
        .select(['user_id', 'expires_at'])
        .where('room_id', '=', roomId)
        .where('expires_at', '>', now)
        .orderBy('started_at')
        .execute();
    },
    async close() {},
  };
}

/**
 * The Redis adapter: a hash per user (`<prefix>presence:<user>`, expiring 90 days after the last change), a sorted
 * set per user of the instances holding them (`<prefix>presence-leases:<user>`, members scored by their lease's
 * expiry in ms), one sorted set of the presences that lapse unless renewed (`<prefix>presence-lapses`, users
 * scored by last_seen_at + lease: what the sweep reads) and a sorted set per room (`<prefix>typing:<room>`,
 * members scored by their expiry in ms, the key itself expiring with its last indicator). A `keyPrefix` query
 * parameter of the URL (ioredis) comes before all of them: several deployments, or tests, may share one server.
 */
export function createRedisPresenceStore(url: string, prefix = REDIS_PREFIX): PresenceStore {
  return unavailableWhenUnreachable(redisPresenceStore(url, prefix));
}

/**
 * A store whose server cannot be reached answers 503 with Retry-After (the error handler's rule for an outage),
 * never a 500: the request was fine, the infrastructure was not.
 */
function unavailableWhenUnreachable(store: PresenceStore): PresenceStore {
  const guard =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await work(...args);
      } catch (error) {
        throw new ApiError(CommonProblems.unavailable, `The presence store cannot be reached: ${String(error)}`);
      }
    };
  return {
    kind: store.kind,
    get: guard((userIds: readonly string[]) => store.get(userIds)),
    set: guard((userId: string, change: PresenceChange, now: Date, leaseMs: number) =>
      store.set(userId, change, now, leaseMs),
    ),
    connect: guard((userId: string, instanceId: string, now: Date, leaseMs: number) =>
      store.connect(userId, instanceId, now, leaseMs),
    ),
    renew: guard((instanceId: string, userIds: readonly string[], now: Date, leaseMs: number) =>
      store.renew(instanceId, userIds, now, leaseMs),
    ),
    release: guard((userId: string, instanceId: string, now: Date) => store.release(userId, instanceId, now)),
    confirmRelease: guard((userId: string, stamp: Date) => store.confirmRelease(userId, stamp)),
    sweep: guard((now: Date, leaseMs: number, limit: number) => store.sweep(now, leaseMs, limit)),
    startTyping: guard((roomId: string, userId: string, expiresAt: Date, now: Date) =>
      store.startTyping(roomId, userId, expiresAt, now),
    ),
    stopTyping: guard((roomId: string, userId: string, now: Date) => store.stopTyping(roomId, userId, now)),
    typing: guard((roomId: string, now: Date) => store.typing(roomId, now)),
    close: () => store.close(),
  };
}

// The scripts below each change one user's keys atomically (KEYS: presence hash, leases, lapses index), so that
// of several instances acting on a user at once exactly one sees them come online or go offline. Times are ms.

/** ARGV: user, status ('' = unchanged), set custom status ('1'/'0'), custom status, now, lease, retention s. */
const SET_SCRIPT = `
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[2])
elseif redis.call('HEXISTS', KEYS[1], 'status') == 0 then redis.call('HSET', KEYS[1], 'status', 'offline') end
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'custom_status', ARGV[4]) end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[7])
if redis.call('HGET', KEYS[1], 'status') == 'offline' then redis.call('ZREM', KEYS[3], ARGV[1])
else redis.call('ZADD', KEYS[3], tonumber(ARGV[5]) + tonumber(ARGV[6]), ARGV[1]) end
return redis.call('HGETALL', KEYS[1])`;

/** ARGV: user, instance, now, lease, retention s. Answers {came online (1/0), the hash}. */
const CONNECT_SCRIPT = `
local now, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
local status = redis.call('HGET', KEYS[1], 'status')
local seen = tonumber(redis.call('HGET', KEYS[1], 'last_seen_at') or '0')
local cameOnline = (not status) or status == 'offline' or seen + lease <= now
redis.call('ZADD', KEYS[2], now + lease, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('PEXPIRE', KEYS[2], 2 * lease)
if cameOnline then redis.call('HSET', KEYS[1], 'status', 'online') end
if seen < now then redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[3], math.max(seen, now) + lease, ARGV[1])
return {cameOnline and 1 or 0, redis.call('HGETALL', KEYS[1])}`;

/**
 * Many users at once (one call per batch, not per user). KEYS: the lapses index, then each user's hash and leases;
 * ARGV: instance, now, lease, retention s, then the users. Never creates a presence (an erased one stays erased).
 */
const RENEW_SCRIPT = `
local now, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 5, #ARGV do
  local presence, leases = KEYS[2 * (i - 4)], KEYS[2 * (i - 4) + 1]
  redis.call('ZADD', leases, now + lease, ARGV[1])
  redis.call('PEXPIRE', leases, 2 * lease)
  local status = redis.call('HGET', presence, 'status')
  if status and status ~= 'offline' then
    local seen = tonumber(redis.call('HGET', presence, 'last_seen_at') or '0')
    if seen < now then redis.call('HSET', presence, 'last_seen_at', ARGV[2]) end
    redis.call('EXPIRE', presence, ARGV[4])
    redis.call('ZADD', KEYS[1], math.max(seen, now) + lease, ARGV[i])
  end
end
return 1`;

/** Users renewed per script call: a call stays short, so other clients' commands do not wait behind it. */
const REDIS_RENEW_BATCH = 200;

/** ARGV: user, instance, now. Answers the hash when the user went offline, else nil. */
const RELEASE_SCRIPT = `
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[2]) > 0 then return false end
local status = redis.call('HGET', KEYS[1], 'status')
if (not status) or status == 'offline' then return false end
redis.call('HSET', KEYS[1], 'status', 'offline', 'last_seen_at', ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[1])
return redis.call('HGETALL', KEYS[1])`;

/** ARGV: user, now, lease. Answers the hash when the presence lapsed and is now offline, else nil. */
const LAPSE_SCRIPT = `
local now, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
local status = redis.call('HGET', KEYS[1], 'status')
if (not status) or status == 'offline' then redis.call('ZREM', KEYS[3], ARGV[1]) return false end
local lapse = tonumber(redis.call('HGET', KEYS[1], 'last_seen_at') or '0') + lease
if lapse > now then redis.call('ZADD', KEYS[3], lapse, ARGV[1]) return false end
redis.call('HSET', KEYS[1], 'status', 'offline', 'last_seen_at', string.format('%d', lapse))
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('HGETALL', KEYS[1])`;

type ScriptName = 'presenceSet' | 'presenceConnect' | 'presenceRelease' | 'presenceLapse';
/** The scripts as ioredis commands (EVALSHA, loaded on first use). */
type Scripted = Record<ScriptName, (...keysThenArgs: (string | number)[]) => Promise<unknown>>;

function presenceRedis(url: string) {
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 1_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {
    // Reported by the failing command itself; without a listener ioredis would print it.
  });
  const scripts: Record<ScriptName, string> = {
    presenceSet: SET_SCRIPT,
    presenceConnect: CONNECT_SCRIPT,
    presenceRelease: RELEASE_SCRIPT,
    presenceLapse: LAPSE_SCRIPT,
  };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 3, lua });
  // Its number of keys varies with the batch: given first, at each call.
  redis.defineCommand('presenceRenewMany', { lua: RENEW_SCRIPT });
  return {
    redis,
    scripted: redis as unknown as Scripted & {
      presenceRenewMany(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<unknown>;
    },
  };
}

function presenceKeys(prefix: string) {
  return {
    presence: (userId: string) => `${prefix}presence:${userId}`,
    leases: (userId: string) => `${prefix}presence-leases:${userId}`,
    lapses: `${prefix}presence-lapses`,
    /** KEYS of the scripts, for one user. */
    of(userId: string): [string, string, string] {
      return [this.presence(userId), this.leases(userId), this.lapses];
    },
  };
}

function parsePresence(userId: string, flat: unknown): PresenceState | undefined {
  const hash: Record<string, string> = {};
  if (Array.isArray(flat)) {
    for (let index = 0; index + 1 < flat.length; index += 2) hash[String(flat[index])] = String(flat[index + 1]);
  } else if (flat && typeof flat === 'object') Object.assign(hash, flat);
  if (!hash.status || !hash.last_seen_at) return undefined;
  return {
    user_id: userId,
    status: hash.status as PresenceStatus,
    custom_status: hash.custom_status ? hash.custom_status : null,
    last_seen_at: new Date(Number(hash.last_seen_at)),
  };
}

function redisPresenceStore(url: string, prefix: string): PresenceStore {
  const { redis, scripted } = presenceRedis(url);
  const keys = presenceKeys(prefix);
  const typingKey = (roomId: string) => `${prefix}typing:${roomId}`;
  const retention = PRESENCE_RETENTION_SECONDS;
  const parsed = (userId: string, flat: unknown): PresenceState => {
    const state = parsePresence(userId, flat);
    if (!state) throw new Error(`the presence of ${userId} is incomplete in Redis`);
    return state;
  };
  return {
    kind: 'redis',
    async get(userIds) {
      const found = new Map<string, PresenceState>();
      if (userIds.length === 0) return found;
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.hgetall(keys.presence(id));
      const answers = (await pipeline.exec()) ?? [];
      userIds.forEach((id, index) => {
        const [error, hash] = answers[index] ?? [null, {}];
        if (error) throw error;
        const state = parsePresence(id, hash);
        if (state) found.set(id, state);
      });
      return found;
    },
    async set(userId, change, now, leaseMs) {
      const flat = await scripted.presenceSet(
        ...keys.of(userId),
        userId,
        change.status ?? '',
        change.custom_status !== undefined ? '1' : '0',
        change.custom_status ?? '',
        now.getTime(),
        leaseMs,
        retention,
      );
      return parsed(userId, flat);
    },
    async connect(userId, instanceId, now, leaseMs) {
      const [cameOnline, flat] = (await scripted.presenceConnect(
        ...keys.of(userId),
        userId,
        instanceId,
        now.getTime(),
        leaseMs,
        retention,
      )) as [number, unknown];
      return { state: parsed(userId, flat), cameOnline: cameOnline === 1 };
    },
    async renew(instanceId, userIds, now, leaseMs) {
      for (let start = 0; start < userIds.length; start += REDIS_RENEW_BATCH) {
        const batch = userIds.slice(start, start + REDIS_RENEW_BATCH);
        const userKeys = batch.flatMap((userId) => [keys.presence(userId), keys.leases(userId)]);
        await scripted.presenceRenewMany(
          1 + userKeys.length,
          keys.lapses,
          ...userKeys,
          instanceId,
          now.getTime(),
          leaseMs,
          retention,
          ...batch,
        );
      }
    },
    async release(userId, instanceId, now) {
      const flat = await scripted.presenceRelease(...keys.of(userId), userId, instanceId, now.getTime());
      return flat ? { outcome: 'offline', state: parsed(userId, flat) } : { outcome: 'unchanged' };
    },
    confirmRelease() {
      // Releases here are never unsure: the leases answer at once.
      return Promise.resolve(undefined);
    },
    async sweep(now, leaseMs, limit) {
      const due = await redis.zrangebyscore(keys.lapses, '-inf', now.getTime(), 'LIMIT', 0, limit);
      const answers = await Promise.all(
        due.map((userId) => scripted.presenceLapse(...keys.of(userId), userId, now.getTime(), leaseMs)),
      );
      return due.flatMap((userId, index) => (answers[index] ? [parsed(userId, answers[index])] : []));
    },
    async startTyping(roomId, userId, expiresAt, now) {
      const key = typingKey(roomId);
      const answers =
        (await redis
          .multi()
          .zscore(key, userId)
          .zadd(key, expiresAt.getTime(), userId)
          .zremrangebyscore(key, '-inf', now.getTime())
          // relative: the service's clock need not be Redis's; a minute's margin keeps a renewal racing the end
          .pexpire(key, Math.max(expiresAt.getTime() - now.getTime(), 0) + 60_000)
          .exec()) ?? [];
      const [error, previous] = answers[0] ?? [null, null];
      if (error) throw error;
      return previous === null || Number(previous) <= now.getTime();
    },
    async stopTyping(roomId, userId, now) {
      const key = typingKey(roomId);
      const answers = (await redis.multi().zscore(key, userId).zrem(key, userId).exec()) ?? [];
      const [error, previous] = answers[0] ?? [null, null];
      if (error) throw error;
      return previous !== null && Number(previous) > now.getTime();
    },
    async typing(roomId, now) {
      const flat = await redis.zrangebyscore(typingKey(roomId), `(${now.getTime()}`, '+inf', 'WITHSCORES');
      const entries: TypingEntry[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2)
        entries.push({ user_id: flat[index] as string, expires_at: new Date(Number(flat[index + 1])) });
      return entries;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A person's presence kept in Redis, as the GDPR export shows it (one row, CSV-friendly). */
export type RedisPresenceRecord = {
  user_id: string;
  status: string;
  custom_status: string | null;
  last_seen_at: string;
  /** The latest lease of an instance still holding a connection of theirs, if any (when that lease ends). */
  connected_until: string | null;
};

const REDIS_PRESENCE_COLUMNS: readonly (keyof RedisPresenceRecord)[] = [
  'user_id',
  'status',
  'custom_status',
  'last_seen_at',
  'connected_until',
];

/**
 * The presence Redis keeps of one person (GDPR Art. 15/20; ADR 0059): the hash and the leases of their
 * connections, as columns and rows. Typing indicators are left out: they lapse 10 seconds after they were set.
 */
export async function presenceKeptInRedis(
  url: string,
  userId: string,
): Promise<{ columns: readonly string[]; rows: RedisPresenceRecord[] }> {
  const rows = await redisPresenceRecords(url, userId);
  return { columns: REDIS_PRESENCE_COLUMNS, rows };
}

async function redisPresenceRecords(url: string, userId: string): Promise<RedisPresenceRecord[]> {
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const keys = presenceKeys(REDIS_PREFIX);
  try {
    const [hash, leases] = await Promise.all([
      redis.hgetall(keys.presence(userId)),
      redis.zrevrange(keys.leases(userId), 0, 0, 'WITHSCORES'),
    ]);
    const state = parsePresence(userId, hash);
    if (!state) return [];
    return [
      {
        user_id: userId,
        status: state.status,
        custom_status: state.custom_status,
        last_seen_at: state.last_seen_at.toISOString(),
        connected_until: leases[1] ? new Date(Number(leases[1])).toISOString() : null,
      },
    ];
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/**
 * Erases the presence Redis keeps of these people (their account is deleted: GDPR Art. 17; ADR 0059): the hash,
 * the leases and their place in the sweep's index. Answers how many presences there were. Unreachable: 503.
 */
export async function erasePresenceKeptInRedis(url: string, userIds: readonly string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const keys = presenceKeys(REDIS_PREFIX);
  try {
    let erased = 0;
    for (const userId of userIds) {
      const answers = (await redis
        .multi()
        .del(keys.presence(userId))
        .del(keys.leases(userId))
        .zrem(keys.lapses, userId)
        .exec()) ?? [[null, 0]];
      const [error, removed] = answers[0] ?? [null, 0];
      if (error) throw error;
      erased += Number(removed);
    }
    return erased;
  } catch (error) {
    throw new ApiError(CommonProblems.unavailable, `The presence store cannot be reached: ${String(error)}`);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** The room facts the presence rules need, from the chat domain's own tables. */
export function createPresenceRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    /** The caller's standing in a live room, or undefined when not a member (or the room is deleted). */
    async membership(roomId: string, userId: string) {
      return db
        .selectFrom('room_members as m')
        .innerJoin('rooms as r', 'r.id', 'm.room_id')
        .select(['m.is_banned', 'm.is_muted'])
        .where('m.room_id', '=', roomId)
        .where('m.user_id', '=', userId)
        .where('r.deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /** Of `others`, those who are members (not banned) of a live room `viewerId` is a member of (not banned). */
    async sharingARoomWith(viewerId: string, others: readonly string[]): Promise<Set<string>> {
      if (others.length === 0) return new Set();
      const rows = await db
        .selectFrom('room_members as mine')
        .innerJoin('room_members as theirs', 'theirs.room_id', 'mine.room_id')
        .innerJoin('rooms as r', 'r.id', 'mine.room_id')
        .select('theirs.user_id')
        .distinct()
        .where('mine.user_id', '=', viewerId)
        .where('mine.is_banned', '=', false)
        .where('theirs.user_id', 'in', [...others])
        .where('theirs.is_banned', '=', false)
        .where('r.deleted_at', 'is', null)
        .execute();
      return new Set(rows.map((row) => row.user_id));
    },
  };
}

export type PresenceRepository = ReturnType<typeof createPresenceRepository>;

/** Runs `work` in a transaction of its own, for the events of presence and typing (their store may be Redis). */
export function eventTransaction(pool: Pool | { db: Database }) {
  return <T>(actorId: string, work: Parameters<typeof withActor<T>>[2]): Promise<T> =>
    withActor(pool.db, actorId, work);
}
