// Posting and commenting are rate-limited per account (issue 15 "Bad input", shared rule 6; ADR 0062): 429 with
// Retry-After, counted per account and not per address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person, publish } from './posts.test-support.ts';

const testApp = useTestApp({
  env: () => ({
    VEZA_RATE_LIMITS: JSON.stringify({
      posting: { max: 2, window_seconds: 600 },
      commenting: { max: 2, window_seconds: 600 },
    }),
  }),
});

test('a third post or comment within the window is a 429 with Retry-After; another account is not affected', async () => {
  const ana = await person(testApp.current);
  const ben = await person(testApp.current);
  const id = await publish(testApp.current, ana, { content: 'one' });
  await publish(testApp.current, ana, { content: 'two' });
  const third = await as(testApp.current, ana)('POST', '/v1/posts', { content: 'three' });
  assert.equal(third.statusCode, 429, third.body);
  assert.ok(Number(third.headers['retry-after']) > 0);
  await publish(testApp.current, ben, { content: 'mine' });

  for (let i = 0; i < 2; i++)
    assert.equal(
      (await as(testApp.current, ben)('POST', `/v1/posts/${id}/comments`, { content: 'hi' })).statusCode,
      201,
    );
  const more = await as(testApp.current, ben)('POST', `/v1/posts/${id}/comments`, { content: 'hi' });
  assert.equal(more.statusCode, 429);
  assert.ok(Number(more.headers['retry-after']) > 0);
});
