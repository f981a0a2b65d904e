// Wrong room passwords, counted per (user, room) (issue 14 §1, ADR 0056). With VEZA_REDIS_URL the count lives in
// Redis, so that a guesser spreading attempts over several instances behind a load balancer meets one limit; without
// it, in this process (a single instance, or the embedded default).
import { Redis } from 'ioredis';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';

/**
 * An attempt is reserved before the password is compared, so that a burst of parallel guesses cannot all slip in
 * under the limit: `begin` counts it, or refuses it with the seconds to wait. After `threshold` attempts without a
 * success, every attempt is refused until `lockMs` has passed since the latest counted one. A bcrypt comparison
 * costs tens of milliseconds, so the refusal is also what keeps 1,000 guesses from being 1,000 hashes.
 */
export interface RoomPasswordAttempts {
  /** 0 when the attempt may go on (it is now counted), else the seconds to wait; a refused attempt is not counted. */
  begin(userId: string, roomId: string): Promise<number>;
  /** The right password: the count starts again. */
  succeeded(userId: string, roomId: string): Promise<void>;
  close(): Promise<void>;
}

export interface AttemptLimits {
  threshold: number;
  lockMs: number;
}

export const ROOM_PASSWORD_LIMITS: AttemptLimits = { threshold: 5, lockMs: 15 * 60_000 };

const keyOf = (userId: string, roomId: string) => `${userId}:${roomId}`;
const secondsUntil = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function memoryRoomPasswordAttempts(
  limits: AttemptLimits = ROOM_PASSWORD_LIMITS,
  now: () => number = Date.now,
): RoomPasswordAttempts {
  const attempts = new Map<string, { count: number; latest: number }>();
  return {
    begin(userId, roomId) {
      const key = keyOf(userId, roomId);
      const at = now();
      const current = attempts.get(key);
      const live = current && at - current.latest < limits.lockMs ? current : { count: 0, latest: at };
      if (live.count >= limits.threshold) return Promise.resolve(secondsUntil(live.latest + limits.lockMs - at));
      attempts.set(key, { count: live.count + 1, latest: at });
      // Bounded: the oldest key goes first (a Map keeps insertion order).
      if (attempts.size > 100_000) attempts.delete(attempts.keys().next().value ?? key);
      return Promise.resolve(0);
    },
    succeeded(userId, roomId) {
      attempts.delete(keyOf(userId, roomId));
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

// One round trip, atomic: refuse with the key's remaining lifetime, or count and push the expiry to lockMs from now.
const BEGIN_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 then return left end
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`;

export function redisRoomPasswordAttempts(
  url: string,
  prefix: string,
  limits: AttemptLimits = ROOM_PASSWORD_LIMITS,
): RoomPasswordAttempts {
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 1_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {
    // Reported by the failing command itself (a 503 through the route); without a listener ioredis would print it.
  });
  const key = (userId: string, roomId: string) => `${prefix}room-password:${keyOf(userId, roomId)}`;
  return {
    async begin(userId, roomId) {
      const left = Number(
        await unavailableWhenUnreachable(() =>
          redis.eval(BEGIN_SCRIPT, 1, key(userId, roomId), limits.threshold, limits.lockMs),
        ),
      );
      return left > 0 ? secondsUntil(left) : 0;
    },
    async succeeded(userId, roomId) {
      await unavailableWhenUnreachable(() => redis.del(key(userId, roomId)));
    },
    close() {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

/** Without its counter the room cannot be opened safely: a 503, never a guess let through unchecked. */
async function unavailableWhenUnreachable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new ApiError(CommonProblems.unavailable, `The attempt counter cannot be reached: ${String(error)}`);
  }
}
