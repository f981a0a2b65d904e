// Group counters under concurrency (issue 15 §5, rule 8): member_count and post_count are kept by migration 0016's
// triggers in the transaction of each change; parallel joins, leaves and posts leave them exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person } from './posts.test-support.ts';

const testApp = useTestApp();

async function counters(groupId: string) {
  const [row] = await testApp.current.database.sql`
    SELECT member_count, post_count,
           (SELECT count(*)::int FROM group_members WHERE group_id = ${groupId} AND status = 'active') AS members,
           (SELECT count(*)::int FROM group_posts gp JOIN posts p ON p.id = gp.post_id
             WHERE gp.group_id = ${groupId} AND p.deleted_at IS NULL) AS posts
    FROM groups WHERE id = ${groupId}`;
  return row as { member_count: number; post_count: number; members: number; posts: number };
}

test('30 parallel joins (each twice), then 10 parallel leaves: member_count exact', async () => {
  const owner = await person(testApp.current);
  const created = await as(testApp.current, owner)('POST', '/v1/groups', {
    name: 'Crowd',
    slug: `crowd-${Date.now()}`,
  });
  const groupId = created.json<{ id: string }>().id;
  const people = await Promise.all(Array.from({ length: 30 }, () => person(testApp.current)));
  const answers = await Promise.all(
    [...people, ...people].map((who) => as(testApp.current, who)('POST', `/v1/groups/${groupId}/join`)),
  );
  assert.ok(
    answers.every((answer) => answer.statusCode === 200),
    'every join answers 200',
  );
  assert.deepEqual(await counters(groupId), { member_count: 31, post_count: 0, members: 31, posts: 0 });

  const leaves = await Promise.all(
    people.slice(0, 10).map((who) => as(testApp.current, who)('POST', `/v1/groups/${groupId}/leave`)),
  );
  assert.ok(leaves.every((answer) => answer.statusCode === 204));
  assert.deepEqual(await counters(groupId), { member_count: 21, post_count: 0, members: 21, posts: 0 });
});

test('parallel posts in a group, then parallel deletions: post_count exact', async () => {
  const owner = await person(testApp.current);
  const created = await as(testApp.current, owner)('POST', '/v1/groups', { name: 'Busy', slug: `busy-${Date.now()}` });
  const groupId = created.json<{ id: string }>().id;
  const writers = await Promise.all(Array.from({ length: 20 }, () => person(testApp.current)));
  await Promise.all(writers.map((who) => as(testApp.current, who)('POST', `/v1/groups/${groupId}/join`)));
  const posted = await Promise.all(
    writers.map((who, i) => as(testApp.current, who)('POST', '/v1/posts', { content: `take ${i}`, group_id: groupId })),
  );
  assert.ok(
    posted.every((answer) => answer.statusCode === 201),
    posted.map((a) => a.statusCode).join(),
  );
  assert.deepEqual(await counters(groupId), { member_count: 21, post_count: 20, members: 21, posts: 20 });

  await Promise.all(
    posted
      .slice(0, 7)
      .map((answer, i) => as(testApp.current, writers[i]!)('DELETE', `/v1/posts/${answer.json<{ id: string }>().id}`)),
  );
  assert.deepEqual(await counters(groupId), { member_count: 21, post_count: 13, members: 21, posts: 13 });
  const [entries] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM feed_entries fe JOIN group_posts gp ON gp.post_id = fe.post_id
    WHERE gp.group_id = ${groupId}`;
  assert.equal(entries?.n, 13 * 21, 'each remaining post is in every member’s feed');
});
