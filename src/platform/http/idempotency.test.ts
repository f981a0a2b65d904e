// Idempotency keys (ADR 0035): replay, conflict, in-flight, expiry and per-caller scope, on a route of the
// toolkit's own and on the real routes that opt in, against the real key store.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { useTestApp } from '../../../test/helpers/app.ts';
import { signedInCaller } from '../../../test/helpers/callers.ts';
import { installIdempotency } from './idempotency.ts';
import { createHttpServer, type HttpServer } from './server.ts';

const testApp = useTestApp();
const db = () => testApp.current.pool.db;

/**
 * A small app with one opted-in route whose effect is countable: each run inserts a row into `effects`, after
 * a pause long enough for concurrent retries to arrive while it runs. `fail` makes the run end in a 500.
 */
let toolkit: Promise<HttpServer> | undefined;
// Built on first use: root `before` hooks do not wait for each other, and this one needs the test app's database.
function toolkitApp(): Promise<HttpServer> {
  toolkit ??= buildToolkit();
  return toolkit;
}

async function buildToolkit(): Promise<HttpServer> {
  await sql`CREATE TABLE effects (id serial PRIMARY KEY, label text NOT NULL)`.execute(db());
  const app = createHttpServer({ logLevel: 'silent', constraintColumns: new Map() });
  app.decorateRequest('caller', null);
  installIdempotency(app, db(), { secret: 'a test secret of at least thirty-two characters' });
  app.post(
    '/effects',
    {
      config: { idempotent: true },
      schema: {
        body: Type.Object({ label: Type.String(), fail: Type.Optional(Type.Boolean()) }),
        response: { 201: Type.Object({ id: Type.Integer(), label: Type.String() }) },
      },
    },
    async (request, reply) => {
      await sql`SELECT pg_sleep(0.3)`.execute(db());
      if (request.body.fail) throw new Error('the run failed');
      const { rows } = await sql<{
        id: number;
      }>`INSERT INTO effects (label) VALUES (${request.body.label}) RETURNING id`.execute(db());
      return reply
        .code(201)
        .header('location', `/effects/${rows[0]?.id}`)
        .send({ id: rows[0]?.id ?? 0, label: request.body.label });
    },
  );
  await app.ready();
  return app;
}
after(async () => (await toolkit)?.close());

const post = async (key: string | undefined, body: object) =>
  (await toolkitApp()).inject({
    method: 'POST',
    url: '/effects',
    headers: key === undefined ? {} : { 'idempotency-key': key },
    payload: body,
  });

