import { timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { AuthErrors } from './auth.errors.ts';
import {
  disableTotp,
  enableTotp,
  findAccountById,
  findTwoFactor,
  findTwoFactorForUpdate,
  inTransaction,
  recordTotpStep,
  saveBackupCodes,
  savePendingTotpSecret,
  spendMfaChallengesThrough,
  type StoredBackupCode,
} from './auth.repository.ts';
import type { ClientContext, LoginThrottle } from './login-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { BACKUP_CODE, hashBackupCode, newBackupCodes, newTotpSecret, totpCodeStep, totpUri } from './totp.ts';

/** two_factor_configs.totp_secret is sealed for this purpose only (ADR 0023). */
const TOTP_SECRET_PURPOSE = 'two_factor_configs.totp_secret';

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** TOTP enrolment, confirmation, verification and removal, with ten single-use backup codes. */
export class TwoFactorService {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #hasher: PasswordHasher;
  readonly #throttle: LoginThrottle;

  constructor(deps: { db: Database; box: SecretBox; hasher: PasswordHasher; throttle: LoginThrottle }) {
    this.#db = deps.db;
    this.#box = deps.box;
    this.#hasher = deps.hasher;
    this.#throttle = deps.throttle;
  }

  async isEnabled(userId: string): Promise<boolean> {
    return (await findTwoFactor(this.#db, userId))?.totp_enabled === true;
  }

  async status(userId: string) {
    const config = await findTwoFactor(this.#db, userId);
    const enabled = config?.totp_enabled === true;
    const codes = (enabled ? (config.backup_codes ?? []) : []) as unknown as StoredBackupCode[];
    return {
      totp_enabled: enabled,
      totp_enabled_at: enabled ? config.totp_enabled_at : null,
      backup_codes_remaining: codes.filter((code) => code.used_at === null).length,
    };
  }

  /**
   * Starts (or restarts) an enrolment: a new secret, stored sealed and not yet enabled. The secret and its
   * otpauth:// URI are returned this once, to be shown as a QR code.
   */
  async enroll(userId: string): Promise<{ secret: string; otpauth_uri: string }> {
    const account = await findAccountById(this.#db, userId);
    if (!account) throw new ApiError(CommonProblems.unauthenticated);
    if (await this.isEnabled(userId)) throw new ApiError(AuthErrors.totpAlreadyEnabled);
    const secret = newTotpSecret();
    await inTransaction(this.#db, userId, (trx) =>
      savePendingTotpSecret(trx, userId, this.#box.seal(secret, TOTP_SECRET_PURPOSE)),
    );
    return { secret, otpauth_uri: totpUri(secret, account.email) };
  }

  /** Enables TOTP once a code proves the app has the secret; returns the backup codes, this once. */
  async confirm(userId: string, code: string): Promise<{ backup_codes: string[] }> {
    return inTransaction(this.#db, userId, async (trx) => {
      const config = await findTwoFactorForUpdate(trx, userId);
      if (config?.totp_enabled) throw new ApiError(AuthErrors.totpAlreadyEnabled);
      if (!config?.totp_secret) throw new ApiError(AuthErrors.totpNotEnrolled);
      const step = await totpCodeStep(this.#box.open(config.totp_secret, TOTP_SECRET_PURPOSE), code);
      if (step === null) {
        throw new ApiError(AuthErrors.invalidTotpCode, undefined, [
          { field: 'body.code', rule: 'totp', message: 'is not the current code of the authenticator' },
        ]);
      }
      const backup = newBackupCodes();
      // The confirming code is spent like any other: it cannot then open a login in the same 30 s.
      await enableTotp(trx, userId, backup.stored, step);
      return { backup_codes: backup.codes };
    });
  }

  /**
   * Turns TOTP off. Needs the password and a current code (or a backup code): a stolen access token alone
   * cannot remove the second factor. Failures count towards the lockout of the account.
   */
  async disable(userId: string, proof: { password: string; code: string }, client: ClientContext): Promise<void> {
    const account = await findAccountById(this.#db, userId);
    if (!account) throw new ApiError(CommonProblems.unauthenticated);
    if (!(await this.isEnabled(userId))) throw new ApiError(AuthErrors.totpNotEnabled);
    const attempt = await this.#throttle.beginForAccount(account, client);
    if (!(await this.#hasher.verify(proof.password, account.password_hash))) {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_password' });
      throw new ApiError(AuthErrors.secondFactorIncorrect);
    }
    if (!(await this.verify(userId, proof.code))) {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_mfa_code' });
      throw new ApiError(AuthErrors.secondFactorIncorrect);
    }
    await this.#throttle.finish(attempt, { success: true });
    await inTransaction(this.#db, userId, (trx) => disableTotp(trx, userId));
  }

  /**
   * Whether `code` is a current TOTP code of the user not used before, or one of their unused backup codes;
   * either is used up. A TOTP code is accepted once: its time step must come after the last accepted one
   * (RFC 6238 §5.2), so the code that confirmed enrolment, or opened a login, is refused if presented again.
   * Everything happens under the row lock, so two requests racing with one code cannot both succeed.
   */
  async verify(userId: string, code: string): Promise<boolean> {
    return (await this.#spend(userId, code, null)) === 'accepted';
  }

  /**
   * The second step of a login: like verify, and the challenge (mfa_token) issued at `challengeIssuedAt` is
   * spent with it, so that it completes one login at most ('spent' when it already has).
   */
  async verifyLoginChallenge(
    userId: string,
    code: string,
    challengeIssuedAt: Date,
  ): Promise<'accepted' | 'refused' | 'spent'> {
    return this.#spend(userId, code, challengeIssuedAt);
  }

  async #spend(
    userId: string,
    code: string,
    challengeIssuedAt: Date | null,
  ): Promise<'accepted' | 'refused' | 'spent'> {
    const isTotp = /^\d{6}$/.test(code);
    if (!isTotp && !BACKUP_CODE.test(code)) return 'refused';
    return inTransaction(this.#db, userId, async (trx) => {
      const config = await findTwoFactorForUpdate(trx, userId);
      if (!config?.totp_enabled || !config.totp_secret) return 'refused';
      const spentThrough = config.mfa_tokens_spent_through;
      if (challengeIssuedAt && spentThrough && spentThrough.getTime() >= challengeIssuedAt.getTime()) return 'spent';
      if (isTotp) {
        const step = await totpCodeStep(this.#box.open(config.totp_secret, TOTP_SECRET_PURPOSE), code);
        if (step === null || !(await recordTotpStep(trx, userId, step))) return 'refused';
      } else {
        const presented = hashBackupCode(code);
        const codes = (config.backup_codes ?? []) as unknown as StoredBackupCode[];
        const match = codes.find((stored) => stored.used_at === null && sameHash(stored.hash, presented));
        if (!match) return 'refused';
        match.used_at = new Date().toISOString();
        await saveBackupCodes(trx, userId, codes);
      }
      if (challengeIssuedAt) await spendMfaChallengesThrough(trx, userId, challengeIssuedAt);
      return 'accepted';
    });
  }
}
