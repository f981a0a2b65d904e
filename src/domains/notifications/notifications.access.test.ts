// Who may call each notifications route (issue 15: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag `notifications`), so a route added later is covered without touching this file. Every route
// is the caller's own (/v1/me/…): anonymous callers get 401, and nobody reads, marks or deletes someone else's
// notification — its id is 404 to them, like an id that never existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { as, person, type Person } from '../streaming/comments.test-support.ts';
import { notify } from './notifications.notify.ts';

const testApp = useTestApp();
const routes = () => documentedRoutes(testApp.current.app, 'notifications');

async function world() {
  const [ana, ben] = [await person(testApp.current), await person(testApp.current)];
  await notify(testApp.current.pool.db, {
    recipientId: ana.id,
    actorId: ben.id,
    type: 'follow',
    entityType: 'user',
    entityId: ana.id,
  });
  const [row] = await testApp.current.database.sql`SELECT id FROM notifications WHERE user_id = ${ana.id}`;
  return { ana, ben, notificationId: row!.id as string };
}

async function stored(userId: string) {
  return testApp.current.database.sql`
    SELECT id, is_read, title FROM notifications WHERE user_id = ${userId} ORDER BY id`;
}

const PREFERENCES = {
  channels: { follow: 'in_app', like: 'in_app', comment: 'in_app', mention: 'in_app', message: 'in_app' },
  quiet_hours: null,
  time_zone: 'UTC',
  digest: 'off',
};

function requestFor(route: DocumentedRoute, notificationId: string, caller: Person | undefined) {
  const bodies: Record<string, unknown> = {
    'POST /v1/me/notifications/read-all': {},
    'PUT /v1/me/notification-preferences': PREFERENCES,
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', notificationId),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  };
}

test('every notifications route needs a bearer token, and they are the ones designed', async () => {
  const found = await routes();
  assert.deepEqual(found.map((r) => r.key).sort(), [
    'DELETE /v1/me/notifications/{id}',
    'GET /v1/me/notification-preferences',
    'GET /v1/me/notifications',
    'GET /v1/me/notifications/unread-count',
    'HEAD /v1/me/notification-preferences',
    'HEAD /v1/me/notifications',
    'HEAD /v1/me/notifications/unread-count',
    'POST /v1/me/notifications/read-all',
    'POST /v1/me/notifications/{id}/read',
    'PUT /v1/me/notification-preferences',
  ]);
  assert.deepEqual(
    found.filter((r) => !r.secured).map((r) => r.key),
    [],
  );
});

test('an anonymous caller gets 401 from every route, and nothing changes', async () => {
  const { ana, notificationId } = await world();
  const before = await stored(ana.id);
  for (const route of await routes()) {
    const answer = await testApp.current.app.inject(requestFor(route, notificationId, undefined));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await stored(ana.id), before);
});

test('BOLA: someone else reaches only their own notifications, never Ana’s', async () => {
  const { ana, ben, notificationId } = await world();
  const before = await stored(ana.id);
  const expected: Record<string, number> = {
    'POST /v1/me/notifications/{id}/read': 404,
    'DELETE /v1/me/notifications/{id}': 404,
  };
  for (const route of await routes()) {
    const answer = await testApp.current.app.inject(requestFor(route, notificationId, ben));
    assert.equal(answer.statusCode, expected[route.key] ?? 200, `${route.key}: ${answer.body}`);
    if (answer.statusCode === 404) assert.equal(answer.json().code, 'NOTIFICATION_NOT_FOUND');
    if (route.method === 'GET') assert.ok(!answer.body.includes(notificationId), `${route.key} leaks nothing`);
  }
  assert.deepEqual(await stored(ana.id), before, 'Ana’s notifications untouched');
  // Ana herself may do all of it.
  assert.equal((await as(testApp.current, ana)('POST', `/v1/me/notifications/${notificationId}/read`)).statusCode, 200);
  assert.equal((await as(testApp.current, ana)('DELETE', `/v1/me/notifications/${notificationId}`)).statusCode, 204);
});
