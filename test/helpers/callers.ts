import { authFactories } from '../factories/auth.ts';
import type { TestApp } from './app.ts';

/** A new account with a valid access token: `authorization` is the header value that makes it the caller. */
export async function signedInCaller(testApp: TestApp): Promise<{ id: string; authorization: string }> {
  const user = await authFactories.users(testApp.database.sql, { data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({
    userId: user.id as string,
    tokenVersion: user.token_version as number,
    role: 'user',
  });
  return { id: user.id as string, authorization: `Bearer ${token}` };
}
