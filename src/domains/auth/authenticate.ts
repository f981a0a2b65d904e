import type { Database } from '../../platform/db/pool.ts';
import type { Authenticator } from '../../platform/http/caller.ts';
import type { AccessClaims, AccessTokens } from './access-tokens.ts';
import { isSuspended } from './account-sanctions.ts';
import { findAccountState } from './account-state.repository.ts';

/** Enough for every token in use at once on an instance; past it the oldest are verified again. */
const VERIFIED_TOKENS_MAX = 10_000;

interface Verified {
  claims: AccessClaims;
  expiresAtMs: number;
}

/**
 * The claims of tokens whose signature was already checked, until they expire. What a signed token says never
 * changes, so this holds no account state: revocation (token_version), bans and deletion are still read from
 * the database on every request. It saves the signature check, the costliest step of an authenticated request
 * after the database read (ADR 0030).
 */
class VerifiedTokens {
  readonly #entries = new Map<string, Verified>();

  get(token: string, nowMs: number): AccessClaims | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs > nowMs) return entry.claims;
    this.#entries.delete(token);
    return undefined;
  }

  remember(token: string, claims: AccessClaims): void {
    const expiresAtMs = expiryOf(token);
    if (expiresAtMs === undefined) return;
    if (this.#entries.size >= VERIFIED_TOKENS_MAX) {
      // Insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { claims, expiresAtMs });
  }
}

/** `exp` of a token whose signature has been verified (so its payload is ours), in milliseconds. */
function expiryOf(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/**
 * A valid signature is not enough: the account must still be active, not banned, not suspended, not deleted, and its
 * token_version unchanged since the token was issued (logout-all and password changes bump it).
 * The role comes from the account, not the token, so a demotion takes effect at once.
 */
export function createAuthenticator(tokens: AccessTokens, db: Database): Authenticator {
  const verified = new VerifiedTokens();
  return async (bearerToken) => {
    let claims = verified.get(bearerToken, Date.now());
    if (!claims) {
      const checked = await tokens.verify(bearerToken);
      if (!checked) return null;
      verified.remember(bearerToken, checked);
      claims = checked;
    }
    const account = await findAccountState(db, claims.userId);
    if (!account || !account.is_active || account.is_banned || account.deleted_at !== null) return null;
    if (isSuspended(account)) return null;
    if (account.token_version !== claims.tokenVersion) return null;
    return { userId: account.id, role: account.role };
  };
}
