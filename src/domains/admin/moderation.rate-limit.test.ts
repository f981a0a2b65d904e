// Reports are rate-limited per account (issue 18 §11; ADR 0095), here with the `reporting` policy lowered to 3 an
// hour (VEZA_RATE_LIMITS) so that the test sends few requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, member } from './moderation.test-support.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_RATE_LIMITS: JSON.stringify({ reporting: { max: 3, window_seconds: 3600 } }) }),
});

test('the fourth report of an hour is 429 and not stored; another account is counted apart', async () => {
  const t = testApp.current;
  const reporter = await member(t);
  const report = async (who: typeof reporter) =>
    as(t, who)('POST', '/v1/reports', { entity_type: 'user', entity_id: (await member(t)).id, reason: 'spam' });
  for (let i = 0; i < 3; i += 1) assert.equal((await report(reporter)).statusCode, 201);
  const limited = await report(reporter);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
  const [row] = await t.database
    .sql`SELECT count(*)::int AS n FROM moderation_reports WHERE reporter_id = ${reporter.id}`;
  assert.equal(row!.n, 3);
  assert.equal((await report(await member(t))).statusCode, 201);
});
