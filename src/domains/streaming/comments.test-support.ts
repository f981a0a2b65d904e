// People and tracks for the likes and comments tests: real rows (factories) and tokens the test app accepts.
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import type { Role } from '../../platform/http/caller.ts';

export interface Person {
  id: string;
  username: string;
  authorization: string;
}

/** A new account (of this platform role) with a valid access token. */
export async function person(testApp: TestApp, role: Role = 'user'): Promise<Person> {
  const user = await allFactories.users!(testApp.database.sql, { role, data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({
    userId: user.id as string,
    tokenVersion: user.token_version as number,
    role,
  });
  return { id: user.id as string, username: user.username as string, authorization: `Bearer ${token}` };
}

export interface TrackRow {
  id: string;
  creator_id: string;
  duration: number;
}

/** A published public track of `creatorId` (215 s unless told), or in whatever state `overrides` say. */
export async function track(testApp: TestApp, creatorId: string, overrides: Record<string, unknown> = {}) {
  const row = await allFactories.tracks!(testApp.database.sql, {
    creator_id: creatorId,
    published_at: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  });
  return row as unknown as TrackRow;
}

/** `app.inject` as `who`, JSON in and out. */
export function as(testApp: TestApp, who: Person | null) {
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = {}) =>
    testApp.app.inject({
      method,
      url,
      headers: { ...(who ? { authorization: who.authorization } : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
}
