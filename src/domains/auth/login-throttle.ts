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

/** The identifier as the lockout records and counts it: trimmed, lower case (ADR 0022). */
export function lockoutKey(identifier: string): string {
  // Lower-casing may lengthen a string (İ → i̇): the key must fit login_attempts.identifier.
  return identifier.trim().toLowerCase().slice(0, 255);
}

/** An account as the lockout knows it: every identifier that names it counts towards one lock. */
export interface LockoutAccount {
  id: string;
  email: string;
  username: string;
}

/**
 * What a run of failures locks (ADR 0022, amended by issue 10): the account, whichever of its identifiers
 * (email, username in any case) the guesses typed, or, when the identifier names no account, that identifier.
 */
interface LockoutSubject {
  /** The advisory lock's key. */
  key: string;
  /** The login_attempts.identifier values whose failures count. */
  counted: string[];
  /** The login_attempts.identifier this attempt is recorded under. */
  recorded: string;
}

function accountSubject(account: LockoutAccount, typed: string | undefined): LockoutSubject {
  const counted = [lockoutKey(account.email), lockoutKey(account.username)];
  return { key: `account:${account.id}`, counted, recorded: typed === undefined ? counted[0]! : lockoutKey(typed) };
}

function identifierSubject(identifier: string): LockoutSubject {
  const key = lockoutKey(identifier);
  return { key: `identifier:${key}`, counted: [key], recorded: key };
}

/**
 * Progressive lockout per account (or per identifier naming none) and per IP address, from the login_attempts
 * table alone. The same rules apply whether the identifier names an account or not, so a lock says nothing
 * about existence.
 */
export class LoginThrottle {
  readonly #db: Database;
  readonly #settings: LockoutSettings;

  constructor(db: Database, settings: LockoutSettings) {
    this.#db = db;
    this.#settings = settings;
  }

  /**
   * An attempt on an account: its email and its username share one count, so that a lock reached through one
   * holds through the other. `typed` is the identifier the caller gave (recorded as is, normalised); without
   * one (re-authentication of a signed-in user) the attempt is recorded under the account's email.
   */
  beginForAccount(account: LockoutAccount, client: ClientContext, typed?: string): Promise<AttemptRef> {
    return this.#begin(accountSubject(account, typed), client);
  }

  /** An attempt with an identifier that names no account, counted under that identifier alone. */
  beginForIdentifier(identifier: string, client: ClientContext): Promise<AttemptRef> {
    return this.#begin(identifierSubject(identifier), client);
  }

  /**
   * Checks both locks and records the attempt as `in_progress` (which counts as a failure until it is
   * finished), one attempt at a time per subject and per address. Throws LoginLockedError (and records
   * the refusal as `account_locked`) when either is locked.
   */
  async #begin(subject: LockoutSubject, client: ClientContext): Promise<AttemptRef> {
    const outcome = await inTransaction(this.#db, null, async (trx) => {
      await lockAttemptKeys(trx, subject.key, client.ip);
      const now = Date.now();
      const since = new Date(now - this.#settings.windowSeconds * 1000);
      const bySubject = lockedUntil(
        await countIdentifierFailures(trx, subject.counted, since),
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
      const until = Math.max(bySubject?.getTime() ?? 0, byIp?.getTime() ?? 0);
      const attempt = await insertLoginAttempt(trx, {
        identifier: subject.recorded,
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

  /** Records how an attempt begun with `beginForAccount` or `beginForIdentifier` ended. */
  async finish(attempt: AttemptRef, outcome: { success: true } | { success: false; reason: FailureReason }) {
    await finishLoginAttempt(this.#db, attempt, outcome.success, outcome.success ? null : outcome.reason);
  }
}
