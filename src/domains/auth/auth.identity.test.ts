// Issue 10: usernames unique whatever their case, the lockout keyed on the account, and changes of username
// (ADR 0031) and email address (ADR 0032), end to end over HTTP with a real SMTP server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  call,
  freshIp,
  login,
  mailTo,
  PASSWORD,
  register,
  TEST_LOCKOUT,
  tokenFromMail,
  uniqueName,
  useAuthApp,
  type Answer,
} from './auth.test-support.ts';

// Registrations and mailed links are rate-limited per address; these tests make many from one.
const context = useAuthApp({
  VEZA_RATE_LIMITS: JSON.stringify({
    register: { max: 10_000, window_seconds: 600 },
    mailedLink: { max: 10_000, window_seconds: 600 },
  }),
});
const sql = () => context.app.database.sql;

const attempt = (identifier: string, password: string, ip = freshIp()) =>
  call(context, { method: 'POST', url: '/v1/auth/login', body: { identifier, password }, ip });

function codeOf(answer: Answer): unknown {
  return answer.body.code;
}

/** A name with upper- and lower-case letters, so that its other spellings differ from it. */
function mixedCaseName(prefix: string): string {
  return `${prefix}_${uniqueName('Mx')}`.slice(0, 30);
}

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

describe('usernames are unique whatever their case', () => {
  test('registration refuses a look-alike; login and profiles find the account in any case', async () => {
    const username = mixedCaseName('Ada');
    const account = await register(context, { username });

    const lookAlike = await call(context, {
      method: 'POST',
      url: '/v1/auth/register',
      body: {
        email: `${uniqueName()}@example.test`,
        username: swapCase(username),
        password: PASSWORD,
        data_processing_consent: true,
      },
    });
    assert.equal(lookAlike.status, 409, lookAlike.raw);
    assert.equal(codeOf(lookAlike), 'USERNAME_TAKEN');
    assert.deepEqual(
      (lookAlike.body.errors as { field: string }[]).map((error) => error.field),
      ['body.username'],
    );

    const byOtherCase = await attempt(username.toUpperCase(), account.password);
    assert.equal(byOtherCase.status, 200, byOtherCase.raw);

    for (const spelling of [username.toLowerCase(), username.toUpperCase(), swapCase(username)]) {
      const profile = await call(context, { method: 'GET', url: `/v1/users/${spelling}` });
      assert.equal(profile.status, 200, `${spelling}: ${profile.raw}`);
      assert.equal(profile.body.username, username, 'shown as registered');
    }
  });
});

describe('the lockout belongs to the account, whichever identifier names it', () => {
  test('failures through the username and the email add up; then even the right password is refused through either', async () => {
    const account = await register(context, { username: mixedCaseName('Lock') });
    const bystander = await register(context);
    // Each guess from its own address: only the account's count can lock.
    const spellings = [account.username, account.email.toUpperCase(), swapCase(account.username)];
    assert.equal(spellings.length, TEST_LOCKOUT.perIdentifier);
    for (const spelling of spellings) {
      const wrong = await attempt(spelling, 'not the password at all');
      assert.equal(wrong.status, 401, wrong.raw);
    }
    for (const identifier of [account.email, account.username, account.username.toLowerCase()]) {
      const locked = await attempt(identifier, account.password);
      assert.equal(locked.status, 429, `${identifier}: ${locked.raw}`);
      assert.equal(codeOf(locked), 'LOGIN_LOCKED');
      assert.ok(Number(locked.headers['retry-after']) > 0);
    }
    // Another account is not touched by this one's lock.
    assert.equal((await attempt(bystander.username, bystander.password)).status, 200);
  });

  test('an identifier naming no account locks by the same rules, with the same answer', async () => {
    const account = await register(context);
    const ghost = `${uniqueName('ghost')}@example.test`;
    const answers: Answer[][] = [[], []];
    for (let n = 0; n <= TEST_LOCKOUT.perIdentifier; n += 1) {
      answers[0]!.push(await attempt(account.email, 'not the password at all'));
      answers[1]!.push(await attempt(ghost, 'not the password at all'));
    }
    const shape = (answer: Answer) => ({
      status: answer.status,
      code: answer.body.code,
      retryAfter: answer.headers['retry-after'] !== undefined,
    });
    assert.deepEqual(answers[0]!.map(shape), answers[1]!.map(shape));
    assert.deepEqual(
      answers[0]!.map((answer) => answer.status),
      [...Array<number>(TEST_LOCKOUT.perIdentifier).fill(401), 429],
    );
  });

  test('re-authentication (password change) counts towards the same lock as logins', async () => {
    const account = await register(context);
    const session = await login(context, account);
    for (let n = 0; n < TEST_LOCKOUT.perIdentifier; n += 1) {
      const wrong = await call(context, {
        method: 'POST',
        url: '/v1/auth/password',
        token: session.access_token,
        body: { current_password: 'not the password at all', new_password: 'another long passphrase 42' },
        ip: freshIp(),
      });
      assert.equal(wrong.status, 403, wrong.raw);
    }
    assert.equal((await attempt(account.username, account.password)).status, 429);
  });
});

