import type { Database } from '../../platform/db/pool.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import type { MailMessage } from '../../platform/mail/mailer.ts';
import {
  emailTakenByOther,
  findIdentity,
  findIdentityForUpdate,
  setUsername,
  spendEmailVerificationTokens,
} from './account-identity.repository.ts';
import type { EmailChangeBody, UsernameChangeBody, UsernameState } from './account-identity.schemas.ts';
import { AuthErrors } from './auth.errors.ts';
import { emailChangeMail } from './auth.mails.ts';
import {
  countEmailVerificationTokensSince,
  inTransaction,
  insertEmailVerificationToken,
  lockUsername,
  usernamesInUse,
} from './auth.repository.ts';
import type { ClientContext, LoginThrottle } from './login-throttle.ts';
import { newOpaqueToken } from './opaque-tokens.ts';
import type { PasswordHasher } from './password-hasher.ts';

/** ADR 0031: how long a name given up stays reserved to its account, and how often a name may change. */
export const USERNAME_HOLD_DAYS = 30;

/** Verification mails (registration, resends and email changes together) one account may cause within an hour. */
export const VERIFICATION_MAILS_PER_HOUR = 3;

/**
 * An account without a password (federated login only) proves it is its owner, before moving to another
 * address, by a login this recent (the rule account deletion applies, profiles domain).
 */
const REAUTHENTICATION_WINDOW_MS = 10 * 60 * 1000;

/** node-postgres' error fields (ADR 0028). */
interface DatabaseError {
  code?: string;
  constraint?: string;
}

function usernameTaken(): ApiError {
  return new ApiError(AuthErrors.usernameTaken, undefined, [
    { field: 'body.username', rule: 'unique', message: 'is already taken' },
  ]);
}

function stateOf(row: {
  username: string;
  previous_username: string | null;
  previous_username_held_until: Date | null;
}): UsernameState {
  const held = row.previous_username_held_until !== null && row.previous_username_held_until.getTime() > Date.now();
  const until = held ? row.previous_username_held_until!.toISOString() : null;
  return {
    username: row.username,
    previous_username: held ? row.previous_username : null,
    previous_username_held_until: until,
    next_change_after: until,
  };
}

/** Changes of the identifiers of an account: its username (ADR 0031) and its email address (ADR 0032). */
export class AccountIdentityService {
  readonly #db: Database;
  readonly #hasher: PasswordHasher;
  readonly #throttle: LoginThrottle;
  readonly #sendMail: (message: MailMessage) => void;
  readonly #settings: { publicUrl: string; emailVerificationTtlHours: number };

  constructor(deps: {
    db: Database;
    hasher: PasswordHasher;
    throttle: LoginThrottle;
    sendMail: (message: MailMessage) => void;
    settings: { publicUrl: string; emailVerificationTtlHours: number };
  }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
    this.#throttle = deps.throttle;
    this.#sendMail = deps.sendMail;
    this.#settings = deps.settings;
  }

