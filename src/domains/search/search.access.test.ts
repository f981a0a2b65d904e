// Who may call each search route (issue 18: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag search), so a route added later is covered without touching this file: a secured route
// refuses anonymous callers, and whatever another user calls, one user's history stays theirs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { person, type Person } from './search.test-support.ts';

const testApp = useTestApp();

const BODIES: Record<string, unknown> = { 'PUT /v1/me/search-history/settings': { recording: false } };
const QUERIES: Record<string, string> = { '/v1/search': '?q=intrusion' };

function call(route: DocumentedRoute, caller: Person | null) {
  const payload = BODIES[route.key];
  return testApp.current.app.inject({
    method: route.method as 'GET',
    url: `${route.path}${QUERIES[route.path] ?? ''}`,
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

test('every search route: anonymous refused where secured, and no one reaches another user’s history', async () => {
  const t = testApp.current;
  const routes = await documentedRoutes(t.app, 'search');
  assert.ok(routes.length >= 5, JSON.stringify(routes.map((r) => r.key)));
  const owner = await person(t);
  const other = await person(t);
  await t.app.inject({
    method: 'GET',
    url: '/v1/search?q=owner%20only%20words',
    headers: { authorization: owner.authorization },
  });
  const ownerHistory = async () =>
    (
      await t.app.inject({
        method: 'GET',
        url: '/v1/me/search-history',
        headers: { authorization: owner.authorization },
      })
    ).json<{ recording: boolean; items: { query: string }[] }>();
  const before = await ownerHistory();
  assert.deepEqual(
    before.items.map((item) => item.query),
    ['owner only words'],
  );

  for (const route of routes) {
    const anonymous = await call(route, null);
    if (route.secured) assert.equal(anonymous.statusCode, 401, route.key);
    else assert.equal(anonymous.statusCode, 200, `${route.key}: ${anonymous.body}`);
    const asOther = await call(route, other);
    assert.ok(asOther.statusCode < 300, `${route.key}: ${asOther.statusCode}`);
    assert.ok(!asOther.body.includes('owner only words'), `${route.key} leaks the owner's history`);
  }
  // The other user's clearing and switching changed nothing of the owner's.
  const after = await ownerHistory();
  assert.deepEqual(after, before);
});
