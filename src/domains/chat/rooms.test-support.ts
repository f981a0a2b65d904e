// Shared by the room and message tests: people with tokens, rooms made through the API, members in given roles.
import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, person, type Call, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Call, type Person };

let sequence = 0;
export const uniqueSlug = (prefix = 'room') => `${prefix}-${process.pid}-${Date.now()}-${++sequence}`;

/** A room made through the API by `owner`; answers its id. */
export async function newRoom(testApp: TestApp, owner: Person, body: Record<string, unknown> = {}): Promise<string> {
  const type = body.type ?? 'public';
  const answer = await as(testApp, owner)('POST', '/v1/rooms', {
    name: 'Late night jam',
    type,
    ...(type === 'public' ? { slug: uniqueSlug() } : {}),
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** Puts `who` in the room with `role` (through the database: the tests of the matrix start from any state). */
export async function addMember(
  testApp: TestApp,
  roomId: string,
  who: Person,
  role: 'admin' | 'moderator' | 'member' = 'member',
  extra: { is_muted?: boolean; is_banned?: boolean } = {},
): Promise<void> {
  const { sql } = testApp.database;
  await sql`INSERT INTO room_members (room_id, user_id, role, is_muted, is_banned)
            VALUES (${roomId}, ${who.id}, ${role}, ${extra.is_muted ?? false}, ${extra.is_banned ?? false})`;
}

/** Sends a text message through the API; answers its id. */
export async function say(testApp: TestApp, who: Person, roomId: string, content: string): Promise<string> {
  const answer = await as(testApp, who)('POST', `/v1/rooms/${roomId}/messages`, { content });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** The room's counters and rows that tests compare before and after a refused request. */
export async function roomState(testApp: TestApp, roomId: string) {
  const { sql } = testApp.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(r) FROM rooms r WHERE id = ${roomId}) AS room,
           (SELECT json_agg(m ORDER BY user_id) FROM room_members m WHERE room_id = ${roomId}) AS members,
           (SELECT json_agg(x ORDER BY created_at, id) FROM messages x WHERE room_id = ${roomId}) AS messages,
           (SELECT json_agg(r ORDER BY r.id) FROM message_reactions r
              JOIN messages x ON x.id = r.message_id AND x.created_at = r.message_created_at
             WHERE x.room_id = ${roomId}) AS reactions`;
  return state;
}
