// The outside probe's header findings (issue 10 §2), checked on the whole application: hardening headers, no
// caching of tokens and personal data, the Bearer challenge, 405 with Allow, CORS and trusted proxies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authFactories } from '../../../test/factories/auth.ts';
import { useTestApp, type TestApp } from '../../../test/helpers/app.ts';

const plain = useTestApp();
const proxied = useTestApp({
  env: () => ({ VEZA_TRUSTED_PROXIES: '127.0.0.1', VEZA_CORS_ORIGINS: 'https://app.veza.test' }),
});

async function signedIn(testApp: TestApp): Promise<string> {
  const user = await authFactories.users(testApp.database.sql);
  const { token } = await testApp.accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' });
  return token;
}

describe('security headers', () => {
  test('a JSON answer: nosniff, no framing, a deny-all CSP, no referrer', async () => {
    const answer = await plain.current.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['x-frame-options'], 'DENY');
    assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    const csp = String(answer.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(String(answer.headers['strict-transport-security']), /max-age=\d+/);
  });

  test('errors carry them too: a 404 and a 400', async () => {
    for (const answer of [
      await plain.current.app.inject({ method: 'GET', url: '/v1/no-such-thing' }),
      await plain.current.app.inject({ method: 'POST', url: '/v1/auth/login', payload: {} }),
    ]) {
      assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, answer.body);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.match(String(answer.headers['content-security-policy']), /default-src 'none'/);
    }
  });

  test('/docs gets the page policy: its own scripts and styles, still not frameable', async () => {
    const page = await plain.current.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /default-src 'none'/);
    const asset = await plain.current.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.match(String(asset.headers['content-security-policy']), /script-src 'self'/);
  });
});

describe('Cache-Control: no-store', () => {
  test('on every /v1/auth answer (tokens, RFC 6749 §5.1), success or error', async () => {
    const refused = await plain.current.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: 'nobody@example.test', password: 'not a password at all' },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['cache-control'], 'no-store');
  });

  test('on every answer to a signed-in caller (personal data), not on public ones', async () => {
    const token = await signedIn(plain.current);
    const mine = await plain.current.app.inject({
      method: 'GET',
      url: '/v1/',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.headers['cache-control'], 'no-store');
    const anonymous = await plain.current.app.inject({ method: 'GET', url: '/v1/' });
    assert.equal(anonymous.headers['cache-control'], undefined);
  });
});

describe('401 challenges (RFC 6750 §3)', () => {
  test('without a token: the scheme; with a bad one: invalid_token', async () => {
    const anonymous = await plain.current.app.inject({ method: 'GET', url: '/v1/auth/sessions' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer realm="veza"');
    const forged = await plain.current.app.inject({
      method: 'GET',
      url: '/v1/',
      headers: { authorization: 'Bearer not.a.token' },
    });
    assert.equal(forged.statusCode, 401);
    assert.match(String(forged.headers['www-authenticate']), /^Bearer realm="veza", error="invalid_token"/);
  });
});

describe('405 for a known path with the wrong method', () => {
  test('problem details naming the methods, and an Allow header', async () => {
    const answer = await plain.current.app.inject({ method: 'DELETE', url: '/healthz?x=1' });
    assert.equal(answer.statusCode, 405, answer.body);
    assert.equal(answer.headers.allow, 'GET, HEAD');
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    assert.equal(body.code, 'METHOD_NOT_ALLOWED');
    assert.equal(body.instance, '/healthz');

    const login = await plain.current.app.inject({ method: 'GET', url: '/v1/auth/login' });
    assert.equal(login.statusCode, 405);
    assert.equal(login.headers.allow, 'POST');
    const session = await plain.current.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions/0b9e5f44-0000-4000-8000-000000000000',
    });
    assert.equal(session.statusCode, 405, 'a parametric path counts as known');
    assert.equal(session.headers.allow, 'DELETE');
  });

  test('an unknown path stays a 404', async () => {
    const answer = await plain.current.app.inject({ method: 'DELETE', url: '/v1/no-such-thing' });
    assert.equal(answer.statusCode, 404);
    assert.equal(answer.headers.allow, undefined);
  });
});

describe('CORS: an explicit allow-list', () => {
  const preflight = (testApp: TestApp, origin: string) =>
    testApp.app.inject({
      method: 'OPTIONS',
      url: '/v1/auth/login',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  test('a listed origin is allowed, with the methods and headers the API uses; no credentials', async () => {
    const answer = await preflight(proxied.current, 'https://app.veza.test');
    assert.equal(answer.statusCode, 204);
    assert.equal(answer.headers['access-control-allow-origin'], 'https://app.veza.test');
    assert.match(String(answer.headers['access-control-allow-methods']), /POST/);
    assert.equal(answer.headers['access-control-allow-credentials'], undefined);
    const simple = await proxied.current.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://app.veza.test' },
    });
    assert.equal(simple.headers['access-control-allow-origin'], 'https://app.veza.test');
    assert.match(String(simple.headers['access-control-expose-headers']), /retry-after/);
  });

  test('another origin, or any origin when none is configured, gets no CORS header', async () => {
    for (const [testApp, origin] of [
      [proxied.current, 'https://evil.example'],
      [plain.current, 'https://app.veza.test'],
    ] as const) {
      const answer = await testApp.app.inject({ method: 'GET', url: '/healthz', headers: { origin } });
      assert.equal(answer.headers['access-control-allow-origin'], undefined, `${origin}`);
    }
  });
});

describe('trusted proxies decide whether X-Forwarded-For is believed', () => {
  async function recordedAddress(testApp: TestApp, peer: string): Promise<string> {
    const identifier = `proxy_${Math.random().toString(36).slice(2, 10)}@example.test`;
    const answer = await testApp.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: peer,
      headers: { 'x-forwarded-for': '198.51.100.77' },
      payload: { identifier, password: 'not the password at all' },
    });
    assert.equal(answer.statusCode, 401);
    const [attempt] = await testApp.database.sql`
      SELECT host(ip_address) AS ip FROM login_attempts WHERE identifier = ${identifier}`;
    return String(attempt?.ip);
  }

  test('from a trusted proxy the forwarded client is the one the lockout counts', async () => {
    assert.equal(await recordedAddress(proxied.current, '127.0.0.1'), '198.51.100.77');
  });

  test('from anyone else, or with no proxy configured, the header is ignored', async () => {
    assert.equal(await recordedAddress(proxied.current, '203.0.113.9'), '203.0.113.9');
    assert.equal(await recordedAddress(plain.current, '127.0.0.1'), '127.0.0.1');
  });
});
