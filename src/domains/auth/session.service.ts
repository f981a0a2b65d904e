import { createHash, randomUUID } from 'node:crypto';
import { DecryptionError, type SecretBox } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import type { Role } from '../../platform/http/caller.ts';
import type { AccessTokens } from './access-tokens.ts';
import { isSuspended } from './account-sanctions.ts';
import { AuthErrors } from './auth.errors.ts';
import {
  bumpTokenVersion,
  eraseRotations,
  findAccountById,
  findRotationWithinGrace,
  isRefreshTokenLive,
  findRefreshTokenForUpdate,
  findRefreshTokenOf,
  inTransaction,
  insertRefreshToken,
  listLiveSessions,
  revokeOwnSession,
  revokeRefreshToken,
  revokeRefreshTokenFamily,
  revokeUserRefreshTokens,
  saveRotation,
  type Executor,
  type RevocationReason,
} from './auth.repository.ts';
import { newOpaqueToken, parseOpaqueToken, verifierMatches } from './opaque-tokens.ts';

/** Where a session is used from: stored with its refresh token and listed in GET /v1/auth/sessions. */
export interface DeviceInfo {
  device_name?: string | null;
  device_type?: 'mobile' | 'desktop' | 'tablet' | null;
  user_agent?: string | null;
  ip_address?: string | null;
}

/** What a client receives when a session starts or is refreshed. The refresh token is shown this once. */
export interface IssuedSession {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
}

export interface SessionServiceDependencies {
  db: Database;
  accessTokens: AccessTokens;
  refreshTokenTtlDays: number;
  /**
   * Seals the pair a rotation answered, for the grace window of concurrent refreshes. Without it (a service
   * that only starts sessions) a refresh has no grace window.
   */
  box?: SecretBox;
}

/**
 * How long after a rotation the same refresh token still gets the same answer: two tabs, or a retry after a
 * lost response, refresh within a second or two. Past it, the token presented again is taken as stolen.
 */
export const REFRESH_GRACE_SECONDS = 10;

/** refresh_tokens.rotation_sealed_token is sealed for this purpose only (ADR 0023). */
const ROTATION_PURPOSE = 'refresh_tokens.rotation_sealed_token';

/** What a rotation answered, kept sealed for the grace window. */
interface SealedRotation {
  successorId: string;
  session: IssuedSession;
  /** Epoch milliseconds at which the access token of `session` expires. */
  accessExpiresAt: number;
  /** SHA-256 of the User-Agent of the winning request: a replay must come from the same kind of client. */
  userAgent: string;
}

function fingerprint(userAgent: string | null | undefined): string {
  return createHash('sha256')
    .update(userAgent ?? '')
    .digest('base64url');
}

const USER_AGENT_MAX = 512;
const DEVICE_NAME_MAX = 255;

function usable(account: {
  is_active: boolean;
  is_banned: boolean;
  suspended_until: Date | null;
  deleted_at: Date | null;
}): boolean {
  return account.is_active && !account.is_banned && account.deleted_at === null && !isSuspended(account);
}

function clip(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  return value.length > max ? value.slice(0, max) : value;
}

/**
 * Sessions: a short-lived access token (JWT, carrying token_version) plus an opaque refresh token
 * `selector.verifier` stored hashed with its device (ADR 0021). Refresh tokens rotate on every use; each
 * login starts a family, and presenting a token that was already rotated revokes the whole family.
 */
export class SessionService {
  readonly #db: Database;
  readonly #accessTokens: AccessTokens;
  readonly #refreshTtlMs: number;
  readonly #box: SecretBox | undefined;

  constructor(deps: SessionServiceDependencies) {
    this.#db = deps.db;
    this.#accessTokens = deps.accessTokens;
    this.#refreshTtlMs = deps.refreshTokenTtlDays * 86_400_000;
    this.#box = deps.box;
  }

