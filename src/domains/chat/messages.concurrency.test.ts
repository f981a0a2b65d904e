// Concurrency (issue 14 "Done when"): twenty simultaneous sends with one client key make one message, and the
// room's counters stay exact; fifty simultaneous joins of a room with ten seats make exactly ten members.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { addMember, as, newRoom, person, roomState } from './rooms.test-support.ts';

const testApp = useTestApp();

test('20 parallel sends with one client key create one message; message_count is exact', async () => {
  const owner = await person(testApp.current);
  const member = await person(testApp.current);
  const id = await newRoom(testApp.current, owner);
  await addMember(testApp.current, id, member);
  const key = '6f1c1f9e-7d4b-4a57-9d1e-3c1b0f3f0a11';
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      as(testApp.current, member)('POST', `/v1/rooms/${id}/messages`, { content: 'once only', client_key: key }),
    ),
  );
  const statuses = answers.map((a) => a.statusCode).sort();
  assert.deepEqual(statuses, [...Array<number>(19).fill(200), 201].sort(), answers.map((a) => a.body).join('\n'));
  assert.equal(new Set(answers.map((a) => a.json().id)).size, 1);
  assert.equal(answers[0]?.json().client_key, key);
  const state = await roomState(testApp.current, id);
  assert.equal(state?.messages.length, 1);
  assert.equal(state?.room.message_count, 1);
  const [events] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM chat_events WHERE scope_id = ${id} AND event_type = 'message.created'`;
  assert.equal(events?.n, 1, 'one event too');

  // The key belongs to its sender: another member's send with it is a message of theirs.
  const other = await as(testApp.current, owner)('POST', `/v1/rooms/${id}/messages`, {
    content: 'mine',
    client_key: key,
  });
  assert.equal(other.statusCode, 201);
  // Reused for another room: a 409, nothing written.
  const elsewhere = await newRoom(testApp.current, member);
  const reused = await as(testApp.current, member)('POST', `/v1/rooms/${elsewhere}/messages`, {
    content: 'x',
    client_key: key,
  });
  assert.equal(reused.statusCode, 409);
  assert.equal(reused.json().code, 'MESSAGE_CLIENT_KEY_REUSED');
});

test('parallel sends without keys are all counted', async () => {
  const owner = await person(testApp.current);
  const id = await newRoom(testApp.current, owner);
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      as(testApp.current, owner)('POST', `/v1/rooms/${id}/messages`, { content: `m${i}` }),
    ),
  );
  assert.ok(answers.every((a) => a.statusCode === 201));
  const state = await roomState(testApp.current, id);
  assert.equal(state?.room.message_count, 30);
  assert.equal(state?.messages.length, 30);
});

test('50 parallel joins of a room with 10 seats: exactly 10 members, member_count exact', async () => {
  const owner = await person(testApp.current);
  const id = await newRoom(testApp.current, owner, { max_members: 10 });
  const people = await Promise.all(Array.from({ length: 50 }, () => person(testApp.current)));
  const answers = await Promise.all(people.map((p) => as(testApp.current, p)('POST', `/v1/rooms/${id}/join`, {})));
  const joined = answers.filter((a) => a.statusCode === 200).length;
  const full = answers.filter((a) => a.statusCode === 409 && a.json().code === 'ROOM_FULL').length;
  assert.equal(joined, 9, 'the owner holds the tenth seat');
  assert.equal(full, 41, answers.map((a) => a.statusCode).join(','));
  const state = await roomState(testApp.current, id);
  assert.equal(state?.members.length, 10);
  assert.equal(state?.room.member_count, 10);
});

test('a ban racing a burst of sends: no deadlock, no 5xx, and no message of the banned after their ban', async () => {
  const owner = await person(testApp.current);
  const member = await person(testApp.current);
  const id = await newRoom(testApp.current, owner);
  await addMember(testApp.current, id, member);
  const sends = Array.from({ length: 20 }, (_, i) =>
    as(testApp.current, member)('POST', `/v1/rooms/${id}/messages`, { content: `burst ${i}` }),
  );
  const ban = as(testApp.current, owner)('PATCH', `/v1/rooms/${id}/members/${member.id}`, { is_banned: true });
  const [banned, ...answers] = await Promise.all([ban, ...sends]);
  assert.equal(banned?.statusCode, 204, banned?.body);
  for (const answer of answers) assert.ok([201, 404].includes(answer.statusCode), answer.body);
  const events = await testApp.current.database.sql`
    SELECT event_type FROM chat_events WHERE scope_type = 'room' AND scope_id = ${id} ORDER BY seq`;
  const types = events.map((e) => String(e.event_type));
  const sent = answers.filter((a) => a.statusCode === 201).length;
  assert.deepEqual(types, [...Array<string>(sent).fill('message.created'), 'member.banned']);
  const state = await roomState(testApp.current, id);
  assert.equal(state?.room.message_count, sent);
});
