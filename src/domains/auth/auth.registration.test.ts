import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  call,
  freshIp,
  login,
  mailTo,
  PASSWORD,
  register,
  tokenFromMail,
  uniqueName,
  useAuthApp,
  type Answer,
} from './auth.test-support.ts';

// This file registers dozens of accounts from one address; the registration limit itself is proven in
// src/platform/http/rate-limit.test.ts.
const context = useAuthApp({ VEZA_RATE_LIMITS: JSON.stringify({ register: { max: 1000, window_seconds: 600 } }) });
const sql = () => context.app.database.sql;

const rules = (answer: Answer) =>
  ((answer.body.errors ?? []) as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`).sort();

function registration(overrides: Record<string, unknown> = {}) {
  const username = uniqueName();
  return {
    email: `${username}@example.test`,
    username,
    password: PASSWORD,
    data_processing_consent: true,
    ...overrides,
  };
}

describe('POST /v1/auth/register', () => {
  test('creates the account with its consents timestamped, its profile and settings, in lower case', async () => {
    const body = registration({ email: `Ada.${uniqueName()}@Example.TEST`, marketing_consent: true });
    const answer = await call(context, { method: 'POST', url: '/v1/auth/register', body });
    assert.equal(answer.status, 202, answer.raw);
    assert.deepEqual(answer.body, { status: 'accepted' }, 'nothing about the account: see ADR 0033');
    const [user] = await sql()`
      SELECT u.*, (SELECT count(*)::int FROM user_profiles WHERE user_id = u.id) AS profiles,
             (SELECT count(*)::int FROM user_settings WHERE user_id = u.id) AS settings,
             (SELECT count(*)::int FROM password_history WHERE user_id = u.id) AS history
      FROM users u WHERE email = ${String(body.email).toLowerCase()}`;
    assert.equal(user?.username, body.username);
    assert.equal(user?.email_verified_at, null);
    assert.equal(user?.data_processing_consent, true);
    assert.equal(user?.marketing_consent, true);
    assert.ok(user?.data_processing_consent_at instanceof Date);
    assert.ok(user?.marketing_consent_at instanceof Date);
    assert.match(String(user?.password_hash), /^\$2[aby]\$04\$/, 'bcrypt at the configured cost (4 in tests)');
    assert.deepEqual([user?.profiles, user?.settings, user?.history], [1, 1, 1]);
  });

  test('marketing consent is optional and defaults to false, without a timestamp', async () => {
    const body = registration();
    const answer = await call(context, { method: 'POST', url: '/v1/auth/register', body });
    assert.equal(answer.status, 202);
    const [user] = await sql()`SELECT marketing_consent, marketing_consent_at FROM users WHERE email = ${body.email}`;
    assert.deepEqual(user, { marketing_consent: false, marketing_consent_at: null });
  });

  test('data-processing consent must be given explicitly: missing or false is a 400 naming it', async () => {
    const { data_processing_consent: _dropped, ...withoutConsent } = registration();
    const missing = await call(context, { method: 'POST', url: '/v1/auth/register', body: withoutConsent });
    assert.equal(missing.status, 400);
    assert.deepEqual(rules(missing), ['body.data_processing_consent required']);
    const refused = await call(context, {
      method: 'POST',
      url: '/v1/auth/register',
      body: registration({ data_processing_consent: false }),
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(rules(refused), ['body.data_processing_consent const']);
  });

  test('username and email follow the database’s CHECK rules, reported as 400 with the rule', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ username: 'no spaces' }, 'body.username pattern'],
      [{ username: 'ab' }, 'body.username minLength'],
      [{ username: 'x'.repeat(31) }, 'body.username maxLength'],
      [{ username: 'ünïcode_name' }, 'body.username pattern'],
      [{ email: 'not-an-email' }, 'body.email pattern'],
      [{ email: 'a@b.c' }, 'body.email pattern'],
      [{ email: `${'a'.repeat(250)}@example.test` }, 'body.email maxLength'],
    ];
    for (const [override, rule] of cases) {
      const answer = await call(context, { method: 'POST', url: '/v1/auth/register', body: registration(override) });
      assert.equal(answer.status, 400, JSON.stringify(override));
      assert.ok(rules(answer).includes(rule), `${JSON.stringify(override)}: ${rules(answer).join(', ')}`);
    }
    const [count] = await sql()`SELECT count(*)::int AS n FROM users WHERE username = 'ab' OR username = 'no spaces'`;
    assert.equal(count?.n, 0);
  });

  test('password policy: length, bytes, not the username or email, not a common one', async () => {
    const username = uniqueName();
    const email = `${username}@example.test`;
    const cases: Array<[string, string]> = [
      ['short', 'body.password minLength'],
      [username, 'body.password notIdentity'],
      [email.toUpperCase(), 'body.password notIdentity'],
      ['1234567890', 'body.password notCommon'],
      ['ééééééééééééééééééééééééééééééééééééé', 'body.password maxBytes'],
    ];
    for (const [password, rule] of cases) {
      const answer = await call(context, {
        method: 'POST',
        url: '/v1/auth/register',
        body: registration({ username, email, password }),
      });
      assert.equal(answer.status, 400, password);
      assert.ok(rules(answer).includes(rule), `${password}: ${rules(answer).join(', ')}`);
    }
    const [count] = await sql()`SELECT count(*)::int AS n FROM users WHERE username = ${username}`;
    assert.equal(count?.n, 0, 'nothing written');
  });

  test('a taken email (in any case) gets the answer of a new one; its owner is mailed, nothing is written', async () => {
    const first = await register(context);
    const fresh = await call(context, { method: 'POST', url: '/v1/auth/register', body: registration() });
    const body = registration({ email: first.email.toUpperCase(), password: 'the prober’s own passphrase' });
    const byEmail = await call(context, { method: 'POST', url: '/v1/auth/register', body });
    assert.deepEqual([byEmail.status, byEmail.body], [fresh.status, fresh.body], 'indistinguishable from a new one');
    assert.equal(byEmail.status, 202);
    const [count] =
      await sql()`SELECT count(*)::int AS n FROM users WHERE email = ${first.email} OR username = ${body.username}`;
    assert.equal(count?.n, 1, 'no second account');

    const notice = await mailTo(context, first.email, /already have a Veza account/);
    assert.ok(!notice.text.includes(String(body.username)), 'the prober’s choices are not echoed');
    const reset = await call(context, {
      method: 'POST',
      url: '/v1/auth/password-reset/confirm',
      body: { token: tokenFromMail(notice, 'reset-password'), new_password: 'the owner’s new passphrase' },
    });
    assert.equal(reset.status, 204, 'the owner may reset the forgotten password from it');
    await login(context, { email: first.email, password: 'the owner’s new passphrase' });
  });

  test('a taken username is a 409 naming the field, whatever the email, which it never reveals', async () => {
    const first = await register(context);
    for (const email of [`${uniqueName()}@example.test`, first.email]) {
      const byUsername = await call(context, {
        method: 'POST',
        url: '/v1/auth/register',
        body: registration({ username: first.username, email }),
      });
      assert.equal(byUsername.status, 409);
      assert.equal(byUsername.body.code, 'USERNAME_TAKEN');
      assert.deepEqual(rules(byUsername), ['body.username unique'], 'the same answer with a taken email or not');
      assert.ok(!byUsername.raw.includes(first.email), 'the other account’s address is not revealed');
    }
  });

  test('registrations racing for one email: the same 202 for all, one account', async () => {
    const username = uniqueName();
    const email = `${username}@example.test`;
    const answers = await Promise.all(
      [1, 2, 3].map((n) =>
        call(context, {
          method: 'POST',
          url: '/v1/auth/register',
          body: registration({ email, username: `${username.slice(0, 25)}_${n}` }),
        }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202, 202],
    );
    const [count] = await sql()`SELECT count(*)::int AS n FROM users WHERE email = ${email}`;
    assert.equal(count?.n, 1);
  });

  test('unknown fields are refused', async () => {
    const answer = await call(context, {
      method: 'POST',
      url: '/v1/auth/register',
      body: registration({ role: 'admin' }),
    });
    assert.equal(answer.status, 400);
    assert.deepEqual(rules(answer), ['body.role additionalProperties']);
  });
});

describe('email verification through a real SMTP server', () => {
  test('the mailed link verifies the address once; the database keeps only the selector and a hash', async () => {
    const account = await register(context);
    const mail = await mailTo(context, account.email, /Confirm your email/);
    const token = tokenFromMail(mail, 'verify-email');
    const [selector, verifier] = token.split('.');
    const [row] =
      await sql()`SELECT token, token_hash, email FROM email_verification_tokens WHERE user_id = ${account.id}`;
    assert.equal(row?.token, selector);
    assert.equal(row?.token_hash, createHash('sha256').update(String(verifier)).digest('hex'));
    assert.ok(!JSON.stringify(row).includes(String(verifier)), 'the verifier is not stored');

    const verified = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(verified.status, 204, verified.raw);
    const [user] = await sql()`SELECT email_verified_at FROM users WHERE id = ${account.id}`;
    assert.ok(user?.email_verified_at instanceof Date);

    const again = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 'INVALID_TOKEN');
  });

  test('an expired, tampered, unknown or malformed token is a 400 and verifies nothing', async () => {
    const account = await register(context);
    const token = tokenFromMail(await mailTo(context, account.email, /Confirm/), 'verify-email');
    const [selector, verifier] = token.split('.') as [string, string];
    const flipped = `${selector}.${verifier.startsWith('A') ? 'B' : 'A'}${verifier.slice(1)}`;
    for (const bad of [flipped, `${'A'.repeat(22)}.${verifier}`, 'garbage', `${selector}.`]) {
      const answer = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token: bad } });
      assert.equal(answer.status, 400, bad);
      assert.equal(answer.body.code, 'INVALID_TOKEN');
    }
    await sql()`UPDATE email_verification_tokens SET created_at = NOW() - INTERVAL '2 days', expires_at = NOW() - INTERVAL '1 second' WHERE user_id = ${account.id}`;
    const expired = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(expired.status, 400);
    const [user] = await sql()`SELECT email_verified_at FROM users WHERE id = ${account.id}`;
    assert.equal(user?.email_verified_at, null);
  });

  test('the verification lifetime is 24 hours by default', async () => {
    const account = await register(context);
    const [row] = await sql()`
      SELECT EXTRACT(EPOCH FROM expires_at - created_at)::int AS seconds FROM email_verification_tokens
      WHERE user_id = ${account.id}`;
    assert.ok(Math.abs(Number(row?.seconds) - 86_400) < 60, String(row?.seconds));
  });

  test('an unverified account may log in; it can ask for a new link, at most three an hour', async () => {
    const account = await register(context);
    const session = await login(context, account, { ip: freshIp() });
    const resend = () =>
      call(context, { method: 'POST', url: '/v1/auth/verify-email/resend', token: session.access_token });
    assert.equal((await resend()).status, 202);
    assert.equal((await resend()).status, 202);
    const third = await resend();
    assert.equal(third.status, 429, 'the registration mail and two more make three');
    assert.equal(
      (await call(context, { method: 'POST', url: '/v1/auth/verify-email/resend' })).status,
      401,
      'anonymous callers may not',
    );
    const deadline = Date.now() + 10_000;
    const mails = () =>
      context.smtp.mails.filter((m) => m.envelopeTo.includes(account.email) && /Confirm/.test(m.subject));
    while (mails().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(mails().length, 3, 'three links sent, no more');
    const latest = tokenFromMail(mails().at(-1) ?? mails()[0]!, 'verify-email');
    assert.equal(
      (await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token: latest } })).status,
      204,
    );
  });

  test('a verified address cannot ask for another link (409)', async () => {
    const account = await register(context);
    const token = tokenFromMail(await mailTo(context, account.email, /Confirm/), 'verify-email');
    assert.equal((await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } })).status, 204);
    const session = await login(context, account, { ip: freshIp() });
    const resend = await call(context, {
      method: 'POST',
      url: '/v1/auth/verify-email/resend',
      token: session.access_token,
    });
    assert.equal(resend.status, 409);
    assert.equal(resend.body.code, 'EMAIL_ALREADY_VERIFIED');
  });
});
