// The ingestion endpoint is rate-limited per account, else per address (issue 18 §9; ADR 0094), here with the
// policy lowered to 3 batches a minute (VEZA_RATE_LIMITS) so that the test sends few requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person } from './reports.test-support.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_RATE_LIMITS: JSON.stringify({ analyticsEvents: { max: 3, window_seconds: 60 } }) }),
});

test('the fourth batch of a minute is 429 with Retry-After, and not stored; other accounts are counted apart', async () => {
  const t = testApp.current;
  const user = await person(t);
  const batch = { events: [{ type: 'page_view', properties: { path: '/' } }] };
  for (let i = 0; i < 3; i += 1)
    assert.equal((await as(t, user)('POST', '/v1/analytics/events', batch)).statusCode, 202);
  const limited = await as(t, user)('POST', '/v1/analytics/events', batch);
  assert.equal(limited.statusCode, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal(limited.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
  assert.equal(Number((await t.database.sql`SELECT count(*)::int AS n FROM analytics_events`)[0]?.n), 3);
  assert.equal((await as(t, await person(t))('POST', '/v1/analytics/events', batch)).statusCode, 202);
});