describe('PUT /v1/me/username (ADR 0031)', () => {
  test('a new name; the old one held for its owner, who may take it back; one change per hold', async () => {
    const oldName = mixedCaseName('Old');
    const account = await register(context, { username: oldName });
    const session = await login(context, account);
    const change = (username: string) =>
      call(context, { method: 'PUT', url: '/v1/me/username', token: session.access_token, body: { username } });

    const newName = mixedCaseName('New');
    const changed = await change(newName);
    assert.equal(changed.status, 200, changed.raw);
    assert.equal(changed.body.username, newName);
    assert.equal(changed.body.previous_username, oldName);
    const heldUntil = Date.parse(String(changed.body.previous_username_held_until));
    const days = (heldUntil - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `held for ${days} days`);
    assert.equal(changed.body.next_change_after, changed.body.previous_username_held_until);

    assert.equal((await attempt(newName, account.password)).status, 200);
    assert.equal((await attempt(oldName, account.password)).status, 401, 'the old name logs in no more');
    assert.equal((await call(context, { method: 'GET', url: `/v1/users/${oldName}` })).status, 404);
    assert.equal((await call(context, { method: 'GET', url: `/v1/users/${newName}` })).status, 200);

    // Held: nobody else may register it, in any case.
    const squatter = await call(context, {
      method: 'POST',
      url: '/v1/auth/register',
      body: {
        email: `${uniqueName()}@example.test`,
        username: oldName.toUpperCase(),
        password: PASSWORD,
        data_processing_consent: true,
      },
    });
    assert.equal(squatter.status, 409, squatter.raw);
    assert.equal(codeOf(squatter), 'USERNAME_TAKEN');

    const tooSoon = await change(mixedCaseName('Third'));
    assert.equal(tooSoon.status, 409, tooSoon.raw);
    assert.equal(codeOf(tooSoon), 'USERNAME_CHANGE_TOO_SOON');

    // Case only: nothing is given up, always allowed.
    const recased = await change(swapCase(newName));
    assert.equal(recased.status, 200, recased.raw);
    assert.equal(recased.body.previous_username, oldName);

    // Taking the old one back (in another case): allowed within the hold, which keeps its end.
    const back = await change(oldName.toLowerCase());
    assert.equal(back.status, 200, back.raw);
    assert.equal(back.body.username, oldName.toLowerCase());
    assert.equal(back.body.previous_username, swapCase(newName));
    assert.equal(back.body.previous_username_held_until, changed.body.previous_username_held_until);

    const trail = await sql()`
      SELECT old_data ->> 'username' AS old, new_data ->> 'username' AS new, user_id FROM audit_logs
      WHERE table_name = 'users' AND record_id = ${account.id} AND operation = 'UPDATE'
        AND old_data ->> 'username' IS DISTINCT FROM new_data ->> 'username'
      ORDER BY created_at, id`;
    assert.deepEqual(
      trail.map((row) => [row.old, row.new, row.user_id]),
      [
        [oldName, newName, account.id],
        [newName, swapCase(newName), account.id],
        [swapCase(newName), oldName.toLowerCase(), account.id],
      ],
    );
  });

  test('once the hold is over the old name is free and a new change is allowed', async () => {
    const oldName = mixedCaseName('Free');
    const account = await register(context, { username: oldName });
    const session = await login(context, account);
    const change = (username: string) =>
      call(context, { method: 'PUT', url: '/v1/me/username', token: session.access_token, body: { username } });
    assert.equal((await change(mixedCaseName('Interim'))).status, 200);
    await sql()`UPDATE users SET previous_username_held_until = NOW() - INTERVAL '1 second' WHERE id = ${account.id}`;

    const other = await register(context, {
      username: oldName.toLowerCase(),
      email: `${uniqueName('other')}@example.test`,
    });
    assert.ok(other.id);
    const taken = await change(oldName);
    assert.equal(taken.status, 409, taken.raw);
    assert.equal(codeOf(taken), 'USERNAME_TAKEN');
    const next = await change(mixedCaseName('Later'));
    assert.equal(next.status, 200, next.raw);
  });

  test('only for the signed-in caller; a malformed name is a 400 naming the field', async () => {
    const anonymous = await call(context, { method: 'PUT', url: '/v1/me/username', body: { username: 'whoever' } });
    assert.equal(anonymous.status, 401);
    const account = await register(context);
    const session = await login(context, account);
    const bad = await call(context, {
      method: 'PUT',
      url: '/v1/me/username',
      token: session.access_token,
      body: { username: 'no spaces allowed' },
    });
    assert.equal(bad.status, 400, bad.raw);
    assert.match(JSON.stringify(bad.body.errors), /body\/username|body\.username/);
  });
});

