// Who may call each group and feed route (issue 15: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tags `groups`, `feed`), so a route added later is covered without touching this file. Ana owns a
// private group with a members-only post; a stranger (and an anonymous caller) may see the group's page and ask to
// join, nothing else, and changes nothing of Ana's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { as, person, publish, type Person } from './posts.test-support.ts';

const testApp = useTestApp();
const routes = () => documentedRoutes(testApp.current.app, 'groups', 'feed');

async function world() {
  const ana = await person(testApp.current);
  const bob = await person(testApp.current);
  const slug = `acc-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await as(testApp.current, ana)('POST', '/v1/groups', {
    name: 'secret circle',
    slug,
    group_type: 'private',
  });
  assert.equal(created.statusCode, 201, created.body);
  const groupId = created.json<{ id: string }>().id;
  await as(testApp.current, bob)('POST', `/v1/groups/${groupId}/join`);
  await as(testApp.current, ana)('POST', `/v1/groups/${groupId}/members/${bob.id}/approve`);
  await publish(testApp.current, ana, { content: 'secret words', group_id: groupId });
  return { ana, bob, groupId, slug };
}

type World = Awaited<ReturnType<typeof world>>;

async function anaState(groupId: string) {
  return testApp.current.database.sql`
    SELECT g.name, g.group_type, g.deleted_at, g.member_count, g.post_count,
           (SELECT json_agg(json_build_array(m.user_id, m.role, m.status) ORDER BY m.user_id)
              FROM group_members m WHERE m.group_id = g.id AND m.status <> 'pending') AS members
    FROM groups g WHERE g.id = ${groupId}`;
}

function requestFor(route: DocumentedRoute, w: World, caller: Person | undefined) {
  const bodies: Record<string, unknown> = {
    'POST /v1/groups': { name: 'my own', slug: `own-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` },
    'PATCH /v1/groups/{id}': { name: 'taken over' },
    'POST /v1/groups/{id}/transfer': { user_id: caller?.id ?? w.bob.id },
    'PATCH /v1/groups/{id}/members/{user_id}': { role: 'admin' },
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', w.groupId).replace('{slug}', w.slug).replace('{user_id}', w.bob.id),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  };
}

const READS_OPEN: Record<string, number> = {
  'GET /v1/groups': 200,
  'HEAD /v1/groups': 200,
  'GET /v1/groups/{id}': 200,
  'HEAD /v1/groups/{id}': 200,
  'GET /v1/groups/by-slug/{slug}': 200,
  'HEAD /v1/groups/by-slug/{slug}': 200,
};

test('the group and feed routes are the ones designed; writes and one’s own lists need a bearer token', async () => {
  const found = await routes();
  assert.deepEqual(found.map((r) => r.key).sort(), [
    'DELETE /v1/groups/{id}',
    'DELETE /v1/groups/{id}/bans/{user_id}',
    'DELETE /v1/groups/{id}/members/{user_id}',
    'GET /v1/groups',
    'GET /v1/groups/by-slug/{slug}',
    'GET /v1/groups/{id}',
    'GET /v1/groups/{id}/members',
    'GET /v1/groups/{id}/posts',
    'GET /v1/me/feed',
    'GET /v1/me/groups',
    'HEAD /v1/groups',
    'HEAD /v1/groups/by-slug/{slug}',
    'HEAD /v1/groups/{id}',
    'HEAD /v1/groups/{id}/members',
    'HEAD /v1/groups/{id}/posts',
    'HEAD /v1/me/feed',
    'HEAD /v1/me/groups',
    'PATCH /v1/groups/{id}',
    'PATCH /v1/groups/{id}/members/{user_id}',
    'POST /v1/groups',
    'POST /v1/groups/{id}/join',
    'POST /v1/groups/{id}/leave',
    'POST /v1/groups/{id}/members/{user_id}/approve',
    'POST /v1/groups/{id}/transfer',
    'PUT /v1/groups/{id}/bans/{user_id}',
  ]);
  for (const route of found) {
    const open = ['GET', 'HEAD'].includes(route.method) && !route.path.startsWith('/v1/me/');
    assert.equal(route.secured, !open, route.key);
  }
});

test('anonymous callers: 401 from every write and from a private group’s posts and members; nothing changes', async () => {
  const w = await world();
  const before = await anaState(w.groupId);
  for (const route of await routes()) {
    const answer = await testApp.current.app.inject(requestFor(route, w, undefined));
    assert.equal(
      answer.statusCode,
      route.secured ? 401 : (READS_OPEN[route.key] ?? 401),
      `${route.key}: ${answer.body}`,
    );
    if (route.method === 'GET') assert.ok(!answer.body.includes('secret words'), `${route.key} leaks nothing`);
  }
  assert.deepEqual(await anaState(w.groupId), before);
});

test('BOLA: a stranger sees the private group’s page only, may ask to join, and changes nothing of Ana’s', async () => {
  const w = await world();
  const eve = await person(testApp.current);
  const before = await anaState(w.groupId);
  const expected: Record<string, number> = {
    ...READS_OPEN,
    'GET /v1/me/feed': 200,
    'HEAD /v1/me/feed': 200,
    'GET /v1/me/groups': 200,
    'HEAD /v1/me/groups': 200,
    'POST /v1/groups': 201,
    'POST /v1/groups/{id}/join': 200,
    'POST /v1/groups/{id}/leave': 204,
    'GET /v1/groups/{id}/posts': 403,
    'HEAD /v1/groups/{id}/posts': 403,
    'GET /v1/groups/{id}/members': 403,
    'HEAD /v1/groups/{id}/members': 403,
  };
  for (const route of await routes()) {
    const answer = await testApp.current.app.inject(requestFor(route, w, eve));
    assert.equal(answer.statusCode, expected[route.key] ?? 403, `${route.key}: ${answer.body}`);
    if (route.method === 'GET') assert.ok(!answer.body.includes('secret words'), `${route.key} leaks nothing`);
  }
  assert.deepEqual(await anaState(w.groupId), before, 'Ana’s group untouched');
});

test('BOLA: a plain member reads the group but may not run it', async () => {
  const w = await world();
  const before = await anaState(w.groupId);
  const expected: Record<string, number> = {
    'POST /v1/groups': 201,
    'POST /v1/groups/{id}/join': 200,
    'PATCH /v1/groups/{id}': 403,
    'DELETE /v1/groups/{id}': 403,
    'POST /v1/groups/{id}/transfer': 403,
    'PATCH /v1/groups/{id}/members/{user_id}': 403,
    'DELETE /v1/groups/{id}/members/{user_id}': 403,
    'POST /v1/groups/{id}/members/{user_id}/approve': 403,
    'PUT /v1/groups/{id}/bans/{user_id}': 400,
    'DELETE /v1/groups/{id}/bans/{user_id}': 403,
  };
  for (const route of await routes()) {
    if (route.key === 'POST /v1/groups/{id}/leave') continue; // would end Bob's membership: tested elsewhere
    const answer = await testApp.current.app.inject(requestFor(route, w, w.bob));
    assert.equal(answer.statusCode, expected[route.key] ?? 200, `${route.key}: ${answer.body}`);
  }
  const page = await as(testApp.current, w.bob)('GET', `/v1/groups/${w.groupId}/posts`);
  assert.ok(page.body.includes('secret words'), 'a member reads the group’s posts');
  assert.deepEqual(await anaState(w.groupId), before);
});
