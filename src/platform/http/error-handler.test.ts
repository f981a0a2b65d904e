import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Type } from 'typebox';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { loadConstraintColumns } from '../db/constraint-columns.ts';
import { openPool } from '../db/pool.ts';
import { ApiError, CommonProblems } from './problem.ts';
import { createHttpServer, type HttpServer } from './server.ts';

let database: TestDatabase;
let app: HttpServer;

after(async () => {
  await app.close();
  await dropDatabase(database);
});

before(async () => {
  database = await migratedDatabase();
  const pool = openPool(database.url, {
    poolSize: 1,
    connectTimeoutMs: 2000,
    statementTimeoutMs: 5000,
    lockTimeoutMs: 1000,
    prepareStatements: true,
  });
  const constraintColumns = await loadConstraintColumns(pool.db).finally(() => pool.close());
  app = createHttpServer({ logLevel: 'silent', constraintColumns });
  app.post(
    '/strict',
    {
      schema: {
        body: Type.Object(
          { email: Type.String({ format: 'email' }), age: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
      },
    },
    (request) => request.body,
  );
  app.get(
    '/items/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }),
      },
    },
    (request) => ({ id: request.params.id, limit: request.query.limit ?? null }),
  );
  app.get('/not-yours', () => {
    throw new ApiError(CommonProblems.forbidden, 'This playlist is not yours');
  });
  app.post(
    '/users',
    { schema: { body: Type.Object({ email: Type.String(), username: Type.String() }) } },
    async (request) => {
      const [row] =
        await database.sql`INSERT INTO users (email, username) VALUES (${request.body.email}, ${request.body.username}) RETURNING id`;
      return row;
    },
  );
  app.get('/crash', () => {
    throw new Error('connection string postgres://secret@db leaked?');
  });
  await app.ready();
});

const json = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

describe('problem details (RFC 9457)', () => {
  test('schema violations: 400, every broken field named with its rule, unknown fields rejected', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/strict',
      payload: { email: 'nope', age: -1, admin: true },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = json(response);
    assert.equal(problem.type, 'urn:veza:problem:validation-failed');
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      (problem.errors as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`).sort(),
      ['body.admin additionalProperties', 'body.age minimum', 'body.email format'],
    );
    const missing = json(await app.inject({ method: 'POST', url: '/strict', payload: {} }));
    assert.deepEqual(
      (missing.errors as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`).sort(),
      ['body.age required', 'body.email required'],
    );
  });

  test('a body that is not JSON: 400 MALFORMED_BODY', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/strict',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).code, 'MALFORMED_BODY');
  });

  // Found by the API fuzz test (test/api/fuzz.test.ts): these left as Fastify's own JSON, not problem details.
  test('a path parameter that is not percent-encoded UTF-8, or is too long: a 400 problem naming params', async () => {
    for (const url of ['/items/%', '/items/%E2%82', `/items/${'a'.repeat(101)}`]) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', url);
      const problem = json(response);
      assert.equal(problem.code, 'VALIDATION_FAILED', url);
      assert.equal(problem.instance, url);
      assert.equal((problem.errors as Array<{ field: string }>)[0]?.field, 'params', url);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
  });

  test('a JSON body is not coerced ("42" is not an integer, 42 not a string); query strings and params are', async () => {
    const quoted = await app.inject({
      method: 'POST',
      url: '/strict',
      payload: { email: 'a@example.test', age: '42' },
    });
    assert.equal(quoted.statusCode, 400);
    assert.deepEqual(
      (json(quoted).errors as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`),
      ['body.age type'],
    );
    const numeric = await app.inject({ method: 'POST', url: '/users', payload: { email: 42, username: true } });
    assert.equal(numeric.statusCode, 400);
    assert.deepEqual(
      (json(numeric).errors as Array<{ field: string; rule: string }>).map((e) => `${e.field} ${e.rule}`).sort(),
      ['body.email type', 'body.username type'],
    );
    const id = '6f1c2a4e-0b7d-4f3e-9a51-2d8c7e6b5a40';
    const listed = await app.inject({ method: 'GET', url: `/items/${id}?limit=20` });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(json(listed), { id, limit: 20 });
  });

  test('an unsupported media type: 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/strict',
      payload: 'a=b',
      headers: { 'content-type': 'text/csv' },
    });
    assert.equal(response.statusCode, 415);
  });

  test('domain errors keep their status and code; unknown routes are 404 problems', async () => {
    const forbidden = await app.inject({ method: 'GET', url: '/not-yours' });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(json(forbidden).detail, 'This playlist is not yours');
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    assert.equal(missing.statusCode, 404);
    assert.equal(json(missing).instance, '/nowhere');
  });

  test('database rules surface as 4xx naming the column and the constraint', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email: 'dup@example.test', username: 'dup_one' },
    });
    assert.equal(first.statusCode, 200);
    const duplicate = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email: 'dup@example.test', username: 'dup_two' },
    });
    assert.equal(duplicate.statusCode, 409);
    assert.deepEqual(json(duplicate).errors, [{ field: 'email', rule: 'uq_users_email', message: 'is already taken' }]);
    const badFormat = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email: 'fine@example.test', username: 'no spaces allowed' },
    });
    assert.equal(badFormat.statusCode, 400);
    assert.deepEqual(json(badFormat).errors, [
      { field: 'username', rule: 'chk_users_username_format', message: 'breaks this rule' },
    ]);
  });

  test('an unexpected failure is a 500 that reveals nothing internal', async () => {
    const response = await app.inject({ method: 'GET', url: '/crash' });
    assert.equal(response.statusCode, 500);
    assert.equal(json(response).code, 'INTERNAL_ERROR');
    assert.doesNotMatch(response.body, /postgres:\/\/|secret|stack/);
  });

  test('every response carries a request id: the caller’s when it looks like one, a new one otherwise', async () => {
    const echoed = await app.inject({
      method: 'GET',
      url: '/not-yours',
      headers: { 'x-request-id': 'trace-1234abcd' },
    });
    assert.equal(echoed.headers['x-request-id'], 'trace-1234abcd');
    assert.equal(json(echoed).request_id, 'trace-1234abcd');
    const replaced = await app.inject({
      method: 'GET',
      url: '/not-yours',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});
