// The public licence verification is rate-limited per address (issue 16 §8, ADR 0075): 429 with Retry-After past
// the `licenseVerify` policy (here lowered to 3 a minute through VEZA_RATE_LIMITS); another address is not held back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_RATE_LIMITS: JSON.stringify({ licenseVerify: { max: 3, window_seconds: 60 } }) }),
});

const verify = (remoteAddress: string) =>
  testApp.current.app.inject({
    method: 'GET',
    url: '/v1/licenses/verify?key=VZL-00000-00000-00000-00000-00000-00000',
    remoteAddress,
  });

test('the fourth check in a minute from one address is 429 with Retry-After; another address still gets answers', async () => {
  for (let i = 0; i < 3; i += 1) assert.equal((await verify('203.0.113.7')).statusCode, 200);
  const limited = await verify('203.0.113.7');
  assert.equal(limited.statusCode, 429, limited.body);
  assert.equal(limited.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
  assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds');
  assert.equal((await verify('198.51.100.9')).statusCode, 200);
});
