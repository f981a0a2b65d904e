// Who may call each gear route (issue 17: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tags gear, gear-categories, setup), so a route added later is covered without touching this file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { gearState, item, maintenanceEntry, MICROPHONES, person, warranty, type Person } from './gear.test-support.ts';

const testApp = useTestApp();
const gearRoutes = () => documentedRoutes(testApp.current.app, 'gear', 'gear-categories', 'setup');

const BODIES: Record<string, unknown> = {
  'POST /v1/gear/categories': { name: 'Intruders', slug: 'intruders' },
  'PATCH /v1/gear/categories/{id}': { name: 'Renamed' },
  'POST /v1/me/gear': { name: 'Mine', category_id: MICROPHONES },
  'PATCH /v1/me/gear/{id}': { name: 'Taken over', is_public: true },
  'PUT /v1/me/gear/setup': { public: true },
  'POST /v1/me/gear/{id}/warranties': { provider: 'Intruder', starts_on: '2025-01-01' },
  'PATCH /v1/me/gear/{id}/warranties/{warranty_id}': { provider: 'Intruder' },
  'POST /v1/me/gear/{id}/maintenance': { performed_on: '2025-01-01', description: 'Intrusion' },
  'PATCH /v1/me/gear/{id}/maintenance/{entry_id}': { description: 'Intrusion' },
};

function requestFor(
  route: DocumentedRoute,
  ids: { item: string; warranty: string; entry: string },
  caller: Person | null,
) {
  const url = route.path
    .replace('{id}', route.path.startsWith('/v1/gear/categories') ? MICROPHONES : ids.item)
    .replace('{warranty_id}', ids.warranty)
    .replace('{entry_id}', ids.entry)
    .replace('{username}', 'nobody_here');
  const payload = BODIES[route.key];
  const csv = route.key === 'POST /v1/me/gear/import';
  return {
    method: route.method as 'GET',
    url,
    headers: {
      ...(caller ? { authorization: caller.authorization } : {}),
      ...(csv ? { 'content-type': 'text/csv' } : {}),
    },
    ...(csv
      ? { payload: 'name,category\nx,microphones\n' }
      : payload === undefined
        ? {}
        : { payload: payload as object }),
  };
}

async function world() {
  const owner = await person(testApp.current);
  const id = await item(testApp.current, owner);
  return {
    owner,
    ids: {
      item: id,
      warranty: await warranty(testApp.current, owner, id),
      entry: await maintenanceEntry(testApp.current, owner, id),
    },
  };
}

test('the public routes are the category list and the setup page; everything else needs a token (401)', async () => {
  const routes = (await gearRoutes()).filter((r) => r.method !== 'HEAD');
  assert.ok(routes.length >= 22, routes.map((r) => r.key).join('\n'));
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    ['GET /v1/gear/categories', 'GET /v1/users/{username}/setup'],
  );
  const w = await world();
  for (const route of (await gearRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(requestFor(route, w.ids, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
});

test('BOLA: a stranger (and a moderator) reaches nothing of an item by any route (404), and changes nothing', async () => {
  const w = await world();
  const before = await gearState(testApp.current, w.ids.item);
  const stranger = await person(testApp.current);
  const moderator = await person(testApp.current);
  await testApp.current.database.sql`UPDATE users SET role = 'moderator' WHERE id = ${moderator.id}`;
  const named = (await gearRoutes()).filter((r) => r.path.startsWith('/v1/me/gear/{id}'));
  assert.ok(named.length >= 13, named.map((r) => r.key).join('\n'));
  for (const who of [stranger, moderator])
    for (const route of named) {
      const answer = await testApp.current.app.inject(requestFor(route, w.ids, who));
      assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
      if (route.method !== 'HEAD') assert.equal(answer.json().code, 'GEAR_NOT_FOUND', route.key);
    }
  // The owner naming a warranty or entry of another item of theirs: not found either.
  const other = await item(testApp.current, w.owner);
  const crossed = await testApp.current.app.inject({
    method: 'GET',
    url: `/v1/me/gear/${other}/warranties/${w.ids.warranty}`,
    headers: { authorization: w.owner.authorization },
  });
  assert.equal(crossed.statusCode, 404);
  assert.equal(crossed.json().code, 'WARRANTY_NOT_FOUND');
  const list = await testApp.current.app.inject({
    method: 'GET',
    url: '/v1/me/gear',
    headers: { authorization: stranger.authorization },
  });
  assert.deepEqual(list.json().items, []);
  assert.deepEqual(await gearState(testApp.current, w.ids.item), before);
});

test('category management is for administrators: 403 for users and moderators, before any lookup', async () => {
  const user = await person(testApp.current);
  const admin = (await gearRoutes()).filter((r) => r.path.startsWith('/v1/gear/categories') && r.secured);
  assert.equal(admin.length, 3);
  for (const route of admin) {
    const answer = await testApp.current.app.inject(
      requestFor(route, { item: randomUUID(), warranty: randomUUID(), entry: randomUUID() }, user),
    );
    assert.equal(answer.statusCode, 403, route.key);
  }
});
