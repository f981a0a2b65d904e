import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, freshIp, register, TEST_LOCKOUT, uniqueName, useAuthApp, type Answer } from './auth.test-support.ts';

const context = useAuthApp();
const sql = () => context.app.database.sql;

const attempt = (identifier: string, password: string, ip: string, extra: Record<string, unknown> = {}) =>
  call(context, {
    method: 'POST',
    url: '/v1/auth/login',
    body: { identifier, password, ...extra },
    ip,
    userAgent: 'veza-tests/1.0',
  });

/** What a client can compare between two answers: everything but the request's own id. */
function comparable(answer: Answer) {
  const { request_id: _id, ...body } = answer.body;
  return { status: answer.status, body, retryAfter: answer.headers['retry-after'] ?? null };
}

/** Moves an identifier's recorded attempts back in time, as if `seconds` had passed. */
async function travel(where: { identifier?: string; ip?: string }, seconds: number) {
  const interval = `${seconds} seconds`;
  if (where.identifier)
    await sql()`UPDATE login_attempts SET attempted_at = attempted_at - ${interval}::interval WHERE identifier = ${where.identifier}`;
  if (where.ip)
    await sql()`UPDATE login_attempts SET attempted_at = attempted_at - ${interval}::interval WHERE ip_address = ${where.ip}`;
}

