// Who may call each route of the auth domain: anonymous callers reach only the public ones, and a signed-in
// user's calls never read or change another user's account, sessions or second factor.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, freshIp, independentTotp, login, register, useAuthApp, type Call } from './auth.test-support.ts';

const context = useAuthApp();
const sql = () => context.app.database.sql;

/** Routes anyone may call: each is protected by what it is given (credentials, a mailed token, a refresh token). */
const PUBLIC = [
  'POST /v1/auth/register',
  'POST /v1/auth/verify-email',
  'POST /v1/auth/login',
  'POST /v1/auth/login/mfa',
  'POST /v1/auth/refresh',
  'POST /v1/auth/password-reset/request',
  'POST /v1/auth/password-reset/confirm',
];

async function authRoutes(): Promise<Array<{ route: string; secured: boolean }>> {
  const answer = await call(context, { method: 'GET', url: '/openapi.json' });
  const paths = answer.body.paths as Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
  const routes: Array<{ route: string; secured: boolean }> = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      // Federated login shares the tag; it has its own tests.
      if (!operation.tags?.includes('auth') || path.includes('/oidc/') || path.includes('/identities')) continue;
      routes.push({ route: `${method.toUpperCase()} ${path}`, secured: (operation.security?.length ?? 0) > 0 });
    }
  }
  return routes;
}

/** Everything of an account the auth routes could change. */
async function stateOf(userId: string) {
  const [state] = await sql()`
    SELECT u.token_version, u.password_hash, u.email_verified_at,
           (SELECT json_agg(json_build_array(id, is_revoked) ORDER BY id) FROM refresh_tokens WHERE user_id = u.id) AS tokens,
           (SELECT row_to_json(f) FROM two_factor_configs f WHERE user_id = u.id) AS two_factor,
           (SELECT count(*)::int FROM email_verification_tokens WHERE user_id = u.id) AS verifications
    FROM users u WHERE u.id = ${userId}`;
  return state;
}

describe('route access', () => {
  test('every auth route is documented as public or as needing a bearer token, as designed', async () => {
    const routes = await authRoutes();
    assert.ok(routes.length >= 16, routes.map((r) => r.route).join('\n'));
    assert.deepEqual(
      routes
        .filter((r) => !r.secured)
        .map((r) => r.route)
        .sort(),
      [...PUBLIC].sort(),
    );
  });

  test('an anonymous caller gets 401 from every route that needs a caller, and nothing changes', async () => {
    const ada = await register(context);
    const adaSession = await login(context, ada);
    const [session] = await sql()`SELECT id FROM refresh_tokens WHERE user_id = ${ada.id} LIMIT 1`;
    const before = await stateOf(ada.id);
    const bodies: Record<string, unknown> = {
      'POST /v1/auth/logout': { refresh_token: adaSession.refresh_token },
      'POST /v1/auth/password': { current_password: ada.password, new_password: 'a takeover passphrase' },
      'POST /v1/auth/2fa/totp/confirm': { code: '123456' },
      'POST /v1/auth/2fa/totp/disable': { password: ada.password, code: '123456' },
    };
    for (const { route, secured } of await authRoutes()) {
      if (!secured) continue;
      const [method, path] = route.split(' ') as [Call['method'], string];
      const url = path.replace('{id}', String(session?.id));
      const answer = await call(context, { method, url, body: bodies[route], ip: freshIp() });
      assert.equal(answer.status, 401, route);
      assert.equal(answer.body.code, 'UNAUTHENTICATED', route);
    }
    assert.deepEqual(await stateOf(ada.id), before);
  });

  test('another user can neither see nor touch the account’s sessions, password or second factor', async () => {
    const ada = await register(context);
    const adaSession = await login(context, ada, { device_name: 'ada-only' });
    const adaTotpSession = await login(context, ada);
    const secret = String(
      (await call(context, { method: 'POST', url: '/v1/auth/2fa/totp/enroll', token: adaTotpSession.access_token }))
        .body.secret,
    );
    const [adaToken] = await sql()`SELECT id FROM refresh_tokens WHERE user_id = ${ada.id} ORDER BY created_at LIMIT 1`;
    const bob = await register(context);
    const bobSession = await login(context, bob);
    const before = await stateOf(ada.id);
    const asBob = (request: Omit<Call, 'token'>) =>
      call(context, { ...request, token: bobSession.access_token, ip: freshIp() });

    const list = await asBob({ method: 'GET', url: '/v1/auth/sessions' });
    assert.equal(list.status, 200);
    assert.ok(!list.raw.includes(String(adaToken?.id)) && !list.raw.includes('ada-only'), 'Bob sees his sessions only');
    assert.equal((await asBob({ method: 'DELETE', url: `/v1/auth/sessions/${String(adaToken?.id)}` })).status, 404);
    assert.equal(
      (await asBob({ method: 'POST', url: '/v1/auth/logout', body: { refresh_token: adaSession.refresh_token } }))
        .status,
      404,
    );
    const takeover = await asBob({
      method: 'POST',
      url: '/v1/auth/password',
      body: {
        current_password: bob.password,
        new_password: 'bob now owns ada',
        refresh_token: adaSession.refresh_token,
      },
    });
    assert.equal(takeover.status, 400, 'Ada’s refresh token is not one of Bob’s sessions');
    assert.equal(
      (await asBob({ method: 'POST', url: '/v1/auth/2fa/totp/confirm', body: { code: independentTotp(secret) } }))
        .status,
      409,
      'Bob confirms nothing with Ada’s secret',
    );
    assert.equal((await asBob({ method: 'GET', url: '/v1/auth/2fa' })).body.totp_enabled, false);
    assert.equal((await asBob({ method: 'POST', url: '/v1/auth/verify-email/resend' })).status, 202);
    assert.equal((await asBob({ method: 'POST', url: '/v1/auth/logout-all' })).status, 204);

    assert.deepEqual(await stateOf(ada.id), before, 'Ada’s account is as it was');
    assert.equal(
      (await call(context, { method: 'GET', url: '/v1/auth/sessions', token: adaSession.access_token })).status,
      200,
      'and her tokens still work',
    );
  });
});
