// Rate limits as a platform feature (issue 10 §2, ADR 0034): per route and per account or address, in memory or
// shared by several instances through the Redis server of this machine.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { authFactories } from '../../../test/factories/auth.ts';
import { useTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { addressKey } from './rate-limit.ts';

const REDIS_URL = process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const LIMITS = {
  VEZA_RATE_LIMIT_PER_MINUTE: '4',
  VEZA_RATE_LIMITS: JSON.stringify({ register: { max: 2, window_seconds: 60 } }),
};

const inMemory = useTestApp({ env: () => LIMITS });
// Two instances of the application sharing one Redis: what one counts, the other sees.
const first = useTestApp({ env: () => ({ ...LIMITS, VEZA_REDIS_URL: REDIS_URL }) });
const second = useTestApp({ env: () => ({ ...LIMITS, VEZA_REDIS_URL: REDIS_URL }) });
// Nothing listens on port 1: the store is down.
const storeDown = useTestApp({ env: () => ({ ...LIMITS, VEZA_REDIS_URL: 'redis://127.0.0.1:1/0' }) });

/** A documentation address (RFC 5737) no other run has used lately: counters in Redis outlive a test run. */
function freshAddress(): string {
  return `203.0.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

function registration(testApp: TestApp, address: string) {
  const name = `rl_${Math.random().toString(36).slice(2, 12)}`;
  return testApp.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    remoteAddress: address,
    payload: {
      email: `${name}@example.test`,
      username: name,
      password: 'a long enough passphrase',
      data_processing_consent: true,
    },
  });
}

const health = (testApp: TestApp, address: string, token?: string) =>
  testApp.app.inject({
    method: 'GET',
    url: '/v1/',
    remoteAddress: address,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

async function tokenOf(testApp: TestApp): Promise<string> {
  const user = await authFactories.users(testApp.database.sql);
  return (await testApp.accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' })).token;
}

describe('in memory (no VEZA_REDIS_URL)', () => {
  test('a route policy: the third registration from one address in the window is a 429 problem', async () => {
    const address = freshAddress();
    for (let i = 0; i < 2; i += 1) {
      const answer = await registration(inMemory.current, address);
      assert.ok(answer.statusCode < 300, answer.body);
    }
    const refused = await registration(inMemory.current, address);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const problem = JSON.parse(refused.body) as Record<string, unknown>;
    assert.equal(problem.code, 'TOO_MANY_REQUESTS');
    assert.equal(problem.instance, '/v1/auth/register');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused.headers['retry-after']}`);

    const elsewhere = await registration(inMemory.current, freshAddress());
    assert.ok(elsewhere.statusCode < 300, 'another address has its own count');
  });

  test('the default limit counts a signed-in caller by account, an anonymous one by address', async () => {
    const address = freshAddress();
    const [ada, bob] = [await tokenOf(inMemory.current), await tokenOf(inMemory.current)];
    for (let i = 0; i < 4; i += 1) assert.equal((await health(inMemory.current, address, ada)).statusCode, 200);
    assert.equal((await health(inMemory.current, address, ada)).statusCode, 429);
    assert.equal((await health(inMemory.current, address, bob)).statusCode, 200, 'same address, other account');
    assert.equal((await health(inMemory.current, address)).statusCode, 200, 'anonymous: counted by address');
    const other = freshAddress();
    assert.equal((await health(inMemory.current, other, ada)).statusCode, 429, 'Ada from elsewhere: still Ada');
  });
});

describe('in Redis (VEZA_REDIS_URL): one count across instances', () => {
  test('registrations through two instances add up', async () => {
    const address = freshAddress();
    assert.ok((await registration(first.current, address)).statusCode < 300);
    assert.ok((await registration(second.current, address)).statusCode < 300);
    const refused = await registration(first.current, address);
    assert.equal(refused.statusCode, 429, 'the count was shared');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const againOnSecond = await registration(second.current, address);
    assert.equal(againOnSecond.statusCode, 429);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`veza:rate:POST/v1/auth/register-ip:${address}`);
      assert.equal(keys.length, 1, 'the counter lives in Redis');
      assert.equal(await redis.get(keys[0] ?? ''), '4');
    } finally {
      redis.disconnect();
    }
  });

  test('the default limit is shared as well', async () => {
    const address = freshAddress();
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await health(first.current, address)).statusCode, 200);
      assert.equal((await health(second.current, address)).statusCode, 200);
    }
    assert.equal((await health(second.current, address)).statusCode, 429);
  });
});

describe('a Redis that cannot be reached', () => {
  test('lets requests through, within the command timeout, rather than failing them', async () => {
    const started = performance.now();
    const answer = await health(storeDown.current, freshAddress());
    assert.equal(answer.statusCode, 200, answer.body);
    assert.ok(performance.now() - started < 3_000, 'bounded by the command timeout');
  });
});

describe('client address keys', () => {
  test('IPv4 as is; IPv4-mapped as IPv4; IPv6 by its /64, however it is written', () => {
    assert.equal(addressKey('198.51.100.7'), '198.51.100.7');
    assert.equal(addressKey('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
  });
});
