// Counters under concurrent requests (issue 15 §3-4, shared rule 8; ADR 0062, 0063): the 0016 triggers keep
// like_count, comment_count, repost_count and hashtags.usage_count exact, whatever the interleaving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, counts, person, publish, type Person } from './posts.test-support.ts';

const testApp = useTestApp();

async function people(n: number): Promise<Person[]> {
  const all: Person[] = [];
  for (let i = 0; i < n; i++) all.push(await person(testApp.current));
  return all;
}

test('50 parallel likes (and a second like each) count exactly; 50 parallel unlikes bring it to 0', async () => {
  const author = await person(testApp.current);
  const id = await publish(testApp.current, author, { content: 'popular' });
  const fans = await people(50);
  const answers = await Promise.all(
    [...fans, ...fans].map((fan) => as(testApp.current, fan)('PUT', `/v1/posts/${id}/like`)),
  );
  assert.ok(
    answers.every((a) => a.statusCode === 200),
    answers.find((a) => a.statusCode !== 200)?.body,
  );
  let state = await counts(testApp.current, id);
  assert.equal(state.like_count, 50);
  assert.equal(state.likes, 50);
  await Promise.all(fans.map((fan) => as(testApp.current, fan)('DELETE', `/v1/posts/${id}/like`)));
  state = await counts(testApp.current, id);
  assert.equal(state.like_count, 0);
});

test('parallel comments and reposts count exactly', async () => {
  const author = await person(testApp.current);
  const id = await publish(testApp.current, author, { content: 'discuss' });
  const crowd = await people(20);
  const answers = await Promise.all([
    ...crowd.map((who) => as(testApp.current, who)('POST', `/v1/posts/${id}/comments`, { content: 'me too' })),
    ...crowd.map((who) => as(testApp.current, who)('POST', `/v1/posts/${id}/reposts`, {})),
    ...crowd.map((who) => as(testApp.current, who)('POST', `/v1/posts/${id}/reposts`, {})),
  ]);
  assert.ok(
    answers.every((a) => a.statusCode === 201 || a.statusCode === 200),
    answers.find((a) => a.statusCode >= 300)?.body,
  );
  const state = await counts(testApp.current, id);
  assert.equal(state.comment_count, 20);
  assert.equal(state.repost_count, 20, 'one plain repost per person, however many times they asked');
  assert.equal(state.reposts, 20);
});

test('parallel posts with the same new tag: one hashtag, usage_count exact, first/last used in order', async () => {
  const crowd = await people(20);
  const tag = `Fresh${Date.now()}`;
  const answers = await Promise.all(
    crowd.map((who, i) =>
      as(testApp.current, who)('POST', '/v1/posts', {
        content: i % 2 === 0 ? `#${tag} #other${tag}` : `#other${tag} #${tag.toUpperCase()}`,
      }),
    ),
  );
  assert.ok(
    answers.every((a) => a.statusCode === 201),
    answers.find((a) => a.statusCode !== 201)?.body,
  );
  const { sql } = testApp.current.database;
  const rows = await sql`
    SELECT h.slug, h.usage_count, h.first_used_at <= h.last_used_at AS ordered,
           (SELECT count(*)::int FROM post_hashtags ph WHERE ph.hashtag_id = h.id) AS uses
    FROM hashtags h WHERE h.slug IN (${tag.toLowerCase()}, ${`other${tag}`.toLowerCase()}) ORDER BY h.slug`;
  assert.equal(rows.length, 2, 'one hashtag per slug');
  for (const row of rows) {
    assert.equal(row.usage_count, 20);
    assert.equal(row.uses, 20);
    assert.equal(row.ordered, true);
  }
});
