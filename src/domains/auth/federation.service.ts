import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { SecretBox } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { authPolicy } from './auth.policy.ts';
import { findAccountState } from './account-state.repository.ts';
import {
  findAccountById,
  findTwoFactor,
  inTransaction,
  insertLoginAttempt,
  insertProfileDefaults,
  recordSuccessfulLogin,
} from './auth.repository.ts';
import type { MfaChallenges } from './mfa-challenge.ts';
import type { DeviceInfo, IssuedSession, SessionService } from './session.service.ts';
import type { OidcProviders, ProviderIdentity, ProviderTokens } from './federation.client.ts';
import { FederationProblems } from './federation.errors.ts';
import * as repository from './federation.repository.ts';
import {
  clearedLoginStateCookie,
  loginStateCookie,
  openLoginState,
  openRegistration,
  REGISTRATION_TTL_SECONDS,
  sealLoginState,
  sealRegistration,
  type LoginState,
  type PendingRegistration,
} from './federation.state.ts';

/** The auth domain's session issuing, as federated login uses it (session.service.ts). */
export type SessionIssuer = Pick<SessionService, 'issue'>;
type SessionTokens = IssuedSession;

export interface FederationServiceDependencies {
  db: Database;
  providers: OidcProviders;
  redirectUris: readonly string[];
  box: SecretBox;
  sessions: SessionIssuer;
  /** The second-factor step of password logins, which a federated login goes through too when TOTP is on. */
  challenges: Pick<MfaChallenges, 'issue'>;
  /** Throws while registration is closed (the admin setting auth.registration_open, ADR 0096). */
  assertRegistrationOpen?: () => Promise<void>;
}

export type CallbackOutcome =
  | ({ outcome: 'logged_in'; user_id: string } & SessionTokens)
  | { outcome: 'mfa_required'; mfa_token: string; expires_in: number }
  | { outcome: 'linked'; identity: Identity }
  | {
      outcome: 'registration_required';
      registration_token: string;
      expires_in: number;
      provider: string;
      email: string;
      email_verified: boolean;
      suggested_username: string;
    };

type IdentityRow = NonNullable<Awaited<ReturnType<typeof repository.findOwnIdentity>>>;

/** An identity as the API shows it (timestamps as RFC 3339 strings). */
export type Identity = Omit<IdentityRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