describe('POST /v1/auth/login', () => {
  test('by email (any case) or by username: tokens that work, and the login recorded on the account', async () => {
    const account = await register(context);
    const ip = freshIp();
    const byEmail = await attempt(account.email.toUpperCase(), account.password, ip, {
      device_name: 'Ada’s laptop',
      device_type: 'desktop',
    });
    assert.equal(byEmail.status, 200, byEmail.raw);
    assert.equal(byEmail.body.mfa_required, false);
    assert.equal(byEmail.body.token_type, 'Bearer');
    assert.equal(byEmail.body.expires_in, 900);
    const me = await call(context, {
      method: 'GET',
      url: '/v1/auth/sessions',
      token: String(byEmail.body.access_token),
    });
    assert.equal(me.status, 200);
    const byUsername = await attempt(account.username, account.password, ip);
    assert.equal(byUsername.status, 200);

    const [user] =
      await sql()`SELECT login_count, last_login_at, host(last_login_ip) AS ip FROM users WHERE id = ${account.id}`;
    assert.equal(user?.login_count, 2);
    assert.ok(user?.last_login_at instanceof Date);
    assert.equal(user?.ip, ip);
    const [device] = await sql()`
      SELECT device_name, device_type, user_agent, host(ip_address) AS ip FROM refresh_tokens
      WHERE user_id = ${account.id} ORDER BY created_at LIMIT 1`;
    assert.deepEqual(device, { device_name: 'Ada’s laptop', device_type: 'desktop', user_agent: 'veza-tests/1.0', ip });
  });

  test('every attempt is recorded in login_attempts with its outcome, address and user agent', async () => {
    const account = await register(context);
    const ip = freshIp();
    await attempt(account.username, 'wrong password!', ip);
    await attempt(account.username, account.password, ip);
    const ghost = uniqueName('ghost');
    await attempt(ghost, 'whatever password', ip);
    const rows = await sql()`
      SELECT identifier, success, failure_reason, host(ip_address) AS ip, user_agent FROM login_attempts
      WHERE ip_address = ${ip} ORDER BY attempted_at`;
    assert.deepEqual(
      [...rows],
      [
        {
          identifier: account.username.toLowerCase(),
          success: false,
          failure_reason: 'invalid_password',
          ip,
          user_agent: 'veza-tests/1.0',
        },
        {
          identifier: account.username.toLowerCase(),
          success: true,
          failure_reason: null,
          ip,
          user_agent: 'veza-tests/1.0',
        },
        {
          identifier: ghost.toLowerCase(),
          success: false,
          failure_reason: 'unknown_account',
          ip,
          user_agent: 'veza-tests/1.0',
        },
      ],
    );
  });

  test('a wrong password and an unknown identifier get the same answer', async () => {
    const account = await register(context);
    const wrong = await attempt(account.email, 'not the password', freshIp());
    const unknown = await attempt(`${uniqueName('nobody')}@example.test`, 'not the password', freshIp());
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'INVALID_CREDENTIALS');
    assert.deepEqual(comparable(wrong), comparable(unknown));
  });

  test('a soft-deleted account answers as an unknown one; a banned or deactivated one only says so to its password', async () => {
    const deleted = await register(context);
    await sql()`UPDATE users SET deleted_at = NOW() WHERE id = ${deleted.id}`;
    assert.equal((await attempt(deleted.email, deleted.password, freshIp())).body.code, 'INVALID_CREDENTIALS');
    for (const change of [{ is_banned: true }, { is_active: false }]) {
      const account = await register(context);
      await sql()`UPDATE users SET ${sql()(change)} WHERE id = ${account.id}`;
      const wrong = await attempt(account.email, 'not the password', freshIp());
      assert.equal(
        wrong.body.code,
        'INVALID_CREDENTIALS',
        `${JSON.stringify(change)}: a wrong password learns nothing`,
      );
      const right = await attempt(account.email, account.password, freshIp());
      assert.equal(right.status, 403, JSON.stringify(change));
      assert.equal(right.body.code, 'ACCOUNT_DISABLED');
    }
  });

  test('bad input is a 400 naming the field', async () => {
    const answer = await call(context, {
      method: 'POST',
      url: '/v1/auth/login',
      body: { identifier: '', password: 'x', device_type: 'fridge' },
      ip: freshIp(),
    });
    assert.equal(answer.status, 400);
    const fields = (answer.body.errors as Array<{ field: string }>).map((e) => e.field);
    assert.ok(fields.includes('body.identifier') && fields.includes('body.device_type'), fields.join());
    // PostgreSQL text cannot hold NUL: refused by the schema, never a database error.
    const nul = await call(context, {
      method: 'POST',
      url: '/v1/auth/login',
      body: { identifier: 'ada\u0000', password: 'whatever', device_name: 'x\u0000' },
      ip: freshIp(),
    });
    assert.equal(nul.status, 400, nul.raw);
    const reset = await call(context, {
      method: 'POST',
      url: '/v1/auth/password-reset/request',
      body: { email: 'a\u0000@example.test' },
    });
    assert.equal(reset.status, 400, reset.raw);
    const long = await call(context, {
      method: 'POST',
      url: '/v1/auth/login',
      body: { identifier: 'İ'.repeat(255), password: 'whatever' },
      ip: freshIp(),
    });
    assert.equal(long.status, 401, 'an identifier that grows when lower-cased still fits the attempts table');
  });
});

