import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { call, freshIp, login, register, useAuthApp, type Session } from './auth.test-support.ts';

const context = useAuthApp();
const sql = () => context.app.database.sql;

const refresh = (refreshToken: string, ip = freshIp()) =>
  call(context, { method: 'POST', url: '/v1/auth/refresh', body: { refresh_token: refreshToken }, ip });
const sessionsOf = (accessToken: string, query = '') =>
  call(context, { method: 'GET', url: `/v1/auth/sessions${query}`, token: accessToken });

async function row(refreshToken: string) {
  const [found] = await sql()`
    SELECT id, family_id, user_id, token_hash, is_revoked, revoked_reason FROM refresh_tokens
    WHERE token = ${refreshToken.split('.')[0] ?? ''}`;
  return found;
}

describe('refresh tokens: stored hashed, rotated on every use, reuse kills the family', () => {
  test('the database holds the selector and SHA-256 of the verifier, never the token', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const [selector, verifier] = session.refresh_token.split('.');
    const stored = await row(session.refresh_token);
    assert.equal(stored?.token_hash, createHash('sha256').update(String(verifier)).digest('hex'));
    const [hits] = await sql()`
      SELECT count(*)::int AS n FROM refresh_tokens
      WHERE token = ${session.refresh_token} OR token_hash = ${String(verifier)} OR token_hash LIKE ${`%${String(verifier)}%`}`;
    assert.equal(hits?.n, 0);
    assert.equal(stored?.family_id, stored?.id, 'a login starts a family named after its first token');
    assert.ok(selector);
  });

  test('each refresh revokes the token presented and issues a new one of the same family', async () => {
    const account = await register(context);
    const first = await login(context, account);
    const answer = await refresh(first.refresh_token);
    assert.equal(answer.status, 200, answer.raw);
    const second = String(answer.body.refresh_token);
    assert.notEqual(second, first.refresh_token);
    const old = await row(first.refresh_token);
    const next = await row(second);
    assert.deepEqual([old?.is_revoked, old?.revoked_reason], [true, 'rotated']);
    assert.deepEqual([next?.is_revoked, next?.family_id], [false, old?.family_id]);
    assert.equal((await sessionsOf(String(answer.body.access_token))).status, 200, 'the new access token works');
    assert.equal((await refresh(second)).status, 200, 'and the new refresh token too');
  });

  test('presenting a rotated token again revokes the whole family (401), not the other sessions', async () => {
    const account = await register(context);
    const stolen = await login(context, account);
    const otherDevice = await login(context, account);
    const rotated1 = String((await refresh(stolen.refresh_token)).body.refresh_token);
    const rotated2 = String((await refresh(rotated1)).body.refresh_token);

    const reuse = await refresh(stolen.refresh_token);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.code, 'INVALID_REFRESH_TOKEN');
    const family = await sql()`
      SELECT is_revoked, revoked_reason FROM refresh_tokens WHERE family_id = ${(await row(stolen.refresh_token))?.family_id}
      ORDER BY created_at`;
    assert.ok(family.every((token) => token.is_revoked));
    assert.equal(family.at(-1)?.revoked_reason, 'reuse_detected', 'the newest descendant is revoked too');
    assert.equal((await refresh(rotated2)).status, 401, 'the legitimate holder must log in again');
    assert.equal((await refresh(otherDevice.refresh_token)).status, 200, 'another login is another family');
  });

  test('refreshes racing with one token (two tabs): all get the same new pair, and the session lives on', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const answers = await Promise.all([1, 2, 3, 4].map(() => refresh(session.refresh_token)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200],
      answers.map((a) => a.raw).join('\n'),
    );
    const pairs = new Set(answers.map((a) => `${String(a.body.access_token)} ${String(a.body.refresh_token)}`));
    assert.equal(pairs.size, 1, 'one rotation, answered four times');
    const shared = String(answers[0]?.body.refresh_token);
    const [family] = await sql()`
      SELECT count(*)::int AS tokens, count(*) FILTER (WHERE NOT is_revoked)::int AS live,
             count(*) FILTER (WHERE revoked_reason = 'reuse_detected')::int AS reused
      FROM refresh_tokens WHERE user_id = ${account.id}`;
    assert.deepEqual(family, { tokens: 2, live: 1, reused: 0 });
    const [kept] =
      await sql()`SELECT rotation_sealed_token FROM refresh_tokens WHERE token = ${session.refresh_token.split('.')[0] ?? ''}`;
    assert.match(String(kept?.rotation_sealed_token), /^v1:/, 'the answer is kept sealed');
    assert.ok(!String(kept?.rotation_sealed_token).includes(shared.split('.')[1] ?? 'x'), 'never in clear');
    assert.equal((await refresh(shared)).status, 200, 'the shared successor works');
  });

  test('after the grace window the same token is reuse again: the family is revoked', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const first = await refresh(session.refresh_token);
    assert.equal(first.status, 200);
    await sql()`
      UPDATE refresh_tokens SET revoked_at = revoked_at - INTERVAL '11 seconds'
      WHERE token = ${session.refresh_token.split('.')[0] ?? ''}`;
    const late = await refresh(session.refresh_token);
    assert.equal(late.status, 401, late.raw);
    assert.equal((await refresh(String(first.body.refresh_token))).status, 401, 'the family is revoked');
    const [left] = await sql()`
      SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = ${account.id} AND rotation_sealed_token IS NOT NULL`;
    assert.equal(left?.n, 0, 'nothing kept once the family is revoked');
  });

  test('within the window, another kind of client presenting the token is taken as a thief', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const presentAs = (userAgent: string) =>
      call(context, {
        method: 'POST',
        url: '/v1/auth/refresh',
        body: { refresh_token: session.refresh_token },
        ip: freshIp(),
        userAgent,
      });
    const owner = await presentAs('Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    assert.equal(owner.status, 200);
    const other = await presentAs('curl/8.14.1');
    assert.equal(other.status, 401);
    assert.equal((await refresh(String(owner.body.refresh_token))).status, 401, 'the family is revoked');
  });

  test('garbage, a forged verifier, an expired token and a disabled account are all 401', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const [selector, verifier] = session.refresh_token.split('.') as [string, string];
    const forged = `${selector}.${verifier.startsWith('A') ? 'B' : 'A'}${verifier.slice(1)}`;
    for (const bad of ['garbage', forged, `${'A'.repeat(22)}.${verifier}`]) {
      const answer = await refresh(bad);
      assert.equal(answer.status, 401, bad);
    }
    assert.equal((await row(session.refresh_token))?.is_revoked, false, 'a forged verifier revokes nothing');

    const expiring = await login(context, account);
    await sql()`UPDATE refresh_tokens SET created_at = NOW() - INTERVAL '31 days', expires_at = NOW() - INTERVAL '1 day' WHERE token = ${expiring.refresh_token.split('.')[0] ?? ''}`;
    assert.equal((await refresh(expiring.refresh_token)).status, 401);

    await sql()`UPDATE users SET is_banned = true WHERE id = ${account.id}`;
    assert.equal((await refresh(session.refresh_token)).status, 401);
  });

  test('refresh tokens live 30 days by default', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const [found] = await sql()`
      SELECT EXTRACT(EPOCH FROM expires_at - created_at)::int AS seconds FROM refresh_tokens
      WHERE token = ${session.refresh_token.split('.')[0] ?? ''}`;
    assert.ok(Math.abs(Number(found?.seconds) - 30 * 86_400) < 60, String(found?.seconds));
  });
});

