// Who may call each route of settings, flags and the admin views (issue 18: "the BOLA matrix, including admin-only
// routes refused to others"). The routes come from /openapi.json (tag platform-admin), so a route added later is
// covered without touching this file: anonymous callers get 401 on secured routes, users and moderators 403 on every
// admin route (and nothing is written), admins get through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { PLATFORM_ADMIN_TAG } from './configs.routes.ts';
import { account, type Account } from './configs.test-support.ts';

const testApp = useTestApp();

const BODIES: Record<string, unknown> = {
  'PUT /v1/admin/configs/{key}': { value: false },
  'PUT /v1/admin/feature-flags/{key}': { is_enabled: true, rollout_percentage: 100 },
};
const KEYS: Record<string, string> = {
  '/v1/admin/configs/{key}': 'auth.registration_open',
  '/v1/admin/feature-flags/{key}': 'access.matrix',
};

function call(route: DocumentedRoute, who: Account | null) {
  const payload = BODIES[route.key];
  return testApp.current.app.inject({
    method: route.method as 'GET',
    url: route.path.replace('{key}', KEYS[route.path] ?? 'x'),
    headers: who ? { authorization: who.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

test('every platform-admin route: 401 anonymous where secured, 403 to users and moderators on admin routes', async () => {
  const t = testApp.current;
  const routes = await documentedRoutes(t.app, PLATFORM_ADMIN_TAG);
  assert.ok(routes.length >= 20, JSON.stringify(routes.map((route) => route.key)));
  const user = await account(t.database.sql, t.accessTokens, 'user');
  const creator = await account(t.database.sql, t.accessTokens, 'creator');
  const moderator = await account(t.database.sql, t.accessTokens, 'moderator');
  const admin = await account(t.database.sql, t.accessTokens, 'admin');
  // The flag exists, so that the admin's GET and DELETE reach it (the PUT below recreates it).
  await t.database
    .sql`INSERT INTO feature_flags (key, is_enabled, rollout_percentage) VALUES ('access.matrix', true, 100)`;
  const fingerprint = async () =>
    JSON.stringify(
      await t.database.sql`
        SELECT (SELECT count(*) FROM system_configs) AS configs, (SELECT count(*) FROM feature_flags) AS flags,
               (SELECT count(*) FROM audit_logs WHERE table_name IN ('system_configs', 'feature_flags')) AS audited`,
    );
  const before = await fingerprint();
  for (const route of routes) {
    const adminOnly = route.path.startsWith('/v1/admin/');
    const anonymous = await call(route, null);
    if (route.secured) assert.equal(anonymous.statusCode, 401, route.key);
    else assert.equal(anonymous.statusCode, 200, `${route.key}: ${anonymous.body}`);
    for (const who of [user, creator, moderator]) {
      const answer = await call(route, who);
      if (adminOnly) assert.equal(answer.statusCode, 403, `${route.key} as ${who.role}: ${answer.statusCode}`);
      else assert.equal(answer.statusCode, 200, `${route.key} as ${who.role}: ${answer.body}`);
    }
  }
  assert.equal(await fingerprint(), before, 'a refused request wrote something');
  // The admin gets through every route (PUT before DELETE, so that the flag exists when deleted).
  const order = (route: DocumentedRoute) => (route.method === 'DELETE' ? 1 : 0);
  for (const route of [...routes].sort((a, b) => order(a) - order(b))) {
    const answer = await call(route, admin);
    assert.ok(answer.statusCode < 300, `${route.key} as admin: ${answer.statusCode} ${answer.body}`);
  }
});