async function effects(label: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM effects WHERE label = ${label}`.execute(
    db(),
  );
  return rows[0]?.n ?? -1;
}

describe('the same key and the same request', () => {
  test('a retry gets the stored response, marked as a replay, and nothing runs twice', async () => {
    const key = randomUUID();
    const first = await post(key, { label: 'replayed' });
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const retry = await post(key, { label: 'replayed' });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    assert.equal(retry.headers.location, first.headers.location);
    assert.match(String(retry.headers['content-type']), /^application\/json/);
    assert.equal(await effects('replayed'), 1);
  });

  test('ten requests at once with one key have one effect; the others are told it is in flight or replayed', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(key, { label: 'concurrent' })));
    const fresh = answers.filter((answer) => answer.statusCode === 201 && !answer.headers['idempotent-replayed']);
    assert.equal(fresh.length, 1);
    for (const answer of answers.filter((candidate) => !fresh.includes(candidate))) {
      if (answer.statusCode === 409) {
        assert.equal(answer.json().code, 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
        assert.equal(answer.headers['retry-after'], '1');
      } else {
        assert.equal(answer.headers['idempotent-replayed'], 'true');
        assert.equal(answer.body, fresh[0]?.body);
      }
    }
    assert.ok(
      answers.some((answer) => answer.statusCode === 409),
      'no request arrived while the first ran',
    );
    assert.equal(await effects('concurrent'), 1);
  });

  test('without a key every request runs', async () => {
    await post(undefined, { label: 'unkeyed' });
    await post(undefined, { label: 'unkeyed' });
    assert.equal(await effects('unkeyed'), 2);
  });
});

describe('the same key and another request', () => {
  test('is a 422 naming the header, and the first response stays the one replayed', async () => {
    const key = randomUUID();
    const first = await post(key, { label: 'original' });
    const other = await post(key, { label: 'tampered' });
    assert.equal(other.statusCode, 422);
    assert.match(String(other.headers['content-type']), /^application\/problem\+json/);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.deepEqual(
      other.json().errors.map((error: { field: string }) => error.field),
      ['headers.idempotency-key'],
    );
    assert.equal(await effects('tampered'), 0);
    assert.equal((await post(key, { label: 'original' })).body, first.body);
  });
});

describe('what is not kept', () => {
  test('a server error keeps no response: the retry runs', async () => {
    const key = randomUUID();
    assert.equal((await post(key, { label: 'flaky', fail: true })).statusCode, 500);
    const retry = await post(key, { label: 'flaky' });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], undefined);
    assert.equal(await effects('flaky'), 1);
  });

  test('an expired key is a new key', async () => {
    const key = randomUUID();
    await post(key, { label: 'expiring' });
    await sql`UPDATE idempotency_keys SET expires_at = NOW() - INTERVAL '1 second' WHERE idempotency_key = ${key}`.execute(
      db(),
    );
    const later = await post(key, { label: 'expiring, another' });
    assert.equal(later.statusCode, 201);
    assert.equal(later.headers['idempotent-replayed'], undefined);
  });

  test('a key that is not printable ASCII, or too long, is a 400 naming the header', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const answer = await post(key, { label: 'badkey' });
      assert.equal(answer.statusCode, 400);
      assert.equal(answer.json().errors[0].field, 'headers.idempotency-key');
    }
    assert.equal(await effects('badkey'), 0);
  });
});

describe('routes of the API that opt in', () => {
  const signedIn = () => signedInCaller(testApp.current);

  test('keys are scoped per caller: two users with one key each get their own answer', async () => {
    const key = randomUUID();
    const [ada, bob] = [await signedIn(), await signedIn()];
    const exportOf = (authorization: string) =>
      testApp.current.app.inject({
        method: 'POST',
        url: '/v1/me/export',
        headers: { authorization, 'idempotency-key': key },
      });
    const first = await exportOf(ada.authorization);
    const second = await exportOf(bob.authorization);
    assert.equal(first.statusCode, 202);
    assert.equal(second.statusCode, 202);
    assert.equal(second.headers['idempotent-replayed'], undefined);
    assert.notEqual(second.body, first.body);
    assert.equal((await exportOf(ada.authorization)).headers['idempotent-replayed'], 'true');
  });

  test('a retried registration answers its own first answer again, and one account exists', async () => {
    const key = randomUUID();
    const suffix = randomUUID().slice(0, 8);
    const register = () =>
      testApp.current.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        headers: { 'idempotency-key': key },
        payload: {
          email: `retry_${suffix}@example.test`,
          username: `retry_${suffix}`,
          password: 'a long enough passphrase',
          data_processing_consent: true,
        },
      });
    const first = await register();
    assert.ok(first.statusCode >= 200 && first.statusCode < 300, first.body);
    const retry = await register();
    assert.equal(retry.statusCode, first.statusCode);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM users WHERE email = ${`retry_${suffix}@example.test`}`.execute(db());
    assert.equal(rows[0]?.n, 1);
  });

  test('the OpenAPI document shows the header and the 409 and 422 problems on the routes that opt in', async () => {
    const doc = (await testApp.current.app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/v1/auth/register', '/v1/me/export']) {
      const operation = doc.paths[path].post;
      assert.ok(
        operation.parameters.some(
          (p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key',
        ),
        path,
      );
      assert.ok(operation.responses['409'] && operation.responses['422'], path);
    }
    assert.equal(
      doc.paths['/v1/auth/login'].post.parameters?.some((p: { name: string }) => p.name === 'idempotency-key') ?? false,
      false,
    );
  });
});
