import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  call,
  freshIp,
  independentTotp,
  login,
  register,
  TEST_LOCKOUT,
  useAuthApp,
  wrongTotp,
  type Account,
  type Session,
} from './auth.test-support.ts';

const context = useAuthApp();
const sql = () => context.app.database.sql;

const enroll = (token: string) => call(context, { method: 'POST', url: '/v1/auth/2fa/totp/enroll', token });
const confirm = (token: string, code: string) =>
  call(context, { method: 'POST', url: '/v1/auth/2fa/totp/confirm', token, body: { code } });
const passwordStep = (account: Account, ip = freshIp()) =>
  call(context, {
    method: 'POST',
    url: '/v1/auth/login',
    body: { identifier: account.email, password: account.password, device_name: 'Ada’s phone', device_type: 'mobile' },
    ip,
  });
const codeStep = (mfaToken: string, code: string, ip = freshIp()) =>
  call(context, { method: 'POST', url: '/v1/auth/login/mfa', body: { mfa_token: mfaToken, code }, ip });
/**
 * The code of the next 30 s step, which the server accepts for clock drift: a code of a step already used
 * (the one that confirmed enrolment) is refused, so a test that needs a second valid code takes this one.
 */
const nextTotp = (secret: string) => independentTotp(secret, Date.now() + 30_000);

/** An account with TOTP on: its secret (as the authenticator app holds it) and its backup codes. */
async function withTotp(): Promise<{ account: Account; session: Session; secret: string; backupCodes: string[] }> {
  const account = await register(context);
  const session = await login(context, account);
  const enrolment = await enroll(session.access_token);
  assert.equal(enrolment.status, 200, enrolment.raw);
  const secret = String(enrolment.body.secret);
  const confirmed = await confirm(session.access_token, independentTotp(secret));
  assert.equal(confirmed.status, 200, confirmed.raw);
  return { account, session, secret, backupCodes: confirmed.body.backup_codes as string[] };
}

describe('TOTP enrolment', () => {
  test('enrol answers the secret and its otpauth URI once; the secret is stored sealed, not in clear', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const answer = await enroll(session.access_token);
    assert.equal(answer.status, 200);
    const secret = String(answer.body.secret);
    assert.match(secret, /^[A-Z2-7]{32}$/, '20 random bytes in base32');
    const uri = new URL(String(answer.body.otpauth_uri));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Veza');
    const [row] = await sql()`SELECT totp_secret, totp_enabled FROM two_factor_configs WHERE user_id = ${account.id}`;
    assert.equal(row?.totp_enabled, false, 'not enabled before a code confirms it');
    assert.match(String(row?.totp_secret), /^v1:[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    assert.ok(!String(row?.totp_secret).includes(secret));
    const status = await call(context, { method: 'GET', url: '/v1/auth/2fa', token: session.access_token });
    assert.deepEqual(status.body, { totp_enabled: false, totp_enabled_at: null, backup_codes_remaining: 0 });
  });

  test('confirm needs a current code (computed here, without otplib); then 10 backup codes, stored hashed', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const secret = String((await enroll(session.access_token)).body.secret);
    const wrong = await confirm(session.access_token, wrongTotp(secret));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.code, 'INVALID_TOTP_CODE');
    const malformed = await confirm(session.access_token, '12ab56');
    assert.equal(malformed.status, 400);

    const answer = await confirm(session.access_token, independentTotp(secret));
    assert.equal(answer.status, 200, answer.raw);
    const codes = answer.body.backup_codes as string[];
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const [row] =
      await sql()`SELECT totp_enabled, backup_codes::text AS codes FROM two_factor_configs WHERE user_id = ${account.id}`;
    assert.equal(row?.totp_enabled, true);
    for (const code of codes) {
      assert.ok(!String(row?.codes).includes(code) && !String(row?.codes).includes(code.replaceAll('-', '')));
    }
    const again = await confirm(session.access_token, independentTotp(secret));
    assert.equal(again.status, 409);
    assert.equal((await enroll(session.access_token)).status, 409, 'no new enrolment over an enabled one');
    const status = await call(context, { method: 'GET', url: '/v1/auth/2fa', token: session.access_token });
    assert.equal(status.body.totp_enabled, true);
    assert.equal(status.body.backup_codes_remaining, 10);
  });

  test('confirm without an enrolment is a 409', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const answer = await confirm(session.access_token, '123456');
    assert.equal(answer.status, 409);
    assert.equal(answer.body.code, 'TOTP_NOT_ENROLLED');
  });
});

