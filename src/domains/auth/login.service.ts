import type { Database } from '../../platform/db/pool.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { isSuspended } from './account-sanctions.ts';
import { AuthErrors } from './auth.errors.ts';
import {
  findAccountByEmail,
  findAccountById,
  findAccountByUsername,
  recordSuccessfulLogin,
  type AccountRow,
} from './auth.repository.ts';
import { lockoutKey, type ClientContext, type LoginThrottle } from './login-throttle.ts';
import type { MfaChallenges } from './mfa-challenge.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { IssuedSession, SessionService } from './session.service.ts';
import type { TwoFactorService } from './two-factor.service.ts';

export interface LoginRequest {
  identifier: string;
  password: string;
  device_name?: string | undefined;
  device_type?: 'mobile' | 'desktop' | 'tablet' | undefined;
}

export type LoginOutcome =
  (IssuedSession & { mfa_required: false }) | { mfa_required: true; mfa_token: string; expires_in: number };

function usable(account: AccountRow): boolean {
  return account.is_active && !account.is_banned && account.deleted_at === null && !isSuspended(account);
}

/**
 * Password login, then the second factor when TOTP is on. Every attempt is recorded in login_attempts;
 * a wrong password and an unknown identifier get the same answer after the same work (a bcrypt
 * comparison either way), and the lockout treats both alike (ADR 0022). Accounts whose email is not yet
 * verified may log in (ADR 0022).
 */
export class LoginService {
  readonly #db: Database;
  readonly #hasher: PasswordHasher;
  readonly #throttle: LoginThrottle;
  readonly #sessions: SessionService;
  readonly #twoFactor: TwoFactorService;
  readonly #challenges: MfaChallenges;

  constructor(deps: {
    db: Database;
    hasher: PasswordHasher;
    throttle: LoginThrottle;
    sessions: SessionService;
    twoFactor: TwoFactorService;
    challenges: MfaChallenges;
  }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
    this.#throttle = deps.throttle;
    this.#sessions = deps.sessions;
    this.#twoFactor = deps.twoFactor;
    this.#challenges = deps.challenges;
  }

  async login(request: LoginRequest, client: ClientContext): Promise<LoginOutcome> {
    const identifier = lockoutKey(request.identifier);
    const typed = request.identifier.trim();
    // A live account: soft-deleted ones are not found, and answer as unknown ones do.
    const account = typed.includes('@')
      ? await findAccountByEmail(this.#db, typed.toLowerCase())
      : await findAccountByUsername(this.#db, typed);
    // The lock belongs to the account, whichever of its identifiers was typed (issue 10): guesses through the
    // username and through the email add up, and a lock reached through one refuses the other.
    const attempt = account
      ? await this.#throttle.beginForAccount(account, client, identifier)
      : await this.#throttle.beginForIdentifier(identifier, client);
    const passwordMatches = await this.#hasher.verify(request.password, account?.password_hash);
    if (!account || !passwordMatches) {
      await this.#throttle.finish(attempt, {
        success: false,
        reason: account ? 'invalid_password' : 'unknown_account',
      });
      throw new ApiError(AuthErrors.invalidCredentials);
    }
    // Only someone who knows the password learns that the account is disabled.
    if (!usable(account)) {
      await this.#throttle.finish(attempt, { success: false, reason: 'account_disabled' });
      throw new ApiError(AuthErrors.accountDisabled);
    }
    if (await this.#twoFactor.isEnabled(account.id)) {
      await this.#throttle.finish(attempt, { success: false, reason: 'mfa_required' });
      const challenge = this.#challenges.issue({
        userId: account.id,
        tokenVersion: account.token_version,
        identifier,
        deviceName: request.device_name ?? null,
        deviceType: request.device_type ?? null,
      });
      return { mfa_required: true, mfa_token: challenge.token, expires_in: challenge.expiresIn };
    }
    await this.#throttle.finish(attempt, { success: true });
    return { ...(await this.#startSession(account, request, client)), mfa_required: false };
  }

  /** Second step: the challenge from the password step and a TOTP or backup code. */
  async completeMfa(request: { mfa_token: string; code: string }, client: ClientContext): Promise<IssuedSession> {
    const challenge = this.#challenges.open(request.mfa_token);
    if (!challenge) throw new ApiError(AuthErrors.invalidMfaChallenge);
    const account = await findAccountById(this.#db, challenge.userId);
    const attempt = account
      ? await this.#throttle.beginForAccount(account, client, challenge.identifier)
      : await this.#throttle.beginForIdentifier(challenge.identifier, client);
    if (!account || !usable(account) || account.token_version !== challenge.tokenVersion) {
      await this.#throttle.finish(attempt, { success: false, reason: 'account_disabled' });
      throw new ApiError(AuthErrors.invalidMfaChallenge);
    }
    const verdict = await this.#twoFactor.verifyLoginChallenge(account.id, request.code, new Date(challenge.issuedAt));
    // A challenge completes one login: presented again (a replayed request, a stolen token), it is dead.
    if (verdict === 'spent') {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_mfa_code' });
      throw new ApiError(AuthErrors.invalidMfaChallenge, 'This mfa_token was already used: log in again');
    }
    if (verdict === 'refused') {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_mfa_code' });
      throw new ApiError(AuthErrors.invalidTotpCode, undefined, [
        { field: 'body.code', rule: 'secondFactor', message: 'is not a current code nor an unused backup code' },
      ]);
    }
    await this.#throttle.finish(attempt, { success: true });
    return this.#startSession(
      account,
      { device_name: challenge.deviceName ?? undefined, device_type: challenge.deviceType ?? undefined },
      client,
    );
  }

  async #startSession(
    account: AccountRow,
    device: Pick<LoginRequest, 'device_name' | 'device_type'>,
    client: ClientContext,
  ): Promise<IssuedSession> {
    const session = await this.#sessions.issue(account.id, {
      device_name: device.device_name ?? null,
      device_type: device.device_type ?? null,
      user_agent: client.userAgent,
      ip_address: client.ip,
    });
    await recordSuccessfulLogin(this.#db, account.id, client.ip);
    return session;
  }
}