describe('logout, logout-all, devices', () => {
  test('logout revokes this device’s refresh token only; another user’s token is a 404 and stays', async () => {
    const ada = await register(context);
    const bob = await register(context);
    const adaLaptop = await login(context, ada);
    const adaPhone = await login(context, ada);
    const bobSession = await login(context, bob);

    const foreign = await call(context, {
      method: 'POST',
      url: '/v1/auth/logout',
      token: adaLaptop.access_token,
      body: { refresh_token: bobSession.refresh_token },
    });
    assert.equal(foreign.status, 404);
    assert.equal((await row(bobSession.refresh_token))?.is_revoked, false);
    const anonymous = await call(context, {
      method: 'POST',
      url: '/v1/auth/logout',
      body: { refresh_token: adaLaptop.refresh_token },
    });
    assert.equal(anonymous.status, 401);
    assert.equal((await row(adaLaptop.refresh_token))?.is_revoked, false);

    const own = await call(context, {
      method: 'POST',
      url: '/v1/auth/logout',
      token: adaLaptop.access_token,
      body: { refresh_token: adaLaptop.refresh_token },
    });
    assert.equal(own.status, 204);
    assert.equal((await refresh(adaLaptop.refresh_token)).status, 401);
    assert.equal((await refresh(adaPhone.refresh_token)).status, 200, 'the other device stays logged in');
  });

  test('logout-all bumps token_version: every access token and refresh token of the account dies at once', async () => {
    const account = await register(context);
    const other = await register(context);
    const sessions: Session[] = [await login(context, account), await login(context, account)];
    const bystander = await login(context, other);
    const [before] = await sql()`SELECT token_version FROM users WHERE id = ${account.id}`;

    const answer = await call(context, {
      method: 'POST',
      url: '/v1/auth/logout-all',
      token: sessions[0]?.access_token,
    });
    assert.equal(answer.status, 204);
    const [after] = await sql()`SELECT token_version FROM users WHERE id = ${account.id}`;
    assert.equal(after?.token_version, Number(before?.token_version) + 1);
    for (const session of sessions) {
      assert.equal((await sessionsOf(session.access_token)).status, 401, 'access token dead');
      assert.equal((await refresh(session.refresh_token)).status, 401, 'refresh token dead');
    }
    assert.equal((await sessionsOf(bystander.access_token)).status, 200, 'other accounts are untouched');
    assert.equal((await call(context, { method: 'POST', url: '/v1/auth/logout-all' })).status, 401);
  });

  test('GET /v1/auth/sessions lists the caller’s live devices, newest first, in keyset pages', async () => {
    const account = await register(context);
    const other = await register(context);
    await login(context, other);
    const devices = ['phone', 'tablet', 'laptop'] as const;
    const logins: Session[] = [];
    for (const [i, name] of devices.entries()) {
      logins.push(
        await login(context, account, {
          device_name: `Ada’s ${name}`,
          device_type: name === 'laptop' ? 'desktop' : name === 'phone' ? 'mobile' : 'tablet',
          userAgent: `agent-${i}`,
        }),
      );
    }
    const revoked = await login(context, account, { device_name: 'gone' });
    await call(context, {
      method: 'POST',
      url: '/v1/auth/logout',
      token: revoked.access_token,
      body: { refresh_token: revoked.refresh_token },
    });
    const token = logins[2]?.access_token ?? '';
    const first = await sessionsOf(token, '?limit=2');
    assert.equal(first.status, 200, first.raw);
    const items = first.body.items as Array<Record<string, unknown>>;
    assert.deepEqual(
      items.map((s) => s.device_name),
      ['Ada’s laptop', 'Ada’s tablet'],
    );
    assert.deepEqual(Object.keys(items[0] ?? {}).sort(), [
      'created_at',
      'device_name',
      'device_type',
      'expires_at',
      'id',
      'ip_address',
      'last_used_at',
      'user_agent',
    ]);
    assert.ok(!first.raw.includes('token_hash') && !first.raw.includes(logins[2]?.refresh_token ?? 'x'));
    const second = await sessionsOf(token, `?limit=2&cursor=${String(first.body.next_cursor)}`);
    assert.deepEqual(
      (second.body.items as Array<Record<string, unknown>>).map((s) => s.device_name),
      ['Ada’s phone'],
    );
    assert.equal(second.body.next_cursor, null);
    assert.equal((await sessionsOf(token, '?cursor=forged')).status, 400);
    assert.equal((await sessionsOf(token, '?limit=101')).status, 400);
    assert.equal((await call(context, { method: 'GET', url: '/v1/auth/sessions' })).status, 401);
  });

  test('DELETE /v1/auth/sessions/:id revokes one of the caller’s devices; anyone else’s is a 404', async () => {
    const ada = await register(context);
    const bob = await register(context);
    const adaPhone = await login(context, ada, { device_name: 'phone' });
    const adaLaptop = await login(context, ada, { device_name: 'laptop' });
    const bobSession = await login(context, bob);
    const bobId = String((await row(bobSession.refresh_token))?.id);
    const phoneId = String((await row(adaPhone.refresh_token))?.id);

    const foreign = await call(context, {
      method: 'DELETE',
      url: `/v1/auth/sessions/${bobId}`,
      token: adaLaptop.access_token,
    });
    assert.equal(foreign.status, 404);
    assert.equal((await row(bobSession.refresh_token))?.is_revoked, false);
    const anonymous = await call(context, { method: 'DELETE', url: `/v1/auth/sessions/${phoneId}` });
    assert.equal(anonymous.status, 401);
    assert.equal(
      (await call(context, { method: 'DELETE', url: '/v1/auth/sessions/not-a-uuid', token: adaLaptop.access_token }))
        .status,
      400,
    );

    const own = await call(context, {
      method: 'DELETE',
      url: `/v1/auth/sessions/${phoneId}`,
      token: adaLaptop.access_token,
    });
    assert.equal(own.status, 204);
    assert.equal((await refresh(adaPhone.refresh_token)).status, 401);
    const again = await call(context, {
      method: 'DELETE',
      url: `/v1/auth/sessions/${phoneId}`,
      token: adaLaptop.access_token,
    });
    assert.equal(again.status, 404, 'no longer a live session');
    assert.equal((await refresh(adaLaptop.refresh_token)).status, 200);
  });
});
