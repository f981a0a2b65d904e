// Regressions found by the API fuzz test (test/api/fuzz.test.ts): headers are stored with sessions and login
// attempts, and must never turn a request into a 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, freshIp, register, useAuthApp } from './auth.test-support.ts';

const context = useAuthApp();

test('a User-Agent with NUL and control characters: the login is judged on its merits, the header stored clean', async () => {
  const account = await register(context);
  const userAgent = 'Fuzz\u0000Agent/1.0\r\n\u0007';
  const ip = freshIp();

  const refused = await call(context, {
    method: 'POST',
    url: '/v1/auth/login',
    body: { identifier: account.email, password: 'not the password' },
    ip,
    userAgent,
  });
  assert.equal(refused.status, 401, refused.raw);
  assert.equal(refused.body.code, 'INVALID_CREDENTIALS');

  const accepted = await call(context, {
    method: 'POST',
    url: '/v1/auth/login',
    body: { identifier: account.email, password: account.password },
    ip,
    userAgent,
  });
  assert.equal(accepted.status, 200, accepted.raw);

  const { sql } = context.app.database;
  const attempts = await sql`SELECT user_agent FROM login_attempts WHERE identifier = ${account.email}`;
  assert.deepEqual(
    attempts.map((row) => row.user_agent),
    ['FuzzAgent/1.0', 'FuzzAgent/1.0'],
  );
  const [session] = await sql`SELECT user_agent FROM refresh_tokens WHERE user_id = ${account.id}`;
  assert.equal(session?.user_agent, 'FuzzAgent/1.0');
});
