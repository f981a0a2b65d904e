// Who may call each cloud route (issue 17: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag cloud), so a route added later is covered without touching this file. Someone else's account
// or backup does not exist for a stranger, a moderator or an administrator: 404, and nothing changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { account, as, backup, person, type Person } from './cloud.test-support.ts';

// Saving an account never contacts its server; the flag lets it name a loopback port nothing listens on.
const testApp = useTestApp({ env: () => ({ VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: 'true' }) });
const cloudRoutes = () => documentedRoutes(testApp.current.app, 'cloud');

const BODIES: Record<string, unknown> = {
  'POST /v1/me/cloud/accounts': {
    provider: 'webdav',
    server_url: 'http://127.0.0.1:9/',
    username: 'intruder',
    app_password: 'x',
  },
  'POST /v1/me/cloud/accounts/{id}/backups': { name: 'Stolen' },
};

function requestFor(route: DocumentedRoute, ids: { account: string; backup: string }, caller: Person | null) {
  const id = route.path.startsWith('/v1/me/cloud/backups/') ? ids.backup : ids.account;
  const payload = BODIES[route.key];
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', id),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  };
}

async function world() {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const accountId = await account(call, 'http://127.0.0.1:9/', 'alice', 'app-pass');
  // Active, so that a run by a stranger would be attempted if the policy let it through.
  await testApp.current.database.sql`UPDATE cloud_accounts SET status = 'active' WHERE id = ${accountId}`;
  return { owner, ids: { account: accountId, backup: await backup(call, accountId) } };
}

async function state(ids: { account: string; backup: string }) {
  const [row] = await testApp.current.database.sql`
    SELECT (SELECT row_to_json(a) FROM cloud_accounts a WHERE id = ${ids.account}) AS account,
           (SELECT row_to_json(j) FROM backup_jobs j WHERE id = ${ids.backup}) AS backup,
           (SELECT count(*) FROM sync_operations WHERE cloud_account_id = ${ids.account}) AS operations`;
  return row;
}

test('every cloud route needs a token (401)', async () => {
  const routes = await cloudRoutes();
  assert.ok(routes.filter((r) => r.method !== 'HEAD').length >= 11, routes.map((r) => r.key).join('\n'));
  const w = await world();
  for (const route of routes) {
    assert.ok(route.secured, route.key);
    const answer = await testApp.current.app.inject(requestFor(route, w.ids, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
});

test('BOLA: a stranger, a moderator and an admin reach nothing of an account or backup (404), change nothing', async () => {
  const w = await world();
  const before = await state(w.ids);
  const stranger = await person(testApp.current);
  const moderator = await person(testApp.current);
  const admin = await person(testApp.current);
  await testApp.current.database.sql`UPDATE users SET role = 'moderator' WHERE id = ${moderator.id}`;
  await testApp.current.database.sql`UPDATE users SET role = 'admin' WHERE id = ${admin.id}`;
  const named = (await cloudRoutes()).filter((r) => r.path.includes('{id}'));
  assert.ok(named.length >= 9, named.map((r) => r.key).join('\n'));
  for (const who of [stranger, moderator, admin])
    for (const route of named) {
      const answer = await testApp.current.app.inject(requestFor(route, w.ids, who));
      assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
      if (route.method !== 'HEAD') assert.match(answer.json().code, /^CLOUD_(ACCOUNT|BACKUP)_NOT_FOUND$/, route.key);
    }
  const list = await as(testApp.current, stranger)('GET', '/v1/me/cloud/accounts');
  assert.deepEqual(list.json().items, []);
  assert.deepEqual(await state(w.ids), before);
});
