import type { Database } from '../../platform/db/pool.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { AuthErrors } from './auth.errors.ts';
import { accountExistsMail, passwordResetMail } from './auth.mails.ts';
import {
  actAs,
  addPasswordHistory,
  countPasswordResetTokensSince,
  findAccountByEmail,
  findAccountById,
  findPasswordResetToken,
  findPasswordResetTokenForUpdate,
  inTransaction,
  insertPasswordResetToken,
  markEmailVerified,
  recentPasswordHashes,
  setPasswordHash,
  usePasswordResetTokens,
  type AccountRow,
} from './auth.repository.ts';
import type { ClientContext, LoginThrottle } from './login-throttle.ts';
import { newOpaqueToken, parseOpaqueToken, verifierMatches } from './opaque-tokens.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordPolicyViolations } from './password-policy.ts';
import { invalidTokenError } from './registration.service.ts';
import type { SessionService } from './session.service.ts';

export interface PasswordSettings {
  publicUrl: string;
  passwordResetTtlMinutes: number;
}

/** Reset mails one account receives within an hour at most; further requests are answered alike and dropped. */
const RESET_MAILS_PER_HOUR = 3;

function usable(account: AccountRow): boolean {
  return account.is_active && !account.is_banned && account.deleted_at === null;
}

/** Password change, and reset by a single-use link sent by mail. */
export class PasswordService {
  readonly #db: Database;
  readonly #hasher: PasswordHasher;
  readonly #throttle: LoginThrottle;
  readonly #sessions: SessionService;
  readonly #sendMail: (message: MailMessage) => void;
  readonly #settings: PasswordSettings;

  constructor(deps: {
    db: Database;
    hasher: PasswordHasher;
    throttle: LoginThrottle;
    sessions: SessionService;
    sendMail: (message: MailMessage) => void;
    settings: PasswordSettings;
  }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
    this.#throttle = deps.throttle;
    this.#sessions = deps.sessions;
    this.#sendMail = deps.sendMail;
    this.#settings = deps.settings;
  }