describe('POST /v1/me/email (ADR 0032)', () => {
  const requestChange = (token: string, body: Record<string, unknown>) =>
    call(context, { method: 'POST', url: '/v1/me/email', token, body, ip: freshIp() });
  const me = async (token: string) => (await call(context, { method: 'GET', url: '/v1/me', token })).body;

  test('the change takes effect when the link mailed to the new address is followed; the old one is told', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const newEmail = `${uniqueName('moved')}@example.test`;

    const noPassword = await requestChange(session.access_token, { email: newEmail });
    assert.equal(noPassword.status, 400, noPassword.raw);
    const wrong = await requestChange(session.access_token, { email: newEmail, current_password: 'not it at all' });
    assert.equal(wrong.status, 403, wrong.raw);
    assert.equal(codeOf(wrong), 'CURRENT_PASSWORD_INCORRECT');

    const accepted = await requestChange(session.access_token, {
      email: newEmail.toUpperCase(),
      current_password: account.password,
    });
    assert.equal(accepted.status, 202, accepted.raw);
    assert.deepEqual(accepted.body, { status: 'accepted', expires_in_hours: 24 });
    assert.equal((await me(session.access_token)).email, account.email, 'nothing changes before the link');

    const mail = await mailTo(context, newEmail, /new email address/);
    const token = tokenFromMail(mail, 'verify-email');
    const confirmed = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(confirmed.status, 204, confirmed.raw);

    const after = await me(session.access_token);
    assert.equal(after.email, newEmail);
    assert.ok(after.email_verified_at, 'the new address is verified: the link reached it');
    const notice = await mailTo(context, account.email, /was changed/);
    assert.match(notice.text, /m\*+@example\.test/);
    assert.ok(!notice.text.includes(newEmail), 'the old address learns a masked form only');

    assert.equal((await attempt(newEmail, account.password)).status, 200);
    assert.equal((await attempt(account.email, account.password)).status, 401);
    const again = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(again.status, 400, 'the link works once');
  });

  test('a later request spends the earlier link; the same address is a 409', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const first = `${uniqueName('first')}@example.test`;
    const second = `${uniqueName('second')}@example.test`;
    const same = await requestChange(session.access_token, {
      email: account.email,
      current_password: account.password,
    });
    assert.equal(same.status, 409, same.raw);
    assert.equal(codeOf(same), 'EMAIL_UNCHANGED');

    assert.equal((await requestChange(session.access_token, { email: first, current_password: PASSWORD })).status, 202);
    const firstToken = tokenFromMail(await mailTo(context, first, /new email address/), 'verify-email');
    assert.equal(
      (await requestChange(session.access_token, { email: second, current_password: PASSWORD })).status,
      202,
    );
    const secondToken = tokenFromMail(await mailTo(context, second, /new email address/), 'verify-email');

    const stale = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token: firstToken } });
    assert.equal(stale.status, 400, stale.raw);
    const fresh = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token: secondToken } });
    assert.equal(fresh.status, 204, fresh.raw);
    assert.equal((await me(session.access_token)).email, second);
  });

  test('an address of another account: the same answer, and no link is mailed to it', async () => {
    const account = await register(context);
    const owner = await register(context);
    const session = await login(context, account);
    const freeAddress = `${uniqueName('free')}@example.test`;
    const free = await requestChange(session.access_token, { email: freeAddress, current_password: PASSWORD });
    const taken = await requestChange(session.access_token, { email: owner.email, current_password: PASSWORD });
    assert.equal(taken.status, free.status);
    assert.deepEqual(taken.body, free.body);
    // Mails leave in order after each answer: once the free address's has arrived and a moment passed, a mail
    // to the taken address would have arrived too.
    await mailTo(context, freeAddress, /new email address/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(
      !context.smtp.mails.some(
        (mail) => mail.envelopeTo.includes(owner.email) && /new email address/.test(mail.subject),
      ),
      'no link to an address that has an account',
    );
    assert.equal((await me(session.access_token)).email, account.email);
  });

  test('an address taken between the request and the link: 409 EMAIL_TAKEN, nothing changes', async () => {
    const account = await register(context);
    const session = await login(context, account);
    const wanted = `${uniqueName('race')}@example.test`;
    assert.equal(
      (await requestChange(session.access_token, { email: wanted, current_password: PASSWORD })).status,
      202,
    );
    const token = tokenFromMail(await mailTo(context, wanted, /new email address/), 'verify-email');
    await register(context, { email: wanted });
    const late = await call(context, { method: 'POST', url: '/v1/auth/verify-email', body: { token } });
    assert.equal(late.status, 409, late.raw);
    assert.equal(codeOf(late), 'EMAIL_TAKEN');
    assert.equal((await me(session.access_token)).email, account.email);
  });

  test('an account without a password needs a recent login', async () => {
    const account = await register(context);
    const session = await login(context, account);
    await sql()`UPDATE users SET password_hash = NULL, last_login_at = NOW() - INTERVAL '11 minutes' WHERE id = ${account.id}`;
    const stale = await requestChange(session.access_token, { email: `${uniqueName('fed')}@example.test` });
    assert.equal(stale.status, 403, stale.raw);
    assert.equal(codeOf(stale), 'REAUTHENTICATION_REQUIRED');
    await sql()`UPDATE users SET last_login_at = NOW() WHERE id = ${account.id}`;
    const recent = await requestChange(session.access_token, { email: `${uniqueName('fed')}@example.test` });
    assert.equal(recent.status, 202, recent.raw);
  });
});
