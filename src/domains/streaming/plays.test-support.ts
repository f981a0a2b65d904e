// Shared by the play reporting, history and access tests: a listener with a token, tracks in a chosen state.
import { allFactories } from '../../../test/factories/index.ts';
import type { Row } from '../../../test/factories/insert-row.ts';
import type { TestApp } from '../../../test/helpers/app.ts';

export async function bearerFor(testApp: TestApp, userId: string): Promise<string> {
  return `Bearer ${(await testApp.accessTokens.issue({ userId, tokenVersion: 0, role: 'user' })).token}`;
}

export async function newListener(testApp: TestApp): Promise<{ id: string; auth: string }> {
  const user = await allFactories.users!(testApp.database.sql);
  return { id: String(user.id), auth: await bearerFor(testApp, String(user.id)) };
}

/** A public, published track (215 s unless `duration` is given), or one in the state `overrides` give. */
export async function newTrack(testApp: TestApp, overrides: Row = {}): Promise<{ id: string; creator_id: string }> {
  const track = await allFactories.tracks!(testApp.database.sql, {
    visibility: 'public',
    published_at: new Date(),
    ...overrides,
  });
  return { id: String(track.id), creator_id: String(track.creator_id) };
}

export async function playCount(testApp: TestApp, trackId: string): Promise<number> {
  const [row] = await testApp.database.sql<{ play_count: number }[]>`
    SELECT play_count FROM tracks WHERE id = ${trackId}`;
  return row!.play_count;
}

export function reportPlay(
  testApp: TestApp,
  auth: string | undefined,
  trackId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return testApp.app.inject({
    method: 'POST',
    url: `/v1/tracks/${trackId}/plays`,
    headers: { ...(auth ? { authorization: auth } : {}), ...headers },
    payload: body,
  });
}