describe('login with TOTP', () => {
  test('the password step answers a challenge, not tokens; a current code completes the login', async () => {
    const { account, secret } = await withTotp();
    const first = await passwordStep(account);
    assert.equal(first.status, 200);
    assert.equal(first.body.mfa_required, true);
    assert.deepEqual(Object.keys(first.body).sort(), ['expires_in', 'mfa_required', 'mfa_token']);
    const mfaToken = String(first.body.mfa_token);

    const [attempt] = await sql()`
      SELECT success, failure_reason FROM login_attempts WHERE identifier = ${account.email} ORDER BY attempted_at DESC LIMIT 1`;
    assert.deepEqual(attempt, { success: false, failure_reason: 'mfa_required' }, 'a password alone is no success');

    const done = await codeStep(mfaToken, nextTotp(secret));
    assert.equal(done.status, 200, done.raw);
    assert.deepEqual(Object.keys(done.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    const sessions = await call(context, {
      method: 'GET',
      url: '/v1/auth/sessions',
      token: String(done.body.access_token),
    });
    const devices = sessions.body.items as Array<Record<string, unknown>>;
    assert.ok(
      devices.some((d) => d.device_name === 'Ada’s phone' && d.device_type === 'mobile'),
      'the device came through',
    );
  });

  test('a backup code completes a login once; the count of remaining codes drops', async () => {
    const { account, backupCodes, session } = await withTotp();
    const code = backupCodes[3] ?? '';
    const first = await codeStep(String((await passwordStep(account)).body.mfa_token), code.toUpperCase());
    assert.equal(first.status, 200, 'codes are case- and dash-insensitive');
    const second = await codeStep(String((await passwordStep(account)).body.mfa_token), code);
    assert.equal(second.status, 400, 'a backup code works once');
    const fresh = await login(context, account).catch(() => undefined);
    assert.equal(fresh, undefined, 'plain login no longer hands out tokens');
    const status = await call(context, { method: 'GET', url: '/v1/auth/2fa', token: session.access_token });
    assert.equal(status.body.backup_codes_remaining, 9);
  });

  test('wrong codes count towards the lockout of the identifier', async () => {
    const { account, secret } = await withTotp();
    const mfaToken = String((await passwordStep(account)).body.mfa_token);
    for (let i = 0; i < TEST_LOCKOUT.perIdentifier; i += 1) {
      const answer = await codeStep(mfaToken, wrongTotp(secret));
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'INVALID_TOTP_CODE');
    }
    const locked = await codeStep(mfaToken, independentTotp(secret));
    assert.equal(locked.status, 429, 'even the right code waits for the lock');
  });

  test('a forged, altered or stale challenge is refused; logout-all voids pending challenges', async () => {
    const { account, secret, session } = await withTotp();
    const mfaToken = String((await passwordStep(account)).body.mfa_token);
    const parts = mfaToken.split(':');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[5] = (body[5] ?? 0) ^ 0xff;
    const altered = [...parts.slice(0, 3), body.toString('base64url')].join(':');
    for (const bad of ['garbage-token', altered]) {
      const answer = await codeStep(bad, independentTotp(secret));
      assert.equal(answer.status, 401, bad);
      assert.equal(answer.body.code, 'INVALID_MFA_CHALLENGE');
    }
    await call(context, { method: 'POST', url: '/v1/auth/logout-all', token: session.access_token });
    const voided = await codeStep(mfaToken, independentTotp(secret));
    assert.equal(voided.status, 401);
  });
});

describe('disabling TOTP', () => {
  test('needs the password and a code; then login no longer asks for one', async () => {
    const { account, secret, session } = await withTotp();
    const disable = (body: Record<string, unknown>) =>
      call(context, {
        method: 'POST',
        url: '/v1/auth/2fa/totp/disable',
        token: session.access_token,
        body,
        ip: freshIp(),
      });
    const wrongPassword = await disable({ password: 'not my password', code: independentTotp(secret) });
    assert.equal(wrongPassword.status, 403);
    const wrongCode = await disable({ password: account.password, code: wrongTotp(secret) });
    assert.equal(wrongCode.status, 403);
    assert.equal(wrongCode.body.code, wrongPassword.body.code, 'which of the two was wrong is not said');
    const [still] = await sql()`SELECT totp_enabled FROM two_factor_configs WHERE user_id = ${account.id}`;
    assert.equal(still?.totp_enabled, true);

    const done = await disable({ password: account.password, code: nextTotp(secret) });
    assert.equal(done.status, 204, done.raw);
    const [row] =
      await sql()`SELECT totp_enabled, totp_secret, backup_codes FROM two_factor_configs WHERE user_id = ${account.id}`;
    assert.deepEqual(row, { totp_enabled: false, totp_secret: null, backup_codes: null });
    await login(context, account);
    const again = await disable({ password: account.password, code: independentTotp(secret) });
    assert.equal(again.status, 409);
  });

  test('a backup code may stand in for the authenticator', async () => {
    const { account, backupCodes, session } = await withTotp();
    const answer = await call(context, {
      method: 'POST',
      url: '/v1/auth/2fa/totp/disable',
      token: session.access_token,
      body: { password: account.password, code: backupCodes[0] },
      ip: freshIp(),
    });
    assert.equal(answer.status, 204);
  });
});

describe('another user and anonymous callers', () => {
  test('every two-factor route needs a caller and acts on the caller’s own configuration only', async () => {
    const ada = await withTotp();
    const bob = await register(context);
    const bobSession = await login(context, bob);
    for (const [method, url] of [
      ['GET', '/v1/auth/2fa'],
      ['POST', '/v1/auth/2fa/totp/enroll'],
      ['POST', '/v1/auth/2fa/totp/confirm'],
      ['POST', '/v1/auth/2fa/totp/disable'],
    ] as const) {
      const anonymous = await call(context, { method, url, body: { code: '123456', password: 'x' } });
      assert.equal(anonymous.status, 401, `${method} ${url}`);
    }
    // Bob's calls see and change Bob's configuration, never Ada's, whatever he sends.
    const bobStatus = await call(context, { method: 'GET', url: '/v1/auth/2fa', token: bobSession.access_token });
    assert.equal(bobStatus.body.totp_enabled, false);
    const disable = await call(context, {
      method: 'POST',
      url: '/v1/auth/2fa/totp/disable',
      token: bobSession.access_token,
      body: { password: ada.account.password, code: independentTotp(ada.secret) },
      ip: freshIp(),
    });
    assert.equal(disable.status, 409, 'Bob has no TOTP to disable; Ada’s stays on');
    const [adaRow] = await sql()`SELECT totp_enabled FROM two_factor_configs WHERE user_id = ${ada.account.id}`;
    assert.equal(adaRow?.totp_enabled, true);
    const confirmAda = await confirm(bobSession.access_token, independentTotp(ada.secret));
    assert.equal(confirmAda.status, 409, 'Bob has no enrolment; Ada’s secret is no use to him');
  });
});

describe('replay of second-factor proofs (outside probe, issue 10)', () => {
  test('the code that confirmed enrolment cannot complete a login, nor can a code already used', async () => {
    const { account, secret } = await withTotp();
    const confirmingCode = independentTotp(secret);
    const replayed = await codeStep(String((await passwordStep(account)).body.mfa_token), confirmingCode);
    assert.equal(replayed.status, 400, replayed.raw);
    assert.equal(replayed.body.code, 'INVALID_TOTP_CODE');

    const at = Date.now() + 30_000;
    const code = independentTotp(secret, at);
    const first = await codeStep(String((await passwordStep(account)).body.mfa_token), code);
    assert.equal(first.status, 200, first.raw);
    const again = await codeStep(String((await passwordStep(account)).body.mfa_token), code);
    assert.equal(again.status, 400, 'the same code, on a fresh challenge, within its window');
    const older = await codeStep(String((await passwordStep(account)).body.mfa_token), confirmingCode);
    assert.equal(older.status, 400, 'a code of an earlier step than the last one used');
    const [row] = await sql()`SELECT totp_last_used_step FROM two_factor_configs WHERE user_id = ${account.id}`;
    assert.equal(Number(row?.totp_last_used_step), Math.floor(at / 30_000));
  });

  test('a code used to disable TOTP is spent too', async () => {
    const { account, secret, session } = await withTotp();
    const code = nextTotp(secret);
    const login = await codeStep(String((await passwordStep(account)).body.mfa_token), code);
    assert.equal(login.status, 200, login.raw);
    const disable = await call(context, {
      method: 'POST',
      url: '/v1/auth/2fa/totp/disable',
      token: session.access_token,
      body: { password: account.password, code },
      ip: freshIp(),
    });
    assert.equal(disable.status, 403, 'the login already used this code');
  });

  test('an mfa_token completes one login: presented again, even with another valid proof, it is refused', async () => {
    const { account, secret, backupCodes } = await withTotp();
    const mfaToken = String((await passwordStep(account)).body.mfa_token);
    const newer = String((await passwordStep(account)).body.mfa_token);
    const first = await codeStep(mfaToken, nextTotp(secret));
    assert.equal(first.status, 200, first.raw);
    const second = await codeStep(mfaToken, backupCodes[0] ?? '');
    assert.equal(second.status, 401, second.raw);
    assert.equal(second.body.code, 'INVALID_MFA_CHALLENGE');
    const status = await call(context, { method: 'GET', url: '/v1/auth/2fa', token: String(first.body.access_token) });
    assert.equal(status.body.backup_codes_remaining, 10, 'the refused attempt did not spend the backup code');
    const later = await codeStep(newer, backupCodes[1] ?? '');
    assert.equal(later.status, 200, 'a challenge issued after the spent one still works');
  });

  test('parallel completions of one mfa_token: exactly one session starts', async () => {
    const { account, backupCodes } = await withTotp();
    const mfaToken = String((await passwordStep(account)).body.mfa_token);
    const answers = await Promise.all(backupCodes.slice(0, 4).map((code) => codeStep(mfaToken, code)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401, 401, 401]);
    const [sessions] = await sql()`
      SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = ${account.id} AND device_name = 'Ada’s phone'`;
    assert.equal(sessions?.n, 1);
  });
});
