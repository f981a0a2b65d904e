import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  call,
  freshIp,
  login,
  mailTo,
  register,
  TEST_LOCKOUT,
  tokenFromMail,
  uniqueName,
  useAuthApp,
  type Account,
  type Answer,
} from './auth.test-support.ts';

const context = useAuthApp();
const sql = () => context.app.database.sql;

const refresh = (refreshToken: string) =>
  call(context, { method: 'POST', url: '/v1/auth/refresh', body: { refresh_token: refreshToken }, ip: freshIp() });
const sessionsOf = (accessToken: string) =>
  call(context, { method: 'GET', url: '/v1/auth/sessions', token: accessToken });
const change = (accessToken: string, body: Record<string, unknown>, ip = freshIp()) =>
  call(context, { method: 'POST', url: '/v1/auth/password', token: accessToken, body, ip });
const requestReset = (email: string) =>
  call(context, { method: 'POST', url: '/v1/auth/password-reset/request', body: { email }, ip: freshIp() });
const confirmReset = (token: string, newPassword: string) =>
  call(context, { method: 'POST', url: '/v1/auth/password-reset/confirm', body: { token, new_password: newPassword } });

const rules = (answer: Answer) =>
  ((answer.body.errors ?? []) as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`);

describe('POST /v1/auth/password (change)', () => {
  test('needs the current password; ends every other session, keeps this device’s, answers a new access token', async () => {
    const account = await register(context);
    const here = await login(context, account);
    const elsewhere = await login(context, account);
    const newPassword = 'a brand new passphrase';

    const wrong = await change(here.access_token, { current_password: 'not it at all', new_password: newPassword });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 'CURRENT_PASSWORD_INCORRECT');

    const answer = await change(here.access_token, {
      current_password: account.password,
      new_password: newPassword,
      refresh_token: here.refresh_token,
    });
    assert.equal(answer.status, 200, answer.raw);
    assert.deepEqual(Object.keys(answer.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal((await sessionsOf(here.access_token)).status, 401, 'token_version was bumped');
    assert.equal((await sessionsOf(elsewhere.access_token)).status, 401);
    assert.equal((await sessionsOf(String(answer.body.access_token))).status, 200, 'the new access token works');
    assert.equal((await refresh(elsewhere.refresh_token)).status, 401, 'the other device is logged out');
    assert.equal((await refresh(here.refresh_token)).status, 200, 'this device keeps its session');

    const [user] = await sql()`SELECT last_password_change_at, token_version FROM users WHERE id = ${account.id}`;
    assert.ok(user?.last_password_change_at instanceof Date);
    assert.equal(user?.token_version, 1);
    const oldLogin = await call(context, {
      method: 'POST',
      url: '/v1/auth/login',
      body: { identifier: account.email, password: account.password },
      ip: freshIp(),
    });
    assert.equal(oldLogin.status, 401);
    await login(context, { ...account, password: newPassword });
  });

  test('without refresh_token every session ends; someone else’s refresh_token is refused and changes nothing', async () => {
    const account = await register(context);
    const other = await register(context);
    const otherSession = await login(context, other);
    const here = await login(context, account);
    const foreign = await change(here.access_token, {
      current_password: account.password,
      new_password: 'another passphrase here',
      refresh_token: otherSession.refresh_token,
    });
    assert.equal(foreign.status, 400);
    assert.deepEqual(rules(foreign), ['body.refresh_token ownLiveSession']);
    assert.equal((await sessionsOf(here.access_token)).status, 200, 'nothing changed');

    const answer = await change(here.access_token, {
      current_password: account.password,
      new_password: 'another passphrase here',
    });
    assert.equal(answer.status, 200);
    assert.equal((await refresh(here.refresh_token)).status, 401);
    assert.equal((await refresh(otherSession.refresh_token)).status, 200);
  });

  test('password history: the 5 previous passwords are refused, the 6th back is accepted again', async () => {
    const passwords = Array.from({ length: 6 }, (_unused, i) => `history passphrase ${i + 1}`);
    const account = await register(context, { password: passwords[0] ?? '' });
    let session = await login(context, account);
    let current = passwords[0] ?? '';
    const changeTo = async (next: string) => {
      const answer = await change(session.access_token, {
        current_password: current,
        new_password: next,
        refresh_token: session.refresh_token,
      });
      if (answer.status === 200) {
        current = next;
        session = { ...session, access_token: String(answer.body.access_token) };
      }
      return answer;
    };
    for (const next of passwords.slice(1)) assert.equal((await changeTo(next)).status, 200, next);
    // Now p6 is current; p2..p6 are the last five.
    for (const previous of passwords.slice(1)) {
      const refused = await changeTo(previous);
      assert.equal(refused.status, 400, previous);
      assert.equal(refused.body.code, 'PASSWORD_REUSED');
      assert.deepEqual(rules(refused), ['body.new_password notRecentlyUsed']);
    }
    const [history] = await sql()`SELECT count(*)::int AS n FROM password_history WHERE user_id = ${account.id}`;
    assert.equal(history?.n, 5, 'only the last five hashes are kept');
    assert.equal((await changeTo(passwords[0] ?? '')).status, 200, 'the sixth back is accepted');
  });

  test('the policy applies to the new password; wrong current passwords count towards the lockout', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const weak = await change(session.access_token, {
      current_password: account.password,
      new_password: account.username,
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.code, 'WEAK_PASSWORD');
    for (let i = 0; i < TEST_LOCKOUT.perIdentifier; i += 1) {
      assert.equal(
        (
          await change(session.access_token, {
            current_password: `guess ${i} guess`,
            new_password: 'whatever passphrase',
          })
        ).status,
        403,
      );
    }
    const locked = await change(session.access_token, {
      current_password: account.password,
      new_password: 'whatever passphrase',
    });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers['retry-after']) > 0);
  });

  test('anonymous callers are refused before anything is read', async () => {
    const answer = await call(context, { method: 'POST', url: '/v1/auth/password', body: {} });
    assert.equal(answer.status, 401);
  });
});

describe('password reset through a real SMTP server', () => {
  async function resetLink(account: Account): Promise<string> {
    assert.equal((await requestReset(account.email)).status, 202);
    return tokenFromMail(await mailTo(context, account.email, /Reset your Veza password/), 'reset-password');
  }

  test('the same 202 whether the address has an account or not; a mail only when it has', async () => {
    const account = await register(context);
    const nobody = `${uniqueName('nobody')}@example.test`;
    const known = await requestReset(account.email.toUpperCase());
    const unknown = await requestReset(nobody);
    assert.equal(known.status, 202);
    assert.deepEqual([unknown.status, unknown.raw], [known.status, known.raw]);
    await mailTo(context, account.email, /Reset/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!context.smtp.mails.some((mail) => mail.envelopeTo.includes(nobody)));
  });

  test('following the link sets the password once, ends every session, bumps token_version, records history', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const token = await resetLink(account);
    const [selector, verifier] = token.split('.');
    const [stored] =
      await sql()`SELECT token, token_hash, used FROM password_reset_tokens WHERE user_id = ${account.id}`;
    assert.deepEqual(stored, {
      token: selector,
      token_hash: createHash('sha256').update(String(verifier)).digest('hex'),
      used: false,
    });

    const newPassword = 'reset to this passphrase';
    const done = await confirmReset(token, newPassword);
    assert.equal(done.status, 204, done.raw);
    assert.equal((await sessionsOf(session.access_token)).status, 401);
    assert.equal((await refresh(session.refresh_token)).status, 401);
    await login(context, { ...account, password: newPassword });
    const [user] = await sql()`
      SELECT token_version, email_verified_at,
             (SELECT count(*)::int FROM password_history WHERE user_id = ${account.id}) AS history
      FROM users WHERE id = ${account.id}`;
    assert.equal(user?.token_version, 1);
    assert.equal(user?.history, 2);
    assert.ok(user?.email_verified_at instanceof Date, 'the link reached the address: it is verified');

    const again = await confirmReset(token, 'yet another passphrase');
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 'INVALID_TOKEN');
  });

  test('a reset may not reuse a recent password, and a refused one leaves the token usable', async () => {
    const account = await register(context);
    const token = await resetLink(account);
    const reused = await confirmReset(token, account.password);
    assert.equal(reused.status, 400);
    assert.equal(reused.body.code, 'PASSWORD_REUSED');
    const weak = await confirmReset(token, 'short');
    assert.equal(weak.status, 400);
    assert.equal((await confirmReset(token, 'finally a fresh passphrase')).status, 204);
  });

  test('expired, forged or spent tokens are refused; one reset spends every outstanding link', async () => {
    const account = await register(context);
    const first = await resetLink(account);
    await requestReset(account.email);
    await context.smtp.waitFor(
      (mail) => mail.envelopeTo.includes(account.email) && /Reset/.test(mail.subject) && !mail.text.includes(first),
    );
    const [selector, verifier] = first.split('.') as [string, string];
    const forged = `${selector}.${verifier.startsWith('A') ? 'B' : 'A'}${verifier.slice(1)}`;
    assert.equal((await confirmReset(forged, 'forged passphrase here')).status, 400);
    assert.equal((await confirmReset(first, 'the first link works')).status, 204);
    const [outstanding] = await sql()`
      SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = ${account.id} AND NOT used`;
    assert.equal(outstanding?.n, 0);

    const other = await register(context);
    const stale = await resetLink(other);
    await sql()`UPDATE password_reset_tokens SET created_at = NOW() - INTERVAL '2 hours', expires_at = NOW() - INTERVAL '1 hour' WHERE user_id = ${other.id}`;
    assert.equal((await confirmReset(stale, 'too late passphrase')).status, 400);
    const [lifetime] = await sql()`SELECT 1 FROM users WHERE id = ${other.id} AND token_version = 0`;
    assert.ok(lifetime, 'nothing changed');
  });

  test('a link mailed before a password change is dead after it (outside probe, issue 10)', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const link = await resetLink(account);
    const changed = await change(session.access_token, {
      current_password: account.password,
      new_password: 'changed since the mail left',
    });
    assert.equal(changed.status, 200, changed.raw);
    const late = await confirmReset(link, 'whoever read the old mail');
    assert.equal(late.status, 400, late.raw);
    assert.equal(late.body.code, 'INVALID_TOKEN');
    await login(context, { ...account, password: 'changed since the mail left' });
  });

  test('reset links live one hour; at most three mails an hour per account', async () => {
    const account = await register(context);
    for (let i = 0; i < 5; i += 1) assert.equal((await requestReset(account.email)).status, 202);
    const [row] = await sql()`
      SELECT count(*)::int AS n, max(EXTRACT(EPOCH FROM expires_at - created_at))::int AS seconds
      FROM password_reset_tokens WHERE user_id = ${account.id}`;
    assert.equal(row?.n, 3);
    assert.ok(Math.abs(Number(row?.seconds) - 3600) < 60);
  });
});