function identityView(row: IdentityRow): Identity {
  return { ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

export interface RegistrationInput {
  registration_token: string;
  username?: string | undefined;
  data_processing_consent: true;
  marketing_consent?: boolean | undefined;
}

/** users.email's CHECK (chk_users_email_format): a provider email that fails it cannot become an account's. */
const EMAIL_FORMAT = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const USERNAME_BASE_LENGTH = 24;
const SUFFIXED_CANDIDATES = 8;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A username (chk_users_username_format: 3-30 of A-Za-z0-9_) derived from what the provider knows. */
export function usernameBase(identity: Pick<ProviderIdentity, 'username' | 'email' | 'displayName'>): string {
  for (const source of [identity.username, identity.email?.split('@')[0], identity.displayName]) {
    const base = (source ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, USERNAME_BASE_LENGTH);
    if (base.length >= 3) return base;
    if (base.length > 0) return `${base}_user`;
  }
  return 'user';
}

/**
 * Federated login and account linking over OpenID Connect (ADR 0025): authorization code flow with PKCE,
 * state and nonce kept in a sealed cookie, provider tokens encrypted at rest, no silent linking by email.
 */
export class FederationService {
  readonly #deps: FederationServiceDependencies;

  constructor(deps: FederationServiceDependencies) {
    this.#deps = deps;
  }

  #requireProvider(provider: string): void {
    if (!this.#deps.providers.has(provider)) throw new ApiError(FederationProblems.unknownProvider);
  }

  #requireAllowedRedirect(redirectUri: string, field: string): void {
    if (!this.#deps.redirectUris.includes(redirectUri)) {
      throw new ApiError(FederationProblems.redirectUriNotAllowed, undefined, [
        { field, rule: 'allowList', message: 'is not in VEZA_OIDC_REDIRECT_URIS' },
      ]);
    }
  }

  /**
   * Begins a login (or, with `linkFor`, the linking of a provider to the caller's account): the URL to send the
   * browser to, and the cookie holding state, nonce and PKCE verifier until the callback.
   */
  async start(
    provider: string,
    redirectUri: string,
    field: string,
    linkFor: Caller | null,
  ): Promise<{ authorizationUrl: string; cookie: string }> {
    this.#requireProvider(provider);
    this.#requireAllowedRedirect(redirectUri, field);
    let link: LoginState['link'] = null;
    if (linkFor) {
      const account = await findAccountState(this.#deps.db, linkFor.userId);
      if (!account) throw new ApiError(CommonProblems.unauthenticated);
      link = { userId: account.id, tokenVersion: account.token_version };
    }
    const state: LoginState = {
      provider,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      redirectUri,
      link,
    };
    const url = await this.#deps.providers.authorizationUrl(provider, state);
    return { authorizationUrl: url.href, cookie: loginStateCookie(sealLoginState(this.#deps.box, state)) };
  }

  /** The cookie that ends a login attempt, whatever its outcome. */
  clearCookie(): string {
    return clearedLoginStateCookie();
  }

  /**
   * The provider sent the browser back: check the state against the cookie, exchange the code (PKCE verifier,
   * ID token and nonce validated), then log in, link, or ask for consent to register.
   */
  async callback(
    provider: string,
    parameters: Record<string, string>,
    sealedState: string | undefined,
    caller: Caller | null,
    device: DeviceInfo,
  ): Promise<CallbackOutcome> {
    this.#requireProvider(provider);
    const login = sealedState ? openLoginState(this.#deps.box, sealedState) : null;
    if (!login || login.provider !== provider) {
      throw new ApiError(FederationProblems.invalidState, 'No login attempt for this provider is in progress here');
    }
    if (typeof parameters.state !== 'string' || !sameSecret(parameters.state, login.state)) {
      throw new ApiError(FederationProblems.invalidState, 'The state does not match the login attempt', [
        { field: 'query.state', rule: 'state', message: 'does not match the login attempt' },
      ]);
    }
    if (login.link && caller && caller.userId !== login.link.userId) {
      throw new ApiError(FederationProblems.invalidState, 'Another user started this linking');
    }
    const callbackUrl = new URL(login.redirectUri);
    callbackUrl.search = new URLSearchParams(parameters).toString();
    const { identity, tokens } = await this.#deps.providers.exchange(provider, callbackUrl, login);
    if (login.link) return this.#link(provider, identity, tokens, login.link);
    return this.#logIn(provider, identity, tokens, device);
  }

  #identityWrite(provider: string, identity: ProviderIdentity, tokens: ProviderTokens): repository.IdentityWrite {
    const { box } = this.#deps;
    return {
      provider,
      providerUserId: identity.subject,
      encryptedAccessToken: box.seal(tokens.accessToken, 'federated_identities.access_token'),
      encryptedRefreshToken: tokens.refreshToken
        ? box.seal(tokens.refreshToken, 'federated_identities.refresh_token')
        : null,
      tokenExpiresAt: tokens.expiresAt,
      email: identity.email,
      username: identity.username,
      avatarUrl: identity.avatarUrl,
      profile: identity.profile,
    };
  }

  async #link(
    provider: string,
    identity: ProviderIdentity,
    tokens: ProviderTokens,
    link: NonNullable<LoginState['link']>,
  ): Promise<CallbackOutcome> {
    const account = await findAccountState(this.#deps.db, link.userId);
    // Logging out everywhere (or a ban) since the linking began cancels it.
    if (
      !account ||
      !account.is_active ||
      account.is_banned ||
      account.deleted_at !== null ||
      account.token_version !== link.tokenVersion
    ) {
      throw new ApiError(FederationProblems.invalidState, 'The session that started this linking has ended');
    }
    const write = this.#identityWrite(provider, identity, tokens);
    const identityId = await inTransaction(this.#deps.db, account.id, async (trx) => {
      const existing = await repository.findIdentity(trx, provider, identity.subject);
      if (existing && existing.user_id !== account.id) throw new ApiError(FederationProblems.identityInUse);
      if (existing) {
        await repository.updateIdentity(trx, existing.id, write);
        return existing.id;
      }
      return repository.insertIdentity(trx, account.id, write, false);
    });
    const linked = await repository.findOwnIdentity(this.#deps.db, account.id, identityId);
    if (!linked) throw new Error('the identity just linked is gone');
    return { outcome: 'linked', identity: identityView(linked) };
  }

  async #logIn(
    provider: string,
    identity: ProviderIdentity,
    tokens: ProviderTokens,
    device: DeviceInfo,
  ): Promise<CallbackOutcome> {
    const { db } = this.#deps;
    const existing = await repository.findIdentity(db, provider, identity.subject);
    if (existing) {
      const account = await findAccountById(db, existing.user_id);
      if (!account || !account.is_active || account.is_banned || account.deleted_at !== null) {
        throw new ApiError(FederationProblems.accountUnavailable);
      }
      const write = this.#identityWrite(provider, identity, tokens);
      await inTransaction(db, account.id, (trx) => repository.updateIdentity(trx, existing.id, write));
      // The provider vouches for its own account; the second factor protects this one against a compromised
      // provider account, as it does against a leaked password (ADR 0025).
      if ((await findTwoFactor(db, account.id))?.totp_enabled === true) {
        await this.#recordAttempt(account.email, 'mfa_required', device);
        const challenge = this.#deps.challenges.issue({
          userId: account.id,
          tokenVersion: account.token_version,
          identifier: account.email,
          deviceName: null,
          deviceType: null,
        });
        return { outcome: 'mfa_required', mfa_token: challenge.token, expires_in: challenge.expiresIn };
      }
      const session = await this.#deps.sessions.issue(account.id, device);
      await this.#recordAttempt(account.email, null, device);
      await recordSuccessfulLogin(db, account.id, device.ip_address ?? null);
      return { outcome: 'logged_in', user_id: account.id, ...session };
    }
    const email = this.#usableEmail(identity);
    // Never link by email silently: whoever controls the provider account (or pre-registered the address)
    // would get the other account. The owner logs in and links explicitly (ADR 0025).
    if (await repository.emailInUse(db, email)) throw new ApiError(FederationProblems.accountExists);
    const pending: PendingRegistration = {
      provider,
      identity,
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt?.toISOString() ?? null,
      },
      suggestedUsername: await this.#freeUsername(usernameBase(identity)),
    };
    return {
      outcome: 'registration_required',
      registration_token: sealRegistration(this.#deps.box, pending),
      expires_in: REGISTRATION_TTL_SECONDS,
      provider,
      email,
      email_verified: identity.emailVerified,
      suggested_username: pending.suggestedUsername,
    };
  }

  /** Federated logins appear in login_attempts like password ones, under the account's email. */
  async #recordAttempt(email: string, failure: 'mfa_required' | null, device: DeviceInfo): Promise<void> {
    if (!device.ip_address) return;
    await insertLoginAttempt(this.#deps.db, {
      identifier: email,
      success: failure === null,
      failureReason: failure,
      ip: device.ip_address,
      userAgent: device.user_agent?.slice(0, 512) ?? null,
    });
  }

  #usableEmail(identity: ProviderIdentity): string {
    if (!identity.email || !EMAIL_FORMAT.test(identity.email)) throw new ApiError(FederationProblems.emailRequired);
    return identity.email;
  }

  /** `base` if free, else `base_NNNN` with a random number; the candidates are checked in one query. */
  async #freeUsername(base: string): Promise<string> {
    const candidates = [
      base,
      ...Array.from({ length: SUFFIXED_CANDIDATES }, () => `${base}_${randomInt(1000, 10_000)}`),
    ];
    const taken = await repository.takenUsernames(this.#deps.db, candidates);
    return candidates.find((candidate) => !taken.has(candidate)) ?? `${base}_${randomInt(10_000, 100_000)}`;
  }

  /**
   * The person consented: create the account (no password), its federated identity (primary login method) and
   * a session. The registration token works once: the identity then exists.
   */
  async completeRegistration(
    input: RegistrationInput,
    device: DeviceInfo,
  ): Promise<{ user_id: string } & SessionTokens> {
    await this.#deps.assertRegistrationOpen?.();
    const pending = openRegistration(this.#deps.box, input.registration_token);
    if (!pending) {
      throw new ApiError(FederationProblems.registrationTokenInvalid, undefined, [
        { field: 'body.registration_token', rule: 'registrationToken', message: 'is invalid or expired' },
      ]);
    }
    const { db } = this.#deps;
    const email = this.#usableEmail(pending.identity);
    const username = input.username ?? pending.suggestedUsername;
    const userId = randomUUID();
    const write = this.#identityWrite(pending.provider, pending.identity, {
      accessToken: pending.tokens.accessToken,
      refreshToken: pending.tokens.refreshToken,
      expiresAt: pending.tokens.expiresAt ? new Date(pending.tokens.expiresAt) : null,
    });
    // The new user is the actor of their own creation (the audit trigger finds the row it just inserted).
    await inTransaction(db, userId, async (trx) => {
      if (await repository.findIdentity(trx, pending.provider, pending.identity.subject)) {
        throw new ApiError(FederationProblems.identityInUse);
      }
      if (await repository.emailInUse(trx, email)) throw new ApiError(FederationProblems.accountExists);
      if ((await repository.takenUsernames(trx, [username])).size > 0) {
        throw new ApiError(CommonProblems.conflict, 'This username is already taken', [
          { field: 'body.username', rule: 'uq_users_username', message: 'is already taken' },
        ]);
      }
      await repository.insertFederatedUser(trx, {
        id: userId,
        email,
        emailVerified: pending.identity.emailVerified,
        username,
        displayName: pending.identity.displayName?.slice(0, 100) ?? null,
        marketingConsent: input.marketing_consent ?? false,
      });
      // The profile and settings rows every account has, as a password registration makes them.
      await insertProfileDefaults(trx, userId);
      await repository.insertIdentity(trx, userId, write, true);
      await recordSuccessfulLogin(trx, userId, device.ip_address ?? null);
    });
    const session = await this.#deps.sessions.issue(userId, device);
    await this.#recordAttempt(email, null, device);
    return { user_id: userId, ...session };
  }

  async listIdentities(userId: string, page: PageQuery) {
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const rows = await repository.listIdentities(this.#deps.db, userId, page.limit, after);
    const { items, next_cursor } = toPage(rows, page.limit);
    return { items: items.map(identityView), next_cursor };
  }

  /** Unlinks one of the caller's identities, unless it is their last way to log in. */
  async unlinkIdentity(userId: string, identityId: string): Promise<void> {
    await inTransaction(this.#deps.db, userId, async (trx) => {
      const methods = await repository.lockLoginMethods(trx, userId);
      if (!methods) throw new ApiError(CommonProblems.notFound, 'No such identity');
      authorize(authPolicy.unlinkIdentity({ userId }, await repository.findIdentityOwner(trx, identityId)));
      if (!methods.hasPassword && methods.identities <= 1) throw new ApiError(FederationProblems.lastLoginMethod);
      await repository.deleteIdentity(trx, userId, identityId);
    });
  }
}
