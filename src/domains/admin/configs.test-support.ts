// Shared by the settings, flags and admin views tests: accounts of each platform role with a valid token, and calls
// through app.inject().
import type postgres from 'postgres';
import type { AccessTokens } from '../auth/index.ts';
import type { HttpServer } from '../../platform/http/server.ts';
import type { Role } from '../../platform/http/caller.ts';
import { allFactories } from '../../../test/factories/index.ts';

export interface Account {
  id: string;
  role: Role;
  authorization: string;
}

/** A new account with this platform role (the authenticator reads the role from the row) and its bearer header. */
export async function account(
  sql: postgres.Sql,
  accessTokens: AccessTokens,
  role: Role = 'user',
  values: Record<string, unknown> = {},
): Promise<Account> {
  const user = await allFactories.users!(sql, { data_processing_consent: true, role, ...values });
  const { token } = await accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version),
    role,
  });
  return { id: String(user.id), role, authorization: `Bearer ${token}` };
}

export function caller(app: HttpServer, who: Account | null) {
  return (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: who ? { authorization: who.authorization } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}
