import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.ts';

test('defaults: no proxy believed, no CORS origin, 600 a minute, no Redis', () => {
  const config = loadConfig({});
  assert.deepEqual(config.http.trustedProxies, []);
  assert.deepEqual(config.http.corsOrigins, []);
  assert.deepEqual(config.http.rateLimits, { defaultPerMinute: 600, overrides: {} });
  assert.equal(config.redis.url, undefined);
});

test('a bad value names the variable and the rule, never echoing a secret', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ VEZA_TRUSTED_PROXIES: '10.0.0.0/33' }, /VEZA_TRUSTED_PROXIES must be .*10\.0\.0\.0\/33/],
    [{ VEZA_TRUSTED_PROXIES: 'proxy.internal' }, /VEZA_TRUSTED_PROXIES/],
    [{ VEZA_CORS_ORIGINS: 'https://app.example.org/' }, /VEZA_CORS_ORIGINS must be .*no path or \//],
    [{ VEZA_CORS_ORIGINS: '*' }, /VEZA_CORS_ORIGINS/],
    [{ VEZA_RATE_LIMIT_PER_MINUTE: '-1' }, /VEZA_RATE_LIMIT_PER_MINUTE must be an integer/],
    [{ VEZA_RATE_LIMITS: '{"register": {"max": 0, "window_seconds": 60}}' }, /VEZA_RATE_LIMITS .*register/],
    [{ VEZA_RATE_LIMITS: '{"register": {"max": 5}}' }, /VEZA_RATE_LIMITS/],
    [{ VEZA_RATE_LIMITS: '[1]' }, /VEZA_RATE_LIMITS/],
  ];
  for (const [env, message] of cases) assert.throws(() => loadConfig(env), message, JSON.stringify(env));
  assert.throws(
    () => loadConfig({ VEZA_REDIS_URL: 'http://:hunter2@cache:6379' }),
    (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
  );
});

test('IPv6 ranges and named ranges are accepted as Fastify takes them', () => {
  const config = loadConfig({ VEZA_TRUSTED_PROXIES: '2001:db8::/32, ::1, uniquelocal, 192.0.2.10' });
  assert.deepEqual(config.http.trustedProxies, ['2001:db8::/32', '::1', 'uniquelocal', '192.0.2.10']);
});
