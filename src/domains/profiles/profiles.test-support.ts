// Shared by the profiles tests: callers made of real users rows and real access tokens, and one request helper.
import type { Role } from '../../platform/http/caller.ts';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';

export interface TestCaller {
  id: string;
  username: string;
  email: string;
  role: Role;
  token: string;
}

/** Inserts a user (no profile or settings row, as factories make it) and signs an access token for it. */
export async function newCaller(
  testApp: { readonly current: TestApp },
  role: Role = 'user',
  overrides: Record<string, unknown> = {},
): Promise<TestCaller> {
  const { sql } = testApp.current.database;
  const user = await allFactories.users!(sql, { role, ...overrides });
  const { token } = await testApp.current.accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role });
  return { id: String(user.id), username: String(user.username), email: String(user.email), role, token };
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted on field by field
  body: any;
  headers: Record<string, unknown>;
  raw: Buffer;
}

/** One request through app.inject; `as` is the caller (or undefined: anonymous). */
export async function call(
  testApp: { readonly current: TestApp },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  options: { as?: TestCaller | undefined; body?: unknown } = {},
): Promise<Answer> {
  const response = await testApp.current.app.inject({
    method,
    url,
    headers: options.as ? { authorization: `Bearer ${options.as.token}` } : {},
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
  const type = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    body: type.includes('json') && response.body ? (JSON.parse(response.body) as unknown) : response.body,
    headers: response.headers,
    raw: response.rawPayload,
  };
}

/** The fields and rules a problem names, as "field rule" strings, sorted. */
export function brokenRules(body: { errors?: { field: string; rule: string }[] }): string[] {
  return (body.errors ?? []).map((error) => `${error.field} ${error.rule}`).sort();
}
