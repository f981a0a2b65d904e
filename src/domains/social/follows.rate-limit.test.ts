// Following is rate-limited per account (issue 15, shared rule 6; ADR 0060): 429 with Retry-After past the
// `follow` policy (here lowered to 3 a minute through VEZA_RATE_LIMITS), counted per account, not per address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { graphClient, newPerson } from './follows.test-support.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_RATE_LIMITS: JSON.stringify({ follow: { max: 3, window_seconds: 60 } }) }),
});

test('the fourth follow in a minute is 429 with Retry-After; another account is not held back', async () => {
  const spammer = await newPerson(testApp.current);
  const targets = await Promise.all(Array.from({ length: 4 }, () => newPerson(testApp.current)));
  const asSpammer = graphClient(testApp.current, spammer);
  for (const target of targets.slice(0, 3)) assert.equal((await asSpammer.follow(target.id)).statusCode, 200);
  const limited = await asSpammer.follow(targets[3]!.id);
  assert.equal(limited.statusCode, 429, limited.body);
  assert.equal(limited.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
  assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds');
  const [rows] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM follows WHERE follower_id = ${spammer.id}`;
  assert.equal(rows?.n, 3, 'the refused follow wrote nothing');

  const other = await newPerson(testApp.current);
  assert.equal((await graphClient(testApp.current, other).follow(targets[3]!.id)).statusCode, 200);
});
