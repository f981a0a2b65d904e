import type { Database } from '../../platform/db/pool.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import { ApiError, CommonProblems, type ProblemField } from '../../platform/http/problem.ts';
import { AuthErrors } from './auth.errors.ts';
import { verificationMail } from './auth.mails.ts';
import {
  actAs,
  addPasswordHistory,
  countEmailVerificationTokensSince,
  findAccountById,
  findEmailVerificationTokenForUpdate,
  inTransaction,
  insertAccount,
  insertEmailVerificationToken,
  insertProfileDefaults,
  markEmailVerificationTokenUsed,
  markEmailVerified,
  takenIdentity,
  type Executor,
} from './auth.repository.ts';
import { newOpaqueToken, parseOpaqueToken, verifierMatches } from './opaque-tokens.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { passwordPolicyViolations } from './password-policy.ts';

export interface RegistrationSettings {
  publicUrl: string;
  emailVerificationTtlHours: number;
}

export interface Registration {
  email: string;
  username: string;
  password: string;
  data_processing_consent: boolean;
  marketing_consent?: boolean | undefined;
}

/** Verification mails one account may ask for within an hour (the one sent at registration included). */
const VERIFICATION_MAILS_PER_HOUR = 3;

interface DatabaseError {
  code?: string;
  constraint_name?: string;
}

export function invalidTokenError(): ApiError {
  return new ApiError(AuthErrors.invalidToken, undefined, [
    { field: 'body.token', rule: 'validToken', message: 'is invalid, expired or already used' },
  ]);
}

/** Registration with explicit consent (spec §19.1) and email verification by a single-use link. */
export class RegistrationService {
  readonly #db: Database;
  readonly #hasher: PasswordHasher;
  readonly #sendMail: (message: MailMessage) => void;
  readonly #settings: RegistrationSettings;

  constructor(deps: {
    db: Database;
    hasher: PasswordHasher;
    sendMail: (message: MailMessage) => void;
    settings: RegistrationSettings;
  }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
    this.#sendMail = deps.sendMail;
    this.#settings = deps.settings;
  }

  /**
   * Creates the account, its profile and settings rows, its first password_history entry and a
   * verification token in one transaction, then mails the link. The email is stored in lower case.
   */
  async register(input: Registration) {
    const email = input.email.toLowerCase();
    if (input.data_processing_consent !== true) {
      // The schema already requires `true`; this guards any other caller.
      throw new ApiError(CommonProblems.validationFailed, 'Consent to data processing is required', [
        { field: 'body.data_processing_consent', rule: 'const', message: 'must be true' },
      ]);
    }
    const violations = passwordPolicyViolations(input.password, { username: input.username, email }, 'body.password');
    if (violations.length > 0) throw new ApiError(AuthErrors.weakPassword, undefined, violations);
    await this.#refuseTaken(this.#db, email, input.username);

    const passwordHash = await this.#hasher.hash(input.password);
    const verification = newOpaqueToken();
    let user;
    try {
      user = await inTransaction(this.#db, null, async (trx) => {
        const created = await insertAccount(trx, {
          email,
          username: input.username,
          passwordHash,
          marketingConsent: input.marketing_consent ?? false,
        });
        await insertProfileDefaults(trx, created.id);
        await addPasswordHistory(trx, created.id, passwordHash);
        await insertEmailVerificationToken(trx, {
          userId: created.id,
          selector: verification.selector,
          verifierHash: verification.verifierHash,
          email,
          expiresAt: this.#verificationExpiry(),
        });
        return created;
      });
    } catch (error) {
      // Two registrations racing for the same email or username: the loser gets the same answer.
      const constraint = (error as DatabaseError).code === '23505' ? (error as DatabaseError).constraint_name : '';
      if (constraint === 'uq_users_email') throw takenError({ email: true, username: false });
      if (constraint === 'uq_users_username') throw takenError({ email: false, username: true });
      throw error;
    }
    this.#sendMail(
      verificationMail(email, this.#settings.publicUrl, verification.token, this.#settings.emailVerificationTtlHours),
    );
    return user;
  }

  /** Spends a verification token: the account's address is verified if it is still the one the mail went to. */
  async verifyEmail(token: string): Promise<void> {
    const parsed = parseOpaqueToken(token);
    if (!parsed) throw invalidTokenError();
    const verified = await this.#db.transaction().execute(async (trx) => {
      const row = await findEmailVerificationTokenForUpdate(trx, parsed.selector);
      if (!row || !verifierMatches(parsed.verifier, row.token_hash)) return false;
      if (row.verified || row.expires_at.getTime() <= Date.now()) return false;
      // The users row is audited: the account verifies itself (ADR 0013).
      await actAs(trx, row.user_id);
      if (!(await markEmailVerified(trx, row.user_id, row.email))) return false;
      await markEmailVerificationTokenUsed(trx, row.id);
      return true;
    });
    if (!verified) throw invalidTokenError();
  }

  /** Sends a new verification link to the caller's address (at most three an hour). */
  async resendVerification(userId: string): Promise<void> {
    const account = await findAccountById(this.#db, userId);
    if (!account) throw new ApiError(CommonProblems.unauthenticated);
    if (account.email_verified_at) throw new ApiError(AuthErrors.emailAlreadyVerified);
    const recent = await countEmailVerificationTokensSince(this.#db, userId, new Date(Date.now() - 3_600_000));
    if (recent >= VERIFICATION_MAILS_PER_HOUR) {
      throw new ApiError(CommonProblems.tooManyRequests, 'Three verification mails an hour at most; check your inbox');
    }
    const verification = newOpaqueToken();
    await insertEmailVerificationToken(this.#db, {
      userId,
      selector: verification.selector,
      verifierHash: verification.verifierHash,
      email: account.email,
      expiresAt: this.#verificationExpiry(),
    });
    this.#sendMail(
      verificationMail(
        account.email,
        this.#settings.publicUrl,
        verification.token,
        this.#settings.emailVerificationTtlHours,
      ),
    );
  }

  async #refuseTaken(db: Executor, email: string, username: string): Promise<void> {
    const taken = await takenIdentity(db, email, username);
    if (taken.email || taken.username) throw takenError(taken);
  }

  #verificationExpiry(): Date {
    return new Date(Date.now() + this.#settings.emailVerificationTtlHours * 3_600_000);
  }
}

function takenError(taken: { email: boolean; username: boolean }): ApiError {
  const errors: ProblemField[] = [];
  if (taken.email) errors.push({ field: 'body.email', rule: 'unique', message: 'is already registered' });
  if (taken.username) errors.push({ field: 'body.username', rule: 'unique', message: 'is already taken' });
  return new ApiError(taken.email ? AuthErrors.emailTaken : AuthErrors.usernameTaken, undefined, errors);
}
