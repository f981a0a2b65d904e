// Shared by the moderation tests: people with tokens (users, moderators, admins), requests as them, and reports.
import assert from 'node:assert/strict';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, type Person } from '../streaming/playlists.test-support.ts';

export { as, type Person };

export interface Member extends Person {
  username: string;
}

/** An account with a token; `role` is its platform role (authentication reads it from the account). */
export async function member(testApp: TestApp, role: 'user' | 'moderator' | 'admin' = 'user'): Promise<Member> {
  const user = await allFactories.users!(testApp.database.sql, { data_processing_consent: true, role });
  const { token } = await testApp.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version),
    role,
  });
  return { id: String(user.id), username: String(user.username), authorization: `Bearer ${token}` };
}

/** Files a report through the API (201 asserted) and answers its id. */
export async function fileReport(
  testApp: TestApp,
  reporter: Person,
  entityType: string,
  entityId: string,
  reason = 'spam',
): Promise<string> {
  const answer = await as(testApp, reporter)('POST', '/v1/reports', {
    entity_type: entityType,
    entity_id: entityId,
    reason,
    details: 'Posted the same link everywhere',
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** A public post of `author`, made through the API. */
export async function publicPost(testApp: TestApp, author: Person, content: string): Promise<string> {
  const answer = await as(testApp, author)('POST', '/v1/posts', { content, visibility: 'public' });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}