  /**
   * Starts a new session (a new refresh token family) for an account whose identity the caller has
   * already proven (password and second factor, or a federated login). Refuses an inactive, banned or
   * deleted account with ACCOUNT_DISABLED. It does not touch the login bookkeeping (last_login_at,
   * login_count, last_login_ip): each sign-in method records its login. Stable signature: other sign-in
   * methods call it.
   */
  async issue(userId: string, device: DeviceInfo = {}): Promise<IssuedSession> {
    const account = await findAccountById(this.#db, userId);
    if (!account || !usable(account)) throw new ApiError(AuthErrors.accountDisabled);
    const id = randomUUID();
    const refresh = await this.#storeRefreshToken(this.#db, {
      id,
      familyId: id,
      userId,
      deviceName: clip(device.device_name, DEVICE_NAME_MAX),
      deviceType: device.device_type ?? null,
      userAgent: clip(device.user_agent, USER_AGENT_MAX),
      ip: device.ip_address ?? null,
    });
    return this.#answer(account, refresh);
  }

  /**
   * Exchanges a refresh token for a new pair. The presented token is revoked ('rotated') and its
   * successor joins the same family; a token presented again after its rotation is taken as stolen: the
   * whole family is revoked ('reuse_detected') and the answer is 401, as for any invalid token. One exception:
   * within REFRESH_GRACE_SECONDS of its rotation, from a client with the same User-Agent, and while the
   * successor is still live, the token gets the pair its rotation answered, so that two tabs refreshing at
   * once both keep the session. The pair is kept sealed (ADR 0023) and erased once the window has passed.
   */
  async refresh(presented: string, device: Pick<DeviceInfo, 'user_agent' | 'ip_address'> = {}) {
    const parsed = parseOpaqueToken(presented);
    if (!parsed) throw new ApiError(AuthErrors.invalidRefreshToken);
    const outcome = await this.#db.transaction().execute(async (trx) => {
      // The row lock queues concurrent refreshes of one token: the first rotates, the others see its result.
      const token = await findRefreshTokenForUpdate(trx, parsed.selector);
      if (!token || !verifierMatches(parsed.verifier, token.token_hash)) return { kind: 'invalid' as const };
      if (token.is_revoked) {
        if (token.revoked_reason !== 'rotated') return { kind: 'invalid' as const };
        const replayed = await this.#replayWithinGrace(trx, token.id, device.user_agent);
        if (replayed) return { kind: 'replayed' as const, session: replayed };
        await revokeRefreshTokenFamily(trx, token, 'reuse_detected');
        await eraseRotations(trx, token, null);
        return { kind: 'reused' as const };
      }
      if (token.expires_at.getTime() <= Date.now()) return { kind: 'invalid' as const };
      const account = await findAccountById(trx, token.user_id);
      if (!account || !usable(account)) return { kind: 'invalid' as const };
      await revokeRefreshToken(trx, token.id, 'rotated');
      const successorId = randomUUID();
      const refresh = await this.#storeRefreshToken(trx, {
        id: successorId,
        familyId: token.family_id ?? token.id,
        userId: token.user_id,
        deviceName: token.device_name,
        deviceType: token.device_type,
        userAgent: clip(device.user_agent, USER_AGENT_MAX) ?? token.user_agent,
        ip: device.ip_address ?? token.ip_address,
      });
      const session = await this.#answer(account, refresh);
      if (this.#box) {
        const kept: SealedRotation = {
          successorId,
          session,
          accessExpiresAt: Date.now() + session.expires_in * 1000,
          userAgent: fingerprint(device.user_agent),
        };
        await saveRotation(trx, token.id, this.#box.seal(JSON.stringify(kept), ROTATION_PURPOSE));
        await eraseRotations(trx, token, REFRESH_GRACE_SECONDS);
      }
      return { kind: 'rotated' as const, session };
    });
    // The family's revocation is committed before the refusal.
    if (outcome.kind === 'reused')
      throw new ApiError(AuthErrors.invalidRefreshToken, 'This refresh token was already used: the session is revoked');
    if (outcome.kind === 'invalid') throw new ApiError(AuthErrors.invalidRefreshToken);
    return outcome.session;
  }

  /** The pair a rotation of `tokenId` answered, if it may be answered again now; otherwise null. */
  async #replayWithinGrace(
    trx: Executor,
    tokenId: string,
    userAgent: string | null | undefined,
  ): Promise<IssuedSession | null> {
    if (!this.#box) return null;
    const sealed = await findRotationWithinGrace(trx, tokenId, REFRESH_GRACE_SECONDS);
    if (!sealed) return null;
    let kept: SealedRotation;
    try {
      kept = JSON.parse(this.#box.open(sealed, ROTATION_PURPOSE)) as SealedRotation;
    } catch (error) {
      // A key rotated out of the configuration: no grace, the ordinary rule applies.
      if (error instanceof DecryptionError || error instanceof SyntaxError) return null;
      throw error;
    }
    if (kept.userAgent !== fingerprint(userAgent)) return null;
    // The successor already rotated, or revoked (logout, password change): nothing to share any more.
    if (!(await isRefreshTokenLive(trx, kept.successorId))) return null;
    const expiresIn = Math.max(0, Math.round((kept.accessExpiresAt - Date.now()) / 1000));
    return { ...kept.session, expires_in: expiresIn };
  }

  /** Ends the session of one device: the caller's own refresh token, else SESSION_NOT_FOUND. */
  async logout(userId: string, presented: string): Promise<void> {
    const tokenId = await this.ownTokenId(userId, presented);
    if (!tokenId) throw new ApiError(AuthErrors.sessionNotFound);
    await revokeRefreshToken(this.#db, tokenId, 'logout');
  }

  /** Ends every session: token_version is bumped (every access token dies) and every refresh token revoked. */
  async logoutAll(userId: string): Promise<void> {
    await inTransaction(this.#db, userId, async (trx) => {
      await bumpTokenVersion(trx, userId);
      await revokeUserRefreshTokens(trx, userId, 'logout_all');
    });
  }

  /** Id of the caller's own refresh token when `presented` is one (revoked or not), else null. */
  async ownTokenId(userId: string, presented: string): Promise<string | null> {
    const parsed = parseOpaqueToken(presented);
    if (!parsed) return null;
    const token = await findRefreshTokenOf(this.#db, userId, parsed.selector);
    return token && verifierMatches(parsed.verifier, token.token_hash) ? token.id : null;
  }

  /** Id of the caller's own refresh token when `presented` is one that is neither revoked nor expired. */
  async liveTokenId(userId: string, presented: string): Promise<string | null> {
    const parsed = parseOpaqueToken(presented);
    if (!parsed) return null;
    const token = await findRefreshTokenOf(this.#db, userId, parsed.selector);
    if (!token || !verifierMatches(parsed.verifier, token.token_hash)) return null;
    return !token.is_revoked && token.expires_at.getTime() > Date.now() ? token.id : null;
  }

  /**
   * Inside a caller's transaction (password change or reset): bumps token_version and revokes every
   * refresh token of the user but `keepTokenId`. Returns a fresh access token for the kept device.
   */
  async revokeOthers(trx: Executor, userId: string, reason: RevocationReason, keepTokenId?: string) {
    const account = await bumpTokenVersion(trx, userId);
    await revokeUserRefreshTokens(trx, userId, reason, keepTokenId);
    return account;
  }

  /** A new access token for an account whose token_version was just bumped (the device that made the change). */
  async accessToken(account: { id: string; token_version: number; role: Role }) {
    const { token, expiresAt } = await this.#accessTokens.issue({
      userId: account.id,
      tokenVersion: account.token_version,
      role: account.role,
    });
    return {
      access_token: token,
      token_type: 'Bearer' as const,
      expires_in: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
    };
  }

  /** The caller's live sessions (devices), newest first. */
  async list(userId: string, page: { limit: number; cursor?: string | undefined }) {
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const rows = await listLiveSessions(this.#db, userId, page.limit, after);
    return toPage(rows, page.limit);
  }

  /** Revokes one of the caller's sessions; another user's (or an unknown) id is SESSION_NOT_FOUND. */
  async revoke(userId: string, sessionId: string): Promise<void> {
    if (!(await revokeOwnSession(this.#db, userId, sessionId))) throw new ApiError(AuthErrors.sessionNotFound);
  }

  async #storeRefreshToken(
    db: Executor,
    token: {
      id: string;
      familyId: string;
      userId: string;
      deviceName: string | null;
      deviceType: string | null;
      userAgent: string | null;
      ip: string | null;
    },
  ): Promise<string> {
    const opaque = newOpaqueToken();
    await insertRefreshToken(db, {
      ...token,
      selector: opaque.selector,
      verifierHash: opaque.verifierHash,
      expiresAt: new Date(Date.now() + this.#refreshTtlMs),
    });
    return opaque.token;
  }

  async #answer(
    account: { id: string; token_version: number; role: Role },
    refreshToken: string,
  ): Promise<IssuedSession> {
    return { ...(await this.accessToken(account)), refresh_token: refreshToken };
  }
}
