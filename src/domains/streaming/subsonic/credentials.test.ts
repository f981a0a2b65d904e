// Subsonic credentials over /v1 (issue 13 §6, ADR 0051): made and shown once, listed without their secrets, stored
// sealed or hashed, limited per account even under parallel requests, revocable only by their owner, never logged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { redactedQuery } from '../../../platform/http/logging.ts';
import { isSecretColumn } from '../../../lifecycle/gdpr/export.ts';
import { MAX_CREDENTIALS_PER_USER } from './credentials.repository.ts';
import { newCredential, newListener } from './subsonic.test-support.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_ENCRYPTION_KEYS: JSON.stringify({ creds1: randomBytes(32).toString('base64') }) }),
});

interface Listed {
  items: { id: string; name: string; kind: string; hint: string; last_used_at: string | null }[];
  next_cursor: string | null;
}

test('a credential is shown once, then listed by name and hint only; the database holds it sealed or hashed', async () => {
  const { app, database } = testApp.current;
  const user = await newListener(testApp.current);
  const password = await newCredential(testApp.current, user, 'app_password');
  const key = await newCredential(testApp.current, user, 'api_key');
  assert.match(password.secret, /^([a-z2-9]{5}-){4}[a-z2-9]{5}$/);
  assert.match(key.secret, /^veza_sk_[A-Za-z0-9_-]{43}$/);

  const list = await app.inject({
    method: 'GET',
    url: '/v1/me/subsonic-credentials',
    headers: { authorization: user.authorization },
  });
  assert.equal(list.statusCode, 200, list.body);
  const listed = list.json<Listed>();
  assert.deepEqual(
    listed.items.map((item) => [item.id, item.kind, item.hint]),
    [
      [key.id, 'api_key', key.secret.slice(-4)],
      [password.id, 'app_password', password.secret.slice(-4)],
    ],
  );
  assert.ok(!list.body.includes(password.secret) && !list.body.includes(key.secret));

  const rows = await database.sql`SELECT * FROM subsonic_credentials WHERE user_id = ${user.id}`;
  const stored = JSON.stringify(rows);
  assert.ok(!stored.includes(password.secret) && !stored.includes(key.secret), 'no secret in clear');
  // The GDPR export leaves both secret columns out (ADR 0020's rule on column names).
  assert.ok(isSecretColumn('sealed_password') && isSecretColumn('api_key_hash'));

  const paged = await app.inject({
    method: 'GET',
    url: '/v1/me/subsonic-credentials?limit=1',
    headers: { authorization: user.authorization },
  });
  const first = paged.json<Listed>();
  assert.equal(first.items.length, 1);
  const next = await app.inject({
    method: 'GET',
    url: `/v1/me/subsonic-credentials?limit=1&cursor=${first.next_cursor}`,
    headers: { authorization: user.authorization },
  });
  assert.deepEqual(
    next.json<Listed>().items.map((item) => item.id),
    [password.id],
  );
});

test(`at most ${MAX_CREDENTIALS_PER_USER} credentials per account, even when created in parallel`, async () => {
  const { app, database } = testApp.current;
  const user = await newListener(testApp.current);
  const answers = await Promise.all(
    Array.from({ length: MAX_CREDENTIALS_PER_USER + 4 }, (_v, index) =>
      app.inject({
        method: 'POST',
        url: '/v1/me/subsonic-credentials',
        headers: { authorization: user.authorization },
        payload: { name: `Device ${index}`, kind: index % 2 ? 'api_key' : 'app_password' },
      }),
    ),
  );
  const statuses = answers.map((answer) => answer.statusCode).sort();
  assert.deepEqual(statuses, [...Array(MAX_CREDENTIALS_PER_USER).fill(201), 409, 409, 409, 409]);
  const refused = answers.find((answer) => answer.statusCode === 409)!;
  assert.equal(refused.json<{ code: string }>().code, 'TOO_MANY_SUBSONIC_CREDENTIALS');
  const [row] = await database.sql`SELECT count(*)::int AS n FROM subsonic_credentials WHERE user_id = ${user.id}`;
  assert.equal(row!.n, MAX_CREDENTIALS_PER_USER);
});

test('bad input is a 400 naming the field, and nothing is written', async () => {
  const { app, database } = testApp.current;
  const user = await newListener(testApp.current);
  const bodies = [
    { name: '', kind: 'api_key' },
    { name: '   ', kind: 'api_key' },
    { name: 'x'.repeat(101), kind: 'api_key' },
    { name: 'Phone\u202e', kind: 'api_key' },
    { name: 'Phone', kind: 'password' },
    { name: 'Phone', kind: 'api_key', secret: 'mine' },
  ];
  for (const payload of bodies) {
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/me/subsonic-credentials',
      headers: { authorization: user.authorization },
      payload,
    });
    assert.equal(answer.statusCode, 400, JSON.stringify(payload));
    assert.match(answer.json<{ errors: { field: string }[] }>().errors[0]!.field, /^body\.(name|kind|secret)$/);
  }
  const [row] = await database.sql`SELECT count(*)::int AS n FROM subsonic_credentials WHERE user_id = ${user.id}`;
  assert.equal(row!.n, 0);
  // RTL text and emoji are names like any other.
  const named = await app.inject({
    method: 'POST',
    url: '/v1/me/subsonic-credentials',
    headers: { authorization: user.authorization },
    payload: { name: 'هاتف 📱', kind: 'api_key' },
  });
  assert.equal(named.statusCode, 201);
});

test('only the owner revokes a credential; to anyone else it does not exist', async () => {
  const { app } = testApp.current;
  const owner = await newListener(testApp.current);
  const stranger = await newListener(testApp.current);
  const credential = await newCredential(testApp.current, owner, 'api_key');
  const url = `/v1/me/subsonic-credentials/${credential.id}`;
  const byStranger = await app.inject({ method: 'DELETE', url, headers: { authorization: stranger.authorization } });
  assert.equal(byStranger.statusCode, 404);
  assert.equal(byStranger.json<{ code: string }>().code, 'SUBSONIC_CREDENTIAL_NOT_FOUND');
  const anonymous = await app.inject({ method: 'DELETE', url });
  assert.equal(anonymous.statusCode, 401);
  const list = await app.inject({
    method: 'GET',
    url: '/v1/me/subsonic-credentials',
    headers: { authorization: stranger.authorization },
  });
  assert.deepEqual(list.json<Listed>().items, []);
  assert.equal(
    (await app.inject({ method: 'DELETE', url, headers: { authorization: owner.authorization } })).statusCode,
    204,
  );
  assert.equal(
    (await app.inject({ method: 'DELETE', url, headers: { authorization: owner.authorization } })).statusCode,
    404,
  );
});

test('the request log never shows a Subsonic password, token, salt or API key', () => {
  assert.equal(
    redactedQuery('/rest/ping.view?u=alice&p=enc%3A616263&t=abc&s=salt&apiKey=veza_sk_x&v=1.16.1&c=DSub'),
    'u=alice&p=[redacted]&t=[redacted]&s=[redacted]&apiKey=[redacted]&v=1.16.1&c=DSub',
  );
});
