// Shared by the social graph tests: people with tokens, a client for the follow and block routes.
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';

export interface Person {
  id: string;
  username: string;
  authorization: string;
}

export async function newPerson(testApp: TestApp, visibility: 'public' | 'unlisted' | 'private' = 'public') {
  const user = await allFactories.users!(testApp.database.sql, { data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version ?? 0),
    role: 'user',
  });
  // A profile row, so that the counters kept by trigger (0016) are there to read.
  await setVisibility(testApp, String(user.id), visibility);
  return { id: String(user.id), username: String(user.username), authorization: `Bearer ${token}` };
}

export async function setVisibility(testApp: TestApp, userId: string, visibility: string): Promise<void> {
  await testApp.database.sql`INSERT INTO user_profiles (user_id, profile_visibility)
    VALUES (${userId}, ${visibility}::visibility)
    ON CONFLICT (user_id) DO UPDATE SET profile_visibility = excluded.profile_visibility`;
}

export function graphClient(testApp: TestApp, person: Person | undefined) {
  const headers = person ? { authorization: person.authorization } : {};
  const inject = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    testApp.app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
  return {
    follow: (userId: string) => inject('PUT', `/v1/me/following/${userId}`),
    unfollow: (userId: string) => inject('DELETE', `/v1/me/following/${userId}`),
    requests: (query = '') => inject('GET', `/v1/me/follow-requests${query}`),
    accept: (userId: string) => inject('POST', `/v1/me/follow-requests/${userId}/accept`),
    decline: (userId: string) => inject('DELETE', `/v1/me/follow-requests/${userId}`),
    followers: (username: string, query = '') => inject('GET', `/v1/users/${username}/followers${query}`),
    following: (username: string, query = '') => inject('GET', `/v1/users/${username}/following${query}`),
    profile: (username: string) => inject('GET', `/v1/users/${username}`),
    block: (userId: string, body: unknown = {}) => inject('PUT', `/v1/me/blocks/${userId}`, body),
    unblock: (userId: string) => inject('DELETE', `/v1/me/blocks/${userId}`),
    blocks: (query = '') => inject('GET', `/v1/me/blocks${query}`),
  };
}

export async function counts(testApp: TestApp, userId: string) {
  const [row] = await testApp.database.sql<{ follower_count: number; following_count: number }[]>`
    SELECT follower_count, following_count FROM user_profiles WHERE user_id = ${userId}`;
  return row ?? { follower_count: 0, following_count: 0 };
}

export async function notificationsOf(testApp: TestApp, userId: string) {
  return testApp.database.sql<{ type: string; actor_id: string | null; entity_id: string | null }[]>`
    SELECT type::text AS type, actor_id, entity_id FROM notifications WHERE user_id = ${userId} ORDER BY created_at`;
}
