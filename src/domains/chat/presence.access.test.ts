// Who may call each presence route (tag `presence`, read from /openapi.json): every one needs a token; an outsider
// reaches a room's typing as if the room did not exist, and their own presence only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { newPerson, type Person } from './direct.test-support.ts';

const testApp = useTestApp();
const routes = () => documentedRoutes(testApp.current.app, 'presence');

function requestFor(route: DocumentedRoute, roomId: string, subject: string, caller: Person | undefined) {
  const payload = route.key === 'PATCH /v1/me/presence' ? { status: 'busy' } : undefined;
  const url = route.path.replace('{id}', roomId) + (route.path === '/v1/presence' ? `?user_id=${subject}` : '');
  return {
    method: route.method as 'GET',
    url,
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload ? { payload } : {}),
  };
}

async function world() {
  const [member, outsider] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const room = await allFactories.rooms!(testApp.current.database.sql, { room_type: 'private' });
  await allFactories.room_members!(testApp.current.database.sql, { room_id: room.id, user_id: member.id });
  const typing = await testApp.current.app.inject({
    method: 'PUT',
    url: `/v1/rooms/${String(room.id)}/typing`,
    headers: { authorization: member.authorization },
  });
  assert.equal(typing.statusCode, 200, typing.body);
  await testApp.current.app.inject({
    method: 'PATCH',
    url: '/v1/me/presence',
    headers: { authorization: member.authorization },
    payload: { status: 'online', custom_status: 'secret plans' },
  });
  return { member, outsider, roomId: String(room.id) };
}

const memberState = async (member: Person, roomId: string) =>
  testApp.current.database.sql`
    SELECT (SELECT row_to_json(p) FROM (SELECT status, custom_status FROM user_presence WHERE user_id = ${member.id}) p) AS presence,
           (SELECT count(*)::int FROM typing_indicators WHERE room_id = ${roomId}) AS typing`;

test('every presence route needs a bearer token, and they are the ones designed', async () => {
  const found = await routes();
  assert.deepEqual(found.map((r) => r.key).sort(), [
    'DELETE /v1/rooms/{id}/typing',
    'GET /v1/me/presence',
    'GET /v1/presence',
    'GET /v1/rooms/{id}/typing',
    'HEAD /v1/me/presence',
    'HEAD /v1/presence',
    'HEAD /v1/rooms/{id}/typing',
    'PATCH /v1/me/presence',
    'PUT /v1/rooms/{id}/typing',
  ]);
  assert.deepEqual(
    found.filter((r) => !r.secured).map((r) => r.key),
    [],
  );
});

test('anonymous: 401 everywhere; an outsider: the room does not exist, and the member’s presence is untouched', async () => {
  const { member, outsider, roomId } = await world();
  const before = await memberState(member, roomId);
  for (const route of await routes()) {
    const anonymous = await testApp.current.app.inject(requestFor(route, roomId, member.id, undefined));
    assert.equal(anonymous.statusCode, 401, `${route.key}: ${anonymous.body}`);
    const answer = await testApp.current.app.inject(requestFor(route, roomId, member.id, outsider));
    const expected = route.path.startsWith('/v1/rooms/') ? 404 : 200;
    assert.equal(answer.statusCode, expected, `${route.key}: ${answer.body}`);
    if (expected === 404 && route.method !== 'HEAD') assert.equal(answer.json().code, 'ROOM_NOT_FOUND');
    assert.ok(!answer.body.includes('secret plans'), `${route.key} shows nothing of the member`);
  }
  assert.deepEqual(await memberState(member, roomId), before);
});
