// Who may call each room and message route (issue 14: "the BOLA matrix covers the new HTTP routes"). The routes
// come from /openapi.json (tags `rooms` and `messages`), so a route added later is covered without touching this
// file: anonymous callers get 401 from every one; a signed-in stranger (and a banned former member) gets 404 from
// every route naming a private room, its members or its messages; a plain member gets 403 from every moderation
// route; and nothing of the room changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { addMember, newRoom, person, roomState, say, type Person } from './rooms.test-support.ts';

const testApp = useTestApp();
const chatRoutes = () => documentedRoutes(testApp.current.app, 'rooms', 'messages');

/** A private room with an owner, a moderator, a member, a message with a reaction, and a banned user. */
async function world() {
  const owner = await person(testApp.current);
  const moderator = await person(testApp.current);
  const member = await person(testApp.current);
  const banned = await person(testApp.current);
  const id = await newRoom(testApp.current, owner, { type: 'private', name: 'Private session' });
  await addMember(testApp.current, id, moderator, 'moderator');
  await addMember(testApp.current, id, member);
  await addMember(testApp.current, id, banned, 'member', { is_banned: true });
  const messageId = await say(testApp.current, owner, id, 'setlist attached');
  const { sql } = testApp.current.database;
  await sql`INSERT INTO message_reactions (message_id, message_created_at, user_id, emoji)
            SELECT id, created_at, ${owner.id}, '🎸' FROM messages WHERE id = ${messageId}`;
  return { owner, moderator, member, banned, id, messageId };
}

type World = Awaited<ReturnType<typeof world>>;

function requestFor(route: DocumentedRoute, w: World, caller: Person | null, target: Person) {
  const url = route.path
    .replace('{id}', w.id)
    .replace('{message_id}', w.messageId)
    .replace('{user_id}', target.id)
    .replace('{emoji}', encodeURIComponent('🎸'))
    .replace('{slug}', 'no-such-room');
  const bodies: Record<string, unknown> = {
    'POST /v1/rooms': { name: 'Mine', type: 'private' },
    'PATCH /v1/rooms/{id}': { name: 'Taken over' },
    'POST /v1/rooms/{id}/join': {},
    'POST /v1/rooms/{id}/transfer': { user_id: target.id },
    'POST /v1/rooms/{id}/members': { user_id: caller?.id ?? target.id },
    'PATCH /v1/rooms/{id}/members/{user_id}': { role: 'member', is_muted: true },
    'POST /v1/rooms/{id}/messages': { content: 'intrusion' },
    'PATCH /v1/rooms/{id}/messages/{message_id}': { content: 'rewritten' },
    'PUT /v1/rooms/{id}/read': { message_id: w.messageId },
  };
  const query: Record<string, string> = { 'GET /v1/messages/search': '?q=setlist' };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url: url + (query[route.key] ?? ''),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  };
}

test('every room and message route needs a bearer token, and there are as many as designed', async () => {
  const routes = (await chatRoutes()).filter((r) => r.method !== 'HEAD');
  assert.ok(routes.length >= 24, routes.map((r) => r.key).join('\n'));
  assert.deepEqual(
    routes.filter((r) => !r.secured).map((r) => r.key),
    [],
  );
});

test('an anonymous caller gets 401 from every room and message route, and nothing changes', async () => {
  const w = await world();
  const before = await roomState(testApp.current, w.id);
  for (const route of await chatRoutes()) {
    const answer = await testApp.current.app.inject(requestFor(route, w, null, w.member));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await roomState(testApp.current, w.id), before);
});

test('BOLA: a stranger and a banned user reach nothing of a private room, by any route, and change nothing', async () => {
  const w = await world();
  const stranger = await person(testApp.current);
  const before = await roomState(testApp.current, w.id);
  assert.ok(before?.members && before.messages && before.reactions, 'the state compared holds every part');
  const named = (await chatRoutes()).filter((r) => r.path.includes('{id}'));
  assert.ok(named.length >= 18, named.map((r) => r.key).join('\n'));
  for (const intruder of [stranger, w.banned]) {
    for (const route of named) {
      const answer = await testApp.current.app.inject(requestFor(route, w, intruder, w.member));
      assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
      if (route.method !== 'HEAD') assert.equal(answer.json().code, 'ROOM_NOT_FOUND', route.key);
    }
    const search = await testApp.current.app.inject(
      requestFor(
        { method: 'GET', path: '/v1/messages/search', key: 'GET /v1/messages/search', secured: true },
        w,
        intruder,
        w.member,
      ),
    );
    assert.deepEqual(search.json().items, [], 'search finds nothing of the room');
    const mine = await testApp.current.app.inject({
      method: 'GET',
      url: '/v1/me/rooms',
      headers: { authorization: intruder.authorization },
    });
    assert.deepEqual(mine.json().items, []);
  }
  assert.deepEqual(await roomState(testApp.current, w.id), before, 'the room is untouched');
});

test('a plain member gets 403 from every moderation route aimed at the moderator, and changes nothing', async () => {
  const w = await world();
  const before = await roomState(testApp.current, w.id);
  const moderation = [
    'PATCH /v1/rooms/{id}',
    'DELETE /v1/rooms/{id}',
    'POST /v1/rooms/{id}/transfer',
    'POST /v1/rooms/{id}/members',
    'PATCH /v1/rooms/{id}/members/{user_id}',
    'DELETE /v1/rooms/{id}/members/{user_id}',
    'PUT /v1/rooms/{id}/messages/{message_id}/pin',
    'DELETE /v1/rooms/{id}/messages/{message_id}/pin',
    'PATCH /v1/rooms/{id}/messages/{message_id}',
    'DELETE /v1/rooms/{id}/messages/{message_id}',
  ];
  const routes = (await chatRoutes()).filter((r) => moderation.includes(r.key));
  assert.equal(routes.length, moderation.length);
  for (const route of routes) {
    const answer = await testApp.current.app.inject(requestFor(route, w, w.member, w.moderator));
    assert.equal(answer.statusCode, 403, `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  assert.deepEqual(await roomState(testApp.current, w.id), before);
});