  /**
   * Changes the caller's password. The current password is required (a wrong one counts towards the
   * lockout of the account, ADR 0022); the new one must satisfy the policy and differ from the last five.
   * Every outstanding reset link is spent. Every other session ends: token_version is bumped and every
   * refresh token revoked but the one given in `refresh_token` (the device making the change), which must be
   * a live session of the caller.
   * Returns a fresh access token for this device, since the bump ended its current one.
   */
  async change(
    userId: string,
    input: { current_password: string; new_password: string; refresh_token?: string | undefined },
    client: ClientContext,
  ) {
    const account = await findAccountById(this.#db, userId);
    if (!account) throw new ApiError(CommonProblems.unauthenticated);
    if (!account.password_hash) throw new ApiError(AuthErrors.noPassword);
    let keepTokenId: string | undefined;
    if (input.refresh_token !== undefined) {
      keepTokenId = (await this.#sessions.liveTokenId(userId, input.refresh_token)) ?? undefined;
      if (!keepTokenId) {
        throw new ApiError(CommonProblems.validationFailed, 'refresh_token is not a live session of yours', [
          { field: 'body.refresh_token', rule: 'ownLiveSession', message: 'is not a live session of this account' },
        ]);
      }
    }
    const attempt = await this.#throttle.beginForAccount(account, client);
    if (!(await this.#hasher.verify(input.current_password, account.password_hash))) {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_password' });
      throw new ApiError(AuthErrors.currentPasswordIncorrect, undefined, [
        { field: 'body.current_password', rule: 'matches', message: 'is not the current password' },
      ]);
    }
    await this.#throttle.finish(attempt, { success: true });
    const newHash = await this.#acceptableNewPassword(account, input.new_password, 'body.new_password');
    const bumped = await inTransaction(this.#db, userId, async (trx) => {
      await setPasswordHash(trx, userId, newHash);
      await addPasswordHistory(trx, userId, newHash);
      // A reset link mailed before the change would otherwise undo it: whoever read that mail (an old
      // inbox, a forwarded copy) could still set a password of their choosing.
      await usePasswordResetTokens(trx, userId);
      return this.#sessions.revokeOthers(trx, userId, 'password_changed', keepTokenId);
    });
    return this.#sessions.accessToken(bumped);
  }

  /**
   * Mails a reset link if the address belongs to a usable account. The caller learns nothing either way:
   * the answer is the same 202, and the mail leaves after the answer.
   */
  async requestReset(email: string, client: ClientContext): Promise<void> {
    await this.#mailResetLink(email, client, passwordResetMail);
  }

  /**
   * Someone registered with the address of an existing account (ADR 0033): the answer they got is the one a new
   * address gets, and the owner is told by mail, with a reset link in case they forgot they had an account. The
   * link counts towards the same three mails an hour as reset requests, so this cannot flood an inbox either.
   */
  async mailAccountExists(email: string, client: ClientContext): Promise<void> {
    await this.#mailResetLink(email, client, accountExistsMail);
  }

  async #mailResetLink(email: string, client: ClientContext, mail: typeof passwordResetMail): Promise<void> {
    const account = await findAccountByEmail(this.#db, email.toLowerCase());
    if (!account || !usable(account)) return;
    const recent = await countPasswordResetTokensSince(this.#db, account.id, new Date(Date.now() - 3_600_000));
    if (recent >= RESET_MAILS_PER_HOUR) return;
    const reset = newOpaqueToken();
    await insertPasswordResetToken(this.#db, {
      userId: account.id,
      selector: reset.selector,
      verifierHash: reset.verifierHash,
      expiresAt: new Date(Date.now() + this.#settings.passwordResetTtlMinutes * 60_000),
      ip: client.ip,
      userAgent: client.userAgent,
    });
    this.#sendMail(mail(account.email, this.#settings.publicUrl, reset.token, this.#settings.passwordResetTtlMinutes));
  }

  /**
   * Sets a new password with a reset token: single use (every outstanding reset token of the account is
   * used up), every session ends (token_version bumped, refresh tokens revoked), the password joins the
   * history, and the address counts as verified, since the link reached it.
   */
  async confirmReset(token: string, newPassword: string): Promise<void> {
    const parsed = parseOpaqueToken(token);
    if (!parsed) throw invalidTokenError();
    // The checks that need bcrypt run before the transaction, so that no row stays locked meanwhile.
    const preview = await findPasswordResetToken(this.#db, parsed.selector);
    if (!preview || !verifierMatches(parsed.verifier, preview.token_hash)) throw invalidTokenError();
    if (preview.used || preview.expires_at.getTime() <= Date.now()) throw invalidTokenError();
    const account = await findAccountById(this.#db, preview.user_id);
    if (!account || !usable(account)) throw invalidTokenError();
    const newHash = await this.#acceptableNewPassword(account, newPassword, 'body.new_password');

    const done = await this.#db.transaction().execute(async (trx) => {
      const row = await findPasswordResetTokenForUpdate(trx, parsed.selector);
      if (!row || row.used || row.expires_at.getTime() <= Date.now()) return false;
      await actAs(trx, account.id);
      await setPasswordHash(trx, account.id, newHash);
      await addPasswordHistory(trx, account.id, newHash);
      await usePasswordResetTokens(trx, account.id);
      await this.#sessions.revokeOthers(trx, account.id, 'password_reset');
      await markEmailVerified(trx, account.id, account.email);
      return true;
    });
    if (!done) throw invalidTokenError();
  }

  /** The bcrypt hash of `password` if the policy accepts it and it is none of the last five. */
  async #acceptableNewPassword(account: AccountRow, password: string, field: string): Promise<string> {
    const violations = passwordPolicyViolations(password, account, field);
    if (violations.length > 0) throw new ApiError(AuthErrors.weakPassword, undefined, violations);
    for (const previous of await recentPasswordHashes(this.#db, account.id)) {
      if (await this.#hasher.verify(password, previous)) {
        throw new ApiError(AuthErrors.passwordReused, undefined, [
          { field, rule: 'notRecentlyUsed', message: 'must differ from the last 5 passwords' },
        ]);
      }
    }
    return this.#hasher.hash(password);
  }
}
