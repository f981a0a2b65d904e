// Who may call each direct message route (issue 14: "the BOLA matrix covers the new HTTP routes"). The routes
// come from /openapi.json (tag `direct-messages`), so a route added later is covered without touching this file.
// Every route is the caller's own (/v1/me/…): anonymous callers get 401, and a third person never reads or
// changes anything of Ana and Ben's conversation — Ana's message ids are 404 to them, like ids that never existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { directClient, newPerson, storedMessages, type Person } from './direct.test-support.ts';

const testApp = useTestApp();
const routes = () => documentedRoutes(testApp.current.app, 'direct-messages');

async function world() {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const sent = await directClient(testApp.current, ana).send(ben.id, { content: 'private words' });
  assert.equal(sent.statusCode, 201, sent.body);
  return { ana, ben, messageId: sent.json<{ id: string }>().id };
}

/** A request that would succeed for a participant: the other person as {user_id}, Ana's message as {id}. */
function requestFor(route: DocumentedRoute, userId: string, messageId: string, caller: Person | undefined) {
  const bodies: Record<string, unknown> = {
    'POST /v1/me/conversations/{user_id}/messages': { content: 'hello' },
    'POST /v1/me/conversations/{user_id}/read': {},
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url: route.path.replace('{user_id}', userId).replace('{id}', messageId),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  };
}

test('every direct message route needs a bearer token, and they are the ones designed', async () => {
  const found = await routes();
  assert.deepEqual(found.map((r) => r.key).sort(), [
    'DELETE /v1/me/direct-messages/{id}',
    'GET /v1/me/conversations',
    'GET /v1/me/conversations/{user_id}/messages',
    'HEAD /v1/me/conversations',
    'HEAD /v1/me/conversations/{user_id}/messages',
    'POST /v1/me/conversations/{user_id}/messages',
    'POST /v1/me/conversations/{user_id}/read',
    'PUT /v1/me/conversations/{user_id}/typing',
  ]);
  assert.deepEqual(
    found.filter((r) => !r.secured).map((r) => r.key),
    [],
  );
});

test('an anonymous caller gets 401 from every route, and nothing changes', async () => {
  const { ana, ben, messageId } = await world();
  const before = await storedMessages(testApp.current, ana.id, ben.id);
  for (const route of await routes()) {
    const answer = await testApp.current.app.inject(requestFor(route, ben.id, messageId, undefined));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await storedMessages(testApp.current, ana.id, ben.id), before);
});

test('BOLA: a third person reaches only their own conversations, never Ana and Ben’s', async () => {
  const { ana, ben, messageId } = await world();
  const eve = await newPerson(testApp.current);
  const before = await storedMessages(testApp.current, ana.id, ben.id);
  const expected: Record<string, number> = {
    'POST /v1/me/conversations/{user_id}/messages': 201,
    'DELETE /v1/me/direct-messages/{id}': 404,
  };
  for (const route of await routes()) {
    // Eve names Ben (her own conversation with him) and Ana's message id.
    const answer = await testApp.current.app.inject(requestFor(route, ben.id, messageId, eve));
    assert.equal(answer.statusCode, expected[route.key] ?? 200, `${route.key}: ${answer.body}`);
    if (answer.statusCode === 404) assert.equal(answer.json().code, 'DIRECT_MESSAGE_NOT_FOUND');
    if (route.method === 'GET') assert.ok(!answer.body.includes('private words'), `${route.key} leaks nothing`);
  }
  assert.deepEqual(await storedMessages(testApp.current, ana.id, ben.id), before, 'Ana and Ben’s messages untouched');
  // Read receipts are the recipient's alone: Ana's message to Ben stays unread whatever Eve or Ana do.
  await directClient(testApp.current, ana).markRead(ben.id);
  assert.equal((await storedMessages(testApp.current, ana.id, ben.id))[0]?.is_read, false);
  // Ana cannot read another's conversation by naming it either: her own with Eve is empty.
  const anaEve = await directClient(testApp.current, ana).conversation(eve.id);
  assert.deepEqual(anaEve.json<{ items: unknown[] }>().items, []);
});