  /**
   * ADR 0031. A new name at most once per hold period; the name given up stays reserved to the account for
   * the period, during which the account may take it back (the hold then keeps its end). Changing only the case
   * of the name gives nothing up and is always allowed. Audited (the users trigger, the caller as actor).
   */
  async changeUsername(userId: string, body: UsernameChangeBody): Promise<UsernameState> {
    const wanted = body.username;
    try {
      return await inTransaction(this.#db, userId, async (trx) => {
        await lockUsername(trx, wanted);
        const account = await findIdentityForUpdate(trx, userId);
        if (!account) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
        if (wanted === account.username) return stateOf(account);
        if (wanted.toLowerCase() === account.username.toLowerCase()) {
          return stateOf(
            await setUsername(trx, userId, {
              username: wanted,
              previousUsername: account.previous_username,
              heldUntil: account.previous_username_held_until,
            }),
          );
        }
        const current = stateOf(account);
        const takingBack = current.previous_username?.toLowerCase() === wanted.toLowerCase();
        if (current.next_change_after !== null && !takingBack) {
          throw new ApiError(
            AuthErrors.usernameChangeTooSoon,
            `A username changes once every ${USERNAME_HOLD_DAYS} days: the next change is possible after ` +
              `${current.next_change_after}; until then you may take back ${current.previous_username}`,
            [
              {
                field: 'body.username',
                rule: 'changeInterval',
                message: `may change after ${current.next_change_after}`,
              },
            ],
          );
        }
        if ((await usernamesInUse(trx, [wanted], userId)).size > 0) throw usernameTaken();
        const heldUntil = takingBack
          ? account.previous_username_held_until
          : new Date(Date.now() + USERNAME_HOLD_DAYS * 86_400_000);
        return stateOf(
          await setUsername(trx, userId, { username: wanted, previousUsername: account.username, heldUntil }),
        );
      });
    } catch (error) {
      // Two accounts racing for one name: the loser gets the same answer as if it had been taken before.
      const { code, constraint } = error as DatabaseError;
      if (code === '23505' && (constraint === 'uq_users_lower_username' || constraint === 'uq_users_username')) {
        throw usernameTaken();
      }
      throw error;
    }
  }

  /**
   * ADR 0032. Mails a link to the new address; the address changes only when the link is followed
   * (RegistrationService.verifyEmail), and the old address is then told. The password is required (checked
   * under the account's lockout), or, for an account without one, a recent login. The answer is the same
   * whether the new address belongs to another account or not; only a free one gets the link.
   */
  async requestEmailChange(userId: string, body: EmailChangeBody, client: ClientContext) {
    const email = body.email.toLowerCase();
    const account = await findIdentity(this.#db, userId);
    if (!account) throw new ApiError(CommonProblems.unauthenticated, 'The account no longer exists');
    if (email === account.email) {
      throw new ApiError(AuthErrors.emailUnchanged, undefined, [
        { field: 'body.email', rule: 'different', message: 'is already the address of this account' },
      ]);
    }
    await this.#proveOwner(account, body.current_password, client);
    const since = new Date(Date.now() - 3_600_000);
    if ((await countEmailVerificationTokensSince(this.#db, userId, since)) >= VERIFICATION_MAILS_PER_HOUR) {
      throw new ApiError(CommonProblems.tooManyRequests, 'Three verification mails an hour at most; check your inbox');
    }
    const link = newOpaqueToken();
    const taken = await inTransaction(this.#db, userId, async (trx) => {
      // A link to an address asked for earlier must not move the account there once another is wanted.
      await spendEmailVerificationTokens(trx, userId, account.email);
      // The token is stored even for a taken address, unmailed: the hourly count cannot tell taken from free.
      await insertEmailVerificationToken(trx, {
        userId,
        selector: link.selector,
        verifierHash: link.verifierHash,
        email,
        expiresAt: new Date(Date.now() + this.#settings.emailVerificationTtlHours * 3_600_000),
      });
      return emailTakenByOther(trx, email, userId);
    });
    if (!taken) {
      this.#sendMail(
        emailChangeMail(email, this.#settings.publicUrl, link.token, this.#settings.emailVerificationTtlHours),
      );
    }
    return { status: 'accepted' as const, expires_in_hours: this.#settings.emailVerificationTtlHours };
  }

  async #proveOwner(
    account: { id: string; email: string; username: string; password_hash: string | null; last_login_at: Date | null },
    password: string | undefined,
    client: ClientContext,
  ): Promise<void> {
    if (account.password_hash === null) {
      if (Date.now() - (account.last_login_at?.getTime() ?? 0) > REAUTHENTICATION_WINDOW_MS) {
        throw new ApiError(
          AuthErrors.reauthenticationRequired,
          'This account has no password: log in again with your provider, then change the address within 10 minutes',
        );
      }
      return;
    }
    if (password === undefined) {
      throw new ApiError(CommonProblems.validationFailed, 'current_password is required', [
        { field: 'body.current_password', rule: 'required', message: 'is required for an account with a password' },
      ]);
    }
    const attempt = await this.#throttle.beginForAccount(account, client);
    if (!(await this.#hasher.verify(password, account.password_hash))) {
      await this.#throttle.finish(attempt, { success: false, reason: 'invalid_password' });
      throw new ApiError(AuthErrors.currentPasswordIncorrect, undefined, [
        { field: 'body.current_password', rule: 'matches', message: 'is not the current password' },
      ]);
    }
    await this.#throttle.finish(attempt, { success: true });
  }
}
