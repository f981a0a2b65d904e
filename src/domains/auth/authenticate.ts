import type { Database } from '../../platform/db/pool.ts';
import type { Authenticator } from '../../platform/http/caller.ts';
import type { AccessTokens } from './access-tokens.ts';
import { findAccountState } from './account-state.repository.ts';

/**
 * A valid signature is not enough: the account must still be active, not banned, not deleted, and its
 * token_version unchanged since the token was issued (logout-all and password changes bump it).
 * The role comes from the account, not the token, so a demotion takes effect at once.
 */
export function createAuthenticator(tokens: AccessTokens, db: Database): Authenticator {
  return async (bearerToken) => {
    const claims = await tokens.verify(bearerToken);
    if (!claims) return null;
    const account = await findAccountState(db, claims.userId);
    if (!account || !account.is_active || account.is_banned || account.deleted_at !== null) return null;
    if (account.token_version !== claims.tokenVersion) return null;
    return { userId: account.id, role: account.role };
  };
}
