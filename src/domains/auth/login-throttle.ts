import type { Config } from '../../platform/config/config.ts';
import type { Database } from '../../platform/db/pool.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { AuthErrors } from './auth.errors.ts';
import {
  countIdentifierFailures,
  countIpFailures,
  finishLoginAttempt,
  inTransaction,
  insertLoginAttempt,
  lockAttemptKeys,
  type AttemptRef,
  type FailureCount,
  type FailureReason,
} from './auth.repository.ts';

export type LockoutSettings = Config['auth']['lockout'];

/** Who is knocking: recorded with every attempt. */
export interface ClientContext {
  ip: string;
  userAgent: string | null;
}

/** A refused attempt while the identifier or the address is locked; the route adds Retry-After. */
export class LoginLockedError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(AuthErrors.loginLocked, `Too many failed attempts; try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * When a run of failures locks (ADR 0022): `threshold` failures within the window lock for `lockSeconds`
 * from the latest failure; every further `threshold` failures double the lock, which never exceeds the
 * window. Past the threshold each new failure starts the lock again, so guessing slows to one try per
 * lock period. Returns the end of the lock, or null when not locked at `now`.
 */
export function lockedUntil(
  count: FailureCount,
  threshold: number,
  settings: Pick<LockoutSettings, 'lockSeconds' | 'windowSeconds'>,
  now: number,
): Date | null {
  if (count.failures < threshold || !count.latest) return null;
  const level = Math.floor(count.failures / threshold);
  const seconds = Math.min(settings.lockSeconds * 2 ** (level - 1), settings.windowSeconds);
  const until = count.latest.getTime() + seconds * 1000;
  return until > now ? new Date(until) : null;
}

/**
 * Progressive lockout per identifier and per IP address, from the login_attempts table alone. The same
 * rules apply whether the identifier names an account or not, so a lock says nothing about existence.
 */
export class LoginThrottle {
  readonly #db: Database;
  readonly #settings: LockoutSettings;

  constructor(db: Database, settings: LockoutSettings) {
    this.#db = db;
    this.#settings = settings;
  }

  /**
   * Checks both locks and records the attempt as `in_progress` (which counts as a failure until it is
   * finished), one attempt at a time per identifier and per address. Throws LoginLockedError (and
   * records the refusal as `account_locked`) when either is locked.
   */
  async begin(identifier: string, client: ClientContext): Promise<AttemptRef> {
    const outcome = await inTransaction(this.#db, null, async (trx) => {
      await lockAttemptKeys(trx, identifier, client.ip);
      const now = Date.now();
      const since = new Date(now - this.#settings.windowSeconds * 1000);
      const byIdentifier = lockedUntil(
        await countIdentifierFailures(trx, identifier, since),
        this.#settings.maxFailuresPerIdentifier,
        this.#settings,
        now,
      );
      const byIp = lockedUntil(
        await countIpFailures(trx, client.ip, since),
        this.#settings.maxFailuresPerIp,
        this.#settings,
        now,
      );
      const until = Math.max(byIdentifier?.getTime() ?? 0, byIp?.getTime() ?? 0);
      const attempt = await insertLoginAttempt(trx, {
        identifier,
        success: false,
        failureReason: until > 0 ? 'account_locked' : 'in_progress',
        ip: client.ip,
        userAgent: client.userAgent,
      });
      return { attempt, retryAfter: until > 0 ? Math.max(1, Math.ceil((until - now) / 1000)) : 0 };
    });
    if (outcome.retryAfter > 0) throw new LoginLockedError(outcome.retryAfter);
    return outcome.attempt;
  }

  /** Records how an attempt begun with `begin` ended. */
  async finish(attempt: AttemptRef, outcome: { success: true } | { success: false; reason: FailureReason }) {
    await finishLoginAttempt(this.#db, attempt, outcome.success, outcome.success ? null : outcome.reason);
  }
}