describe('progressive lockout (ADR 0022)', () => {
  test(`after ${TEST_LOCKOUT.perIdentifier} failures the identifier is locked, even for the right password; alike for an unknown one`, async () => {
    const account = await register(context);
    const ghost = `${uniqueName('ghost')}@example.test`;
    const answers: Record<string, Answer[]> = { real: [], ghost: [] };
    for (const [name, identifier] of [
      ['real', account.email],
      ['ghost', ghost],
    ] as const) {
      for (let i = 0; i < TEST_LOCKOUT.perIdentifier; i += 1) {
        const answer = await attempt(identifier, `wrong password ${i}`, freshIp());
        assert.equal(answer.status, 401, `${name} failure ${i}`);
        answers[name]?.push(answer);
      }
      answers[name]?.push(await attempt(identifier, name === 'real' ? account.password : 'any password', freshIp()));
    }
    const locked = answers.real?.at(-1);
    assert.equal(locked?.status, 429, 'the right password does not get through a lock');
    assert.equal(locked?.body.code, 'LOGIN_LOCKED');
    const retryAfter = Number(locked?.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= TEST_LOCKOUT.lockSeconds, String(retryAfter));
    assert.deepEqual(
      answers.real?.map(comparable),
      answers.ghost?.map(comparable),
      'the same answers, in the same order, whether the account exists or not',
    );
    const [refusal] = await sql()`
      SELECT success, failure_reason FROM login_attempts WHERE identifier = ${account.email}
      ORDER BY attempted_at DESC LIMIT 1`;
    assert.deepEqual(refusal, { success: false, failure_reason: 'account_locked' });
  });

  test('the lock ends after its time; then each new failure locks again, and the lock doubles', async () => {
    const account = await register(context);
    const identifier = account.username.toLowerCase();
    for (let i = 0; i < TEST_LOCKOUT.perIdentifier; i += 1)
      await attempt(account.username, 'wrong password', freshIp());
    assert.equal((await attempt(account.username, account.password, freshIp())).status, 429);

    await travel({ identifier }, TEST_LOCKOUT.lockSeconds + 1);
    const afterLock = await attempt(account.username, 'wrong again', freshIp());
    assert.equal(afterLock.status, 401, 'the lock has ended: the attempt is checked');
    const relocked = await attempt(account.username, account.password, freshIp());
    assert.equal(relocked.status, 429, 'one more failure past the threshold locks again');

    // Two thresholds' worth of failures: the lock doubles.
    for (let i = 0; i < TEST_LOCKOUT.perIdentifier - 1; i += 1) {
      await travel({ identifier }, TEST_LOCKOUT.lockSeconds * 2 + 1);
      assert.equal((await attempt(account.username, 'wrong', freshIp())).status, 401);
    }
    const doubled = await attempt(account.username, account.password, freshIp());
    assert.equal(doubled.status, 429);
    const seconds = Number(doubled.headers['retry-after']);
    assert.ok(seconds > TEST_LOCKOUT.lockSeconds && seconds <= TEST_LOCKOUT.lockSeconds * 2, String(seconds));

    await travel({ identifier }, TEST_LOCKOUT.lockSeconds * 2 + 1);
    assert.equal((await attempt(account.username, account.password, freshIp())).status, 200, 'then the password works');
    // A success starts the count again.
    assert.equal((await attempt(account.username, 'wrong', freshIp())).status, 401);
    assert.equal((await attempt(account.username, account.password, freshIp())).status, 200);
  });

  test('failures older than the window no longer count', async () => {
    const account = await register(context);
    for (let i = 0; i < TEST_LOCKOUT.perIdentifier; i += 1) await attempt(account.email, 'wrong password', freshIp());
    await travel({ identifier: account.email }, TEST_LOCKOUT.windowSeconds + 1);
    assert.equal((await attempt(account.email, account.password, freshIp())).status, 200);
  });

  test(`one address failing ${TEST_LOCKOUT.perIp} times on any identifiers is locked for every identifier`, async () => {
    const account = await register(context);
    const ip = freshIp();
    for (let i = 0; i < TEST_LOCKOUT.perIp; i += 1) {
      assert.equal((await attempt(uniqueName('spray'), 'password123!', ip)).status, 401);
    }
    const locked = await attempt(account.email, account.password, ip);
    assert.equal(locked.status, 429);
    assert.equal((await attempt(account.email, account.password, freshIp())).status, 200, 'other addresses are not');
    await travel({ ip }, TEST_LOCKOUT.lockSeconds + 1);
    assert.equal((await attempt(account.email, account.password, ip)).status, 200);
  });

  test('parallel guesses are serialised: no more than the threshold are checked', async () => {
    const account = await register(context);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_unused, i) => attempt(account.email, `parallel guess ${i}`, freshIp())),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 401).length, TEST_LOCKOUT.perIdentifier, statuses.join());
    assert.equal(statuses.filter((s) => s === 429).length, 8 - TEST_LOCKOUT.perIdentifier);
    const [pending] = await sql()`
      SELECT count(*)::int AS n FROM login_attempts WHERE identifier = ${account.email} AND failure_reason = 'in_progress'`;
    assert.equal(pending?.n, 0, 'every attempt was finished');
  });
});
