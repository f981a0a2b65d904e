// The home feed (issue 15 §6, ADR 0064): complete and chronological (followees, active groups, one's own), keyset
// pages, and the entries kept by migration 0041's triggers on follow, unfollow, block, join, leave and deletion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, block, follow, group, person, publish, type Person } from './posts.test-support.ts';

const testApp = useTestApp();

/** A post put straight in the database (the triggers fan it out), `minutesAgo` old; answers its id. */
async function postAt(who: Person, minutesAgo: number, extra: { visibility?: string; groupId?: string } = {}) {
  const { sql } = testApp.current.database;
  const [row] = await sql`INSERT INTO posts (user_id, content, visibility, created_at)
                          VALUES (${who.id}, ${`post ${minutesAgo}`}, ${extra.visibility ?? 'public'},
                                  NOW() - make_interval(mins => ${minutesAgo})) RETURNING id`;
  const id = String(row?.id);
  if (extra.groupId) await sql`INSERT INTO group_posts (group_id, post_id) VALUES (${extra.groupId}, ${id})`;
  return id;
}

/** Every page of the reader's feed, `limit` at a time. */
async function wholeFeed(reader: Person, limit = 2): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const answer = await as(testApp.current, reader)(
      'GET',
      `/v1/me/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(answer.statusCode, 200, answer.body);
    const page = answer.json<{ items: { id: string }[]; next_cursor: string | null }>();
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return ids;
}

async function entriesOf(reader: Person): Promise<string[]> {
  const rows = await testApp.current.database.sql`
    SELECT post_id FROM feed_entries WHERE user_id = ${reader.id} ORDER BY post_created_at DESC, post_id DESC`;
  return rows.map((row) => String(row.post_id));
}

test('complete and newest first: followees, active groups and one’s own posts; nobody else’s', async () => {
  const reader = await person(testApp.current);
  const [alice, bob, carol, dave] = [
    await person(testApp.current),
    await person(testApp.current),
    await person(testApp.current),
    await person(testApp.current),
  ];
  await follow(testApp.current, reader, alice);
  await follow(testApp.current, reader, bob);
  const band = await group(testApp.current, 'public', [carol, reader]);
  const a1 = await postAt(alice, 50);
  const b1 = await postAt(bob, 40, { visibility: 'private' });
  const c1 = await postAt(carol, 30, { groupId: band });
  await postAt(carol, 25); // carol outside the group: not followed
  await postAt(dave, 20); // a stranger
  const own = await postAt(reader, 10, { visibility: 'unlisted' });
  const a2 = await publish(testApp.current, alice, { content: 'just now' });

  const expected = [a2, own, c1, b1, a1];
  assert.deepEqual(await wholeFeed(reader, 2), expected);
  assert.deepEqual(await wholeFeed(reader, 100), expected);
  const first = await as(testApp.current, reader)('GET', '/v1/me/feed?limit=1');
  assert.equal(first.json().items[0].author.id, alice.id);
  assert.equal((await as(testApp.current, null)('GET', '/v1/me/feed')).statusCode, 401);
  assert.equal((await as(testApp.current, reader)('GET', '/v1/me/feed?cursor=nonsense')).statusCode, 400);
});

test('follow brings past posts in; unfollow and leaving a group take them out; deletion removes them', async () => {
  const reader = await person(testApp.current);
  const alice = await person(testApp.current);
  const carol = await person(testApp.current);
  const old = await postAt(alice, 60);
  assert.deepEqual(await wholeFeed(reader), []);
  await follow(testApp.current, reader, alice);
  assert.deepEqual(await wholeFeed(reader), [old], 'a follow backfills the followee’s posts');

  const band = await group(testApp.current, 'public', [carol, reader]);
  const inGroup = await postAt(alice, 30, { groupId: band });
  const carolInGroup = await postAt(carol, 20, { groupId: band });
  assert.deepEqual(await wholeFeed(reader), [carolInGroup, inGroup, old]);

  const { sql } = testApp.current.database;
  await sql`DELETE FROM follows WHERE follower_id = ${reader.id} AND following_id = ${alice.id}`;
  assert.deepEqual(await entriesOf(reader), [carolInGroup, inGroup], 'alice’s group post stays: reader is a member');

  await sql`DELETE FROM group_members WHERE group_id = ${band} AND user_id = ${reader.id}`;
  assert.deepEqual(await entriesOf(reader), []);

  await follow(testApp.current, reader, carol);
  assert.deepEqual(await wholeFeed(reader), [carolInGroup]);
  await sql`UPDATE posts SET deleted_at = NOW() WHERE id = ${carolInGroup}`;
  assert.deepEqual(await entriesOf(reader), []);
  assert.deepEqual(await wholeFeed(reader), []);
});

test('blocks: a block hides the other’s posts at once; the follows it deletes take their entries', async () => {
  const reader = await person(testApp.current);
  const alice = await person(testApp.current);
  const bob = await person(testApp.current);
  await follow(testApp.current, reader, alice);
  await follow(testApp.current, reader, bob);
  const post = await postAt(alice, 5);
  const bobs = await postAt(bob, 4);
  assert.deepEqual(await wholeFeed(reader), [bobs, post]);
  await block(testApp.current, alice, reader);
  assert.deepEqual(await wholeFeed(reader), [bobs], 'the read filter hides a blocker’s posts before any unfollow');

  // Through the API, a block deletes the follows both ways (ADR 0061), and with them the feed entries.
  const blocked = await as(testApp.current, reader)('PUT', `/v1/me/blocks/${bob.id}`, {});
  assert.ok(blocked.statusCode < 300, blocked.body);
  assert.deepEqual(await entriesOf(reader), [post], 'only alice’s entry is left (hidden by the read filter)');
  assert.deepEqual(await wholeFeed(reader), []);
});

test('visibility: a followee’s post in a private group stays hidden from a non-member; a private profile', async () => {
  const reader = await person(testApp.current);
  const alice = await person(testApp.current);
  const insider = await person(testApp.current);
  await follow(testApp.current, reader, alice);
  const secret = await group(testApp.current, 'private', [alice, insider]);
  await postAt(alice, 20, { groupId: secret });
  const open = await postAt(alice, 10);
  assert.deepEqual(await wholeFeed(reader), [open]);
  const insiderFeed = await wholeFeed(insider);
  assert.equal(insiderFeed.length, 1, 'a member sees the group post');
});

test('the feed survives a post arriving while a follow is being made (no lost entry)', async () => {
  const { sql } = testApp.current.database;
  const alice = await person(testApp.current);
  const readers = await Promise.all(Array.from({ length: 10 }, () => person(testApp.current)));
  const postIds = await Promise.all([
    ...readers.map((reader) => follow(testApp.current, reader, alice).then(() => null)),
    ...Array.from({ length: 10 }, (_, i) => postAt(alice, i)),
  ]);
  const posts = postIds.filter((id): id is string => id !== null);
  for (const reader of readers) {
    const [row] = await sql`SELECT count(*)::int AS n FROM feed_entries WHERE user_id = ${reader.id}`;
    assert.equal(row?.n, posts.length, 'every reader has every post');
  }
});
