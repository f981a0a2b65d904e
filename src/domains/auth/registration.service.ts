import type { Database } from '../../platform/db/pool.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import { ApiError, CommonProblems, type ProblemField } from '../../platform/http/problem.ts';
import { AuthErrors } from './auth.errors.ts';
import { emailChangedMail, verificationMail } from './auth.mails.ts';
import { emailTakenByOther, replaceEmail, spendEmailVerificationTokens } from './account-identity.repository.ts';
import { VERIFICATION_MAILS_PER_HOUR } from './account-identity.service.ts';
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
  lockUsername,
  markEmailVerificationTokenUsed,
  markEmailVerified,
  takenIdentity,
  usernamesInUse,
} from './auth.repository.ts';
import type { ClientContext } from './login-throttle.ts';
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

/** node-postgres' error fields (ADR 0028). */
interface DatabaseError {
  code?: string;
  constraint?: string;
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
  readonly #accountExists: (email: string, client: ClientContext) => Promise<void>;
  readonly #assertOpen: () => Promise<void>;

  constructor(deps: {
    db: Database;
    hasher: PasswordHasher;
    sendMail: (message: MailMessage) => void;
    settings: RegistrationSettings;
    /** Tells the owner of an address that someone registered with it again (ADR 0033). */
    accountExists: (email: string, client: ClientContext) => Promise<void>;
    /** Throws while registration is closed (the admin setting auth.registration_open, ADR 0096). */
    assertOpen?: () => Promise<void>;
  }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
    this.#sendMail = deps.sendMail;
    this.#settings = deps.settings;
    this.#accountExists = deps.accountExists;
    this.#assertOpen = deps.assertOpen ?? (() => Promise.resolve());
  }

  /**
   * Creates the account, its profile and settings rows, its first password_history entry and a
   * verification token in one transaction, then mails the link. The email is stored in lower case.
   * An address that already has an account is not refused (ADR 0033): nothing is created, its owner is mailed
   * instead, and the caller cannot tell the two apart (null is returned; the route answers alike). A username
   * in use is still a 409: usernames are public anyway.
   */
  async register(input: Registration, client: ClientContext) {
    await this.#assertOpen();
    const email = input.email.toLowerCase();
    if (input.data_processing_consent !== true) {
      // The schema already requires `true`; this guards any other caller.
      throw new ApiError(CommonProblems.validationFailed, 'Consent to data processing is required', [
        { field: 'body.data_processing_consent', rule: 'const', message: 'must be true' },
      ]);
    }
    const violations = passwordPolicyViolations(input.password, { username: input.username, email }, 'body.password');
    if (violations.length > 0) throw new ApiError(AuthErrors.weakPassword, undefined, violations);
    // Hashed before anything is looked up: a taken address must cost the same time as a new one.
    const passwordHash = await this.#hasher.hash(input.password);
    const taken = await takenIdentity(this.#db, email, input.username);
    if (taken.username) throw takenError({ email: false, username: true });
    if (taken.email) {
      await this.#accountExists(email, client);
      return null;
    }

    const verification = newOpaqueToken();
    let user;
    try {
      user = await inTransaction(this.#db, null, async (trx) => {
        // A name held after a change (ADR 0031) is in no index: checked again under the name's lock.
        await lockUsername(trx, input.username);
        if ((await usernamesInUse(trx, [input.username])).size > 0) throw takenError({ email: false, username: true });
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
      const constraint = (error as DatabaseError).code === '23505' ? (error as DatabaseError).constraint : '';
      if (constraint === 'uq_users_email') {
        await this.#accountExists(email, client);
        return null;
      }
      if (constraint === 'uq_users_username' || constraint === 'uq_users_lower_username') {
        throw takenError({ email: false, username: true });
      }
      throw error;
    }
    this.#sendMail(
      verificationMail(email, this.#settings.publicUrl, verification.token, this.#settings.emailVerificationTtlHours),
    );
    return user;
  }

  /**
   * Spends a verification token. A link to the account's address verifies it; a link to another address is an
   * email change (ADR 0032): the account moves to that address, now verified, every other outstanding link is
   * spent, and the old address is told. 409 EMAIL_TAKEN when another account took the address meanwhile.
   */
  async verifyEmail(token: string): Promise<void> {
    const parsed = parseOpaqueToken(token);
    if (!parsed) throw invalidTokenError();
    let outcome: { verified: false } | { verified: true; movedFrom: string | null; to: string };
    try {
      outcome = await this.#db.transaction().execute(async (trx) => {
        const row = await findEmailVerificationTokenForUpdate(trx, parsed.selector);
        if (!row || !verifierMatches(parsed.verifier, row.token_hash)) return { verified: false };
        if (row.verified || row.expires_at.getTime() <= Date.now()) return { verified: false };
        // The users row is audited: the account verifies itself (ADR 0013).
        await actAs(trx, row.user_id);
        const account = await findAccountById(trx, row.user_id);
        if (!account || account.deleted_at !== null) return { verified: false };
        if (account.email !== row.email) {
          if (await emailTakenByOther(trx, row.email, row.user_id)) throw takenError({ email: true, username: false });
          await replaceEmail(trx, row.user_id, row.email);
          await spendEmailVerificationTokens(trx, row.user_id);
          return { verified: true, movedFrom: account.email, to: row.email };
        }
        if (!(await markEmailVerified(trx, row.user_id, row.email))) return { verified: false };
        await markEmailVerificationTokenUsed(trx, row.id);
        return { verified: true, movedFrom: null, to: row.email };
      });
    } catch (error) {
      const { code, constraint } = error as DatabaseError;
      if (code === '23505' && constraint === 'uq_users_email') throw takenError({ email: true, username: false });
      throw error;
    }
    if (!outcome.verified) throw invalidTokenError();
    if (outcome.movedFrom !== null) this.#sendMail(emailChangedMail(outcome.movedFrom, outcome.to));
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
