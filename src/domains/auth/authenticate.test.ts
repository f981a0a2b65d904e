import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { loadConstraintColumns } from '../../platform/db/constraint-columns.ts';
import { openPool, type Pool } from '../../platform/db/pool.ts';
import { installAuthentication, requireCaller, requireRole } from '../../platform/http/caller.ts';
import { createHttpServer, type HttpServer } from '../../platform/http/server.ts';
import { AccessTokens } from './access-tokens.ts';
import { createAuthenticator } from './authenticate.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
let database: TestDatabase;
let pool: Pool;
let app: HttpServer;
const tokens = new AccessTokens(SECRET, 900);

before(async () => {
  database = await migratedDatabase();
  pool = openPool(database.url, {
    poolSize: 2,
    connectTimeoutMs: 2000,
    statementTimeoutMs: 5000,
    lockTimeoutMs: 1000,
    prepareStatements: true,
  });
  app = createHttpServer({ logLevel: 'silent', constraintColumns: await loadConstraintColumns(pool.db) });
  installAuthentication(app, createAuthenticator(tokens, pool.db));
  app.get('/me', (request) => requireCaller(request));
  app.get('/admin', (request) => requireRole(request, 'admin'));
  app.get('/public', (request) => ({ anonymous: request.caller === null }));
  await app.ready();
});
after(async () => {
  await app.close();
  await pool.close();
  await dropDatabase(database);
});

async function newUser(overrides: Record<string, unknown> = {}) {
  const suffix = Math.random().toString(36).slice(2, 10);
  const [user] = await database.sql`
    INSERT INTO users ${database.sql({ email: `a_${suffix}@example.test`, username: `a_${suffix}`, ...overrides } as unknown as Record<string, never>)}
    RETURNING id, token_version, role`;
  if (!user) throw new Error('no user');
  return user as { id: string; token_version: number; role: 'user' };
}

const get = (url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('authentication', () => {
  test('a valid access token makes the request the caller’s; no token is an anonymous request', async () => {
    const user = await newUser();
    const { token } = await tokens.issue({ userId: user.id, tokenVersion: user.token_version, role: user.role });
    const me = await get('/me', token);
    assert.equal(me.statusCode, 200);
    assert.deepEqual(JSON.parse(me.body), { userId: user.id, role: 'user' });
    assert.deepEqual(JSON.parse((await get('/public')).body), { anonymous: true });
    assert.equal((await get('/me')).statusCode, 401);
  });

  test('garbage, a foreign signature, an expired token and a malformed header are all 401', async () => {
    const user = await newUser();
    const claims = { userId: user.id, tokenVersion: 0, role: 'user' as const };
    const foreign = await new AccessTokens('another-secret-that-is-also-long-enough', 900).issue(claims);
    const expired = await new AccessTokens(SECRET, -60).issue(claims);
    for (const token of ['not.a.jwt', foreign.token, expired.token])
      assert.equal((await get('/public', token)).statusCode, 401);
    const basic = await app.inject({ method: 'GET', url: '/public', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.statusCode, 401);
    assert.equal(JSON.parse(basic.body).code, 'UNAUTHENTICATED');
  });

  test('bumping token_version, a ban, deactivation and deletion kill tokens already issued', async () => {
    for (const change of [
      { token_version: 1 },
      { is_banned: true },
      { is_active: false },
      { deleted_at: new Date() },
    ]) {
      const user = await newUser();
      const { token } = await tokens.issue({ userId: user.id, tokenVersion: 0, role: 'user' });
      assert.equal((await get('/me', token)).statusCode, 200);
      await database.sql`UPDATE users SET ${database.sql(change as unknown as Record<string, never>)} WHERE id = ${user.id}`;
      assert.equal((await get('/me', token)).statusCode, 401, `still accepted after ${JSON.stringify(change)}`);
    }
  });

  test('a token accepted before is refused once it expires, though its signature was checked already', async () => {
    const user = await newUser();
    // exp is in whole seconds: a one-second token expires within the next two.
    const { token, expiresAt } = await new AccessTokens(SECRET, 1).issue({
      userId: user.id,
      tokenVersion: 0,
      role: 'user',
    });
    assert.equal((await get('/me', token)).statusCode, 200);
    assert.equal((await get('/me', token)).statusCode, 200, 'accepted again while valid');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 1100));
    assert.equal((await get('/me', token)).statusCode, 401);
  });

  test('a token differing from an accepted one in a single character of its signature is refused', async () => {
    const user = await newUser();
    const { token } = await tokens.issue({ userId: user.id, tokenVersion: 0, role: 'user' });
    assert.equal((await get('/me', token)).statusCode, 200);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    assert.equal((await get('/me', forged)).statusCode, 401);
  });

  test('two instances: a ban or a logout-all is refused by both at once, though both have seen the token', async () => {
    const otherPool = openPool(database.url, {
      poolSize: 1,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      lockTimeoutMs: 1000,
      prepareStatements: true,
    });
    const other = createHttpServer({
      logLevel: 'silent',
      constraintColumns: await loadConstraintColumns(otherPool.db),
    });
    installAuthentication(other, createAuthenticator(tokens, otherPool.db));
    other.get('/me', (request) => requireCaller(request));
    try {
      for (const change of [{ is_banned: true }, { token_version: 1 }]) {
        const user = await newUser();
        const { token } = await tokens.issue({ userId: user.id, tokenVersion: 0, role: 'user' });
        const onOther = () =>
          other.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });
        assert.equal((await get('/me', token)).statusCode, 200);
        assert.equal((await onOther()).statusCode, 200);
        await database.sql`UPDATE users SET ${database.sql(change as unknown as Record<string, never>)} WHERE id = ${user.id}`;
        assert.equal((await get('/me', token)).statusCode, 401, `first instance after ${JSON.stringify(change)}`);
        assert.equal((await onOther()).statusCode, 401, `second instance after ${JSON.stringify(change)}`);
      }
    } finally {
      await other.close();
      await otherPool.close();
    }
  });

  test('roles are read from the account, not trusted from the token', async () => {
    const user = await newUser();
    const { token } = await tokens.issue({ userId: user.id, tokenVersion: 0, role: 'admin' });
    assert.equal((await get('/admin', token)).statusCode, 403, 'a token claiming admin is not enough');
    await database.sql`UPDATE users SET role = 'admin' WHERE id = ${user.id}`;
    assert.equal((await get('/admin', token)).statusCode, 200);
  });
});
