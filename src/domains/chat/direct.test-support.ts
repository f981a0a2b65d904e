// Shared by the direct message tests: people with tokens, a client for the routes, files and blocks.
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';

export interface Person {
  id: string;
  authorization: string;
}

export async function newPerson(testApp: TestApp): Promise<Person> {
  const user = await allFactories.users!(testApp.database.sql, { data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version ?? 0),
    role: 'user',
  });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}

export function directClient(testApp: TestApp, person: Person | undefined) {
  const headers = person ? { authorization: person.authorization } : {};
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, extra = {}) =>
    testApp.app.inject({
      method,
      url,
      headers: { ...headers, ...extra },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
  return {
    send: (to: string, body: unknown, extra: Record<string, string> = {}) =>
      inject('POST', `/v1/me/conversations/${to}/messages`, body, extra),
    conversation: (other: string, query = '') => inject('GET', `/v1/me/conversations/${other}/messages${query}`),
    conversations: (query = '') => inject('GET', `/v1/me/conversations${query}`),
    markRead: (other: string, body: unknown = {}) => inject('POST', `/v1/me/conversations/${other}/read`, body),
    remove: (id: string) => inject('DELETE', `/v1/me/direct-messages/${id}`),
  };
}

export async function block(testApp: TestApp, blocker: Person, blocked: Person): Promise<void> {
  await allFactories.blocks!(testApp.database.sql, { blocker_id: blocker.id, blocked_id: blocked.id });
}

/** A file of `owner` as processing leaves it: scanned clean and processed, unless `overrides` say otherwise. */
export async function cleanFile(testApp: TestApp, owner: Person, overrides: Record<string, unknown> = {}) {
  const file = await allFactories.files!(testApp.database.sql, {
    user_id: owner.id,
    mime_type: 'image/png',
    original_filename: 'sketch.png',
    virus_scanned: true,
    virus_scan_result: 'clean',
    metadata: { processing: { status: 'processed', steps: [], attempts: 1 } },
    ...overrides,
  });
  return String(file.id);
}

export async function storedMessages(testApp: TestApp, a: string, b: string) {
  return testApp.database.sql<
    {
      id: string;
      sender_id: string;
      content: string;
      is_read: boolean;
      is_deleted_by_sender: boolean;
      is_deleted_by_recipient: boolean;
      deleted_at: Date | null;
    }[]
  >`SELECT id, sender_id, content, is_read, is_deleted_by_sender, is_deleted_by_recipient, deleted_at
    FROM direct_messages
    WHERE (sender_id = ${a} AND recipient_id = ${b}) OR (sender_id = ${b} AND recipient_id = ${a})
    ORDER BY created_at, id`;
}
