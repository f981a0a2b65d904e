// Where presence and typing live (issue 14 §5, spec §8.7 "Redis preferred, DB fallback", ADR 0059): one store
// interface, two adapters. The table adapter uses user_presence and typing_indicators; the Redis adapter, chosen
// when VEZA_REDIS_URL is set, keeps the same facts under keys that expire on their own. Either way, typing expires
// at the time the service computes with its clock, so a test can move time instead of sleeping; and the
// membership facts the rules need (who shares a room, who is in a room) come from the chat tables here.
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

/** Presence and typing, wherever they are kept. Every time is the service's clock, never the store's. */
export interface PresenceStore {
  readonly kind: 'database' | 'redis';
  get(userIds: readonly string[]): Promise<Map<string, PresenceState>>;
  /** Applies `change` (creating the user's presence if absent, offline) and stamps last_seen_at = now. */
  set(userId: string, change: PresenceChange, now: Date): Promise<PresenceState>;
  /** Starts or renews typing until `expiresAt`; answers whether it was not already on (a new indicator). */
  startTyping(roomId: string, userId: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Answers whether an indicator that had not expired was removed. */
  stopTyping(roomId: string, userId: string, now: Date): Promise<boolean>;
  /** Who types in the room now (indicators not expired at `now`). */
  typing(roomId: string, now: Date): Promise<TypingEntry[]>;
  close(): Promise<void>;
}

/** spec §18.1: presence is an activity log kept 90 days; the Redis keys expire after as long. */
export const PRESENCE_RETENTION_SECONDS = 90 * 24 * 3600;

/** The table adapter: user_presence (one row per user) and typing_indicators (one row per room and user). */
export function createDatabasePresenceStore(db: Database): PresenceStore {
  const columns = ['user_id', 'status', 'custom_status', 'last_seen_at'] as const;
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
    async set(userId, change, now) {
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
 * The Redis adapter: a hash per user (`<prefix>presence:<user>`, expiring 90 days after the last change) and a
 * sorted set per room (`<prefix>typing:<room>`, members scored by their expiry in ms, the key itself expiring
 * with its last indicator).
 */
export function createRedisPresenceStore(url: string, prefix = 'veza:'): PresenceStore {
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
    set: guard((userId: string, change: PresenceChange, now: Date) => store.set(userId, change, now)),
    startTyping: guard((roomId: string, userId: string, expiresAt: Date, now: Date) =>
      store.startTyping(roomId, userId, expiresAt, now),
    ),
    stopTyping: guard((roomId: string, userId: string, now: Date) => store.stopTyping(roomId, userId, now)),
    typing: guard((roomId: string, now: Date) => store.typing(roomId, now)),
    close: () => store.close(),
  };
}

function redisPresenceStore(url: string, prefix: string): PresenceStore {
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 1_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {
    // Reported by the failing command itself; without a listener ioredis would print it.
  });
  const presenceKey = (userId: string) => `${prefix}presence:${userId}`;
  const typingKey = (roomId: string) => `${prefix}typing:${roomId}`;
  const parse = (userId: string, hash: Record<string, string>): PresenceState | undefined => {
    if (!hash.status || !hash.last_seen_at) return undefined;
    return {
      user_id: userId,
      status: hash.status as PresenceStatus,
      custom_status: hash.custom_status ? hash.custom_status : null,
      last_seen_at: new Date(Number(hash.last_seen_at)),
    };
  };
  return {
    kind: 'redis',
    async get(userIds) {
      const found = new Map<string, PresenceState>();
      if (userIds.length === 0) return found;
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.hgetall(presenceKey(id));
      const answers = (await pipeline.exec()) ?? [];
      userIds.forEach((id, index) => {
        const [error, hash] = answers[index] ?? [null, {}];
        if (error) throw error;
        const state = parse(id, hash as Record<string, string>);
        if (state) found.set(id, state);
      });
      return found;
    },
    async set(userId, change, now) {
      const key = presenceKey(userId);
      const fields: Record<string, string> = { last_seen_at: String(now.getTime()) };
      if (change.status !== undefined) fields.status = change.status;
      if (change.custom_status !== undefined) fields.custom_status = change.custom_status ?? '';
      const transaction = redis.multi().hsetnx(key, 'status', 'offline').hset(key, fields);
      transaction.expire(key, PRESENCE_RETENTION_SECONDS).hgetall(key);
      const answers = (await transaction.exec()) ?? [];
      const [error, hash] = answers.at(-1) ?? [null, {}];
      if (error) throw error;
      return parse(userId, hash as Record<string, string>) as PresenceState;
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
