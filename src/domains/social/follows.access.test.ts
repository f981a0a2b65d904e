// Who may call each social graph route (issue 15: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag `social-graph`), so a route added later is covered without touching this file. /v1/me/…
// routes are the caller's own: anonymous callers get 401, and a third person never reads or changes the owner's
// requests, followers or blocks. The lists of a private profile are 404 to whoever is not its owner or follower.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { graphClient, newPerson, type Person } from './follows.test-support.ts';

const testApp = useTestApp();
const routes = () => documentedRoutes(testApp.current.app, 'social-graph');

/** A private owner, Ana following them (accepted), Ben's pending request, and a block of the owner's. */
async function world() {
  const owner = await newPerson(testApp.current, 'private');
  const [ana, ben, troll] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const asOwner = graphClient(testApp.current, owner);
  await graphClient(testApp.current, ana).follow(owner.id);
  assert.equal((await asOwner.accept(ana.id)).statusCode, 204);
  await graphClient(testApp.current, ben).follow(owner.id);
  await asOwner.block(troll.id, { reason: 'private note' });
  return { owner, ana, ben, troll };
}

/** The graph rows not involving `except`: what a third person must leave as it was. */
async function graphRows(exceptId: string) {
  return testApp.current.database.sql`
    SELECT 'follow' AS kind, follower_id AS a, following_id AS b FROM follows
      WHERE ${exceptId} NOT IN (follower_id, following_id)
    UNION ALL SELECT 'request', requester_id, target_id FROM follow_requests
      WHERE ${exceptId} NOT IN (requester_id, target_id)
    UNION ALL SELECT 'block', blocker_id, blocked_id FROM blocks WHERE ${exceptId} NOT IN (blocker_id, blocked_id)
    ORDER BY 1, 2, 3`;
}

function requestFor(route: DocumentedRoute, target: Person, caller: Person | undefined) {
  const payload = route.key === 'PUT /v1/me/blocks/{user_id}' ? {} : undefined;
  return {
    method: route.method as 'GET',
    url: route.path.replace('{user_id}', target.id).replace('{username}', target.username),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload !== undefined ? { payload } : {}),
  };
}

test('the social graph routes are the ones designed; all but the two lists need a bearer token', async () => {
  const found = await routes();
  assert.deepEqual(found.map((r) => r.key).sort(), [
    'DELETE /v1/me/blocks/{user_id}',
    'DELETE /v1/me/follow-requests/{user_id}',
    'DELETE /v1/me/following/{user_id}',
    'GET /v1/me/blocks',
    'GET /v1/me/follow-requests',
    'GET /v1/users/{username}/followers',
    'GET /v1/users/{username}/following',
    'HEAD /v1/me/blocks',
    'HEAD /v1/me/follow-requests',
    'HEAD /v1/users/{username}/followers',
    'HEAD /v1/users/{username}/following',
    'POST /v1/me/follow-requests/{user_id}/accept',
    'PUT /v1/me/blocks/{user_id}',
    'PUT /v1/me/following/{user_id}',
  ]);
  assert.deepEqual(
    found
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    [
      'GET /v1/users/{username}/followers',
      'GET /v1/users/{username}/following',
      'HEAD /v1/users/{username}/followers',
      'HEAD /v1/users/{username}/following',
    ],
  );
});

test('anonymous callers: 401 from every /v1/me route, 404 from a private profile’s lists; nothing changes', async () => {
  const { owner, ben } = await world();
  const before = await graphRows('00000000-0000-4000-8000-000000000000');
  for (const route of await routes()) {
    const target = route.path.includes('{user_id}') ? ben : owner;
    const answer = await testApp.current.app.inject(requestFor(route, target, undefined));
    assert.equal(answer.statusCode, route.secured ? 401 : 404, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await graphRows('00000000-0000-4000-8000-000000000000'), before);
});

test('BOLA: a third person reaches only their own relations, never the owner’s requests, lists or blocks', async () => {
  const { owner, ana, ben, troll } = await world();
  const eve = await newPerson(testApp.current);
  const before = await graphRows(eve.id);
  // Eve names Ben for the owner's request routes, the owner for the rest.
  const cases: Record<string, [Person, number]> = {
    'PUT /v1/me/following/{user_id}': [owner, 200],
    'DELETE /v1/me/following/{user_id}': [owner, 204],
    'GET /v1/me/follow-requests': [owner, 200],
    'HEAD /v1/me/follow-requests': [owner, 200],
    'POST /v1/me/follow-requests/{user_id}/accept': [ben, 404],
    'DELETE /v1/me/follow-requests/{user_id}': [ben, 404],
    'GET /v1/users/{username}/followers': [owner, 404],
    'HEAD /v1/users/{username}/followers': [owner, 404],
    'GET /v1/users/{username}/following': [owner, 404],
    'HEAD /v1/users/{username}/following': [owner, 404],
    'PUT /v1/me/blocks/{user_id}': [troll, 200],
    'DELETE /v1/me/blocks/{user_id}': [troll, 204],
    'GET /v1/me/blocks': [owner, 200],
    'HEAD /v1/me/blocks': [owner, 200],
  };
  for (const route of await routes()) {
    const [target, status] = cases[route.key] ?? [owner, 0];
    const answer = await testApp.current.app.inject(requestFor(route, target, eve));
    assert.equal(answer.statusCode, status, `${route.key}: ${answer.body}`);
    if (route.method === 'GET') {
      for (const leak of [ana.id, ben.id, 'private note'])
        assert.ok(!answer.body.includes(leak), `${route.key} leaks nothing of the owner's`);
    }
  }
  assert.deepEqual(await graphRows(eve.id), before, 'the owner’s follows, requests and blocks are untouched');
  // The owner still sees their own.
  const asOwner = graphClient(testApp.current, owner);
  assert.equal((await asOwner.requests()).json<{ items: unknown[] }>().items.length, 1);
  assert.equal((await asOwner.blocks()).json<{ items: unknown[] }>().items.length, 1);
  assert.equal((await graphClient(testApp.current, ana).followers(owner.username)).statusCode, 200);
});
