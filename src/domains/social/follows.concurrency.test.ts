// Follows under concurrency (issue 15 §1, shared rule 8): counters of user_profiles kept by trigger (0016) stay
// exact, mutual follows do not deadlock, a double follow stays one row, and a follow racing a block never survives
// it (the pair's lock, ADR 0061).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { counts, graphClient, newPerson } from './follows.test-support.ts';

const testApp = useTestApp();

test('30 people follow one account at once: 30 rows, follower_count 30; then all unfollow: 0', async () => {
  const star = await newPerson(testApp.current);
  const fans = await Promise.all(Array.from({ length: 30 }, () => newPerson(testApp.current)));
  const answers = await Promise.all(fans.map((fan) => graphClient(testApp.current, fan).follow(star.id)));
  assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
  const [rows] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM follows WHERE following_id = ${star.id}`;
  assert.equal(rows?.n, 30);
  assert.equal((await counts(testApp.current, star.id)).follower_count, 30);
  await Promise.all(fans.map((fan) => graphClient(testApp.current, fan).unfollow(star.id)));
  assert.equal((await counts(testApp.current, star.id)).follower_count, 0);
});

test('A follows B while B follows A, ten pairs at once: no deadlock, both counters of each side exact', async () => {
  const pairs = await Promise.all(
    Array.from({ length: 10 }, async () => [await newPerson(testApp.current), await newPerson(testApp.current)]),
  );
  const answers = await Promise.all(
    pairs.flatMap(([a, b]) => [
      graphClient(testApp.current, a).follow(b!.id),
      graphClient(testApp.current, b).follow(a!.id),
    ]),
  );
  assert.deepEqual(
    answers.map((a) => a.statusCode),
    answers.map(() => 200),
  );
  for (const pair of pairs)
    for (const person of pair)
      assert.deepEqual(await counts(testApp.current, person.id), { follower_count: 1, following_count: 1 });
});

test('the same follow sent 10 times at once is one row and one notification', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = graphClient(testApp.current, ana);
  const answers = await Promise.all(Array.from({ length: 10 }, () => asAna.follow(ben.id)));
  assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
  assert.equal((await counts(testApp.current, ben.id)).follower_count, 1);
  const [notified] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM notifications WHERE user_id = ${ben.id} AND type = 'follow'`;
  assert.equal(notified?.n, 1);
});

test('follows racing a block: whatever the order, no follow survives between the two', async () => {
  for (let round = 0; round < 5; round += 1) {
    const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
    const [asAna, asBen] = [graphClient(testApp.current, ana), graphClient(testApp.current, ben)];
    const answers = await Promise.all([asAna.follow(ben.id), asBen.block(ana.id), asBen.follow(ana.id)]);
    assert.ok(
      answers.every((a) => a.statusCode < 500),
      answers.map((a) => a.body).join(' '),
    );
    const rows = await testApp.current.database.sql`
      SELECT 1 FROM follows WHERE ${ana.id} IN (follower_id, following_id)`;
    assert.equal(rows.length, 0, `round ${round}`);
    assert.deepEqual(await counts(testApp.current, ana.id), { follower_count: 0, following_count: 0 });
  }
});
