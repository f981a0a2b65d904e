// Blocks over HTTP (issue 15 §2, ADR 0061): block/unblock/list, the note, what a block deletes in one transaction
// (follows and requests both ways, notifications), and the surfaces this part owns: the profile page, follower
// and following lists, following, and direct messages. P and F test posts, comments and the feed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { counts, graphClient, newPerson, notificationsOf } from './follows.test-support.ts';

const testApp = useTestApp();

interface Block {
  user: { id: string; username: string };
  reason: string | null;
  created_at: string;
}

test('block, block again, note, list, unblock: idempotent, and never shown to the person blocked', async () => {
  const [ana, ben, cleo] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const asAna = graphClient(testApp.current, ana);

  const first = await asAna.block(ben.id, { reason: '  spam in my mentions  ' });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json<Block>().reason, 'spam in my mentions');
  const again = await asAna.block(ben.id);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json<Block>().reason, 'spam in my mentions', 'blocking again without a note keeps it');
  assert.equal((await asAna.block(ben.id, { reason: null })).json<Block>().reason, null, 'null clears it');
  assert.equal((await asAna.block(cleo.id, { reason: '   ' })).json<Block>().reason, null, 'blank is no note');

  const list = (await asAna.blocks()).json<{ items: Block[]; next_cursor: string | null }>();
  assert.deepEqual(
    list.items.map((b) => b.user.id),
    [cleo.id, ben.id],
  );
  const firstPage = (await asAna.blocks('?limit=1')).json<{ items: Block[]; next_cursor: string }>();
  const secondPage = (await asAna.blocks(`?limit=1&cursor=${firstPage.next_cursor}`)).json<{ items: Block[] }>();
  assert.deepEqual(
    [...firstPage.items, ...secondPage.items].map((b) => b.user.id),
    [cleo.id, ben.id],
  );
  assert.equal((await graphClient(testApp.current, ben).blocks()).json<{ items: Block[] }>().items.length, 0);

  assert.equal((await asAna.unblock(ben.id)).statusCode, 204);
  assert.equal((await asAna.unblock(ben.id)).statusCode, 204, 'unblocking again is a no-op');
  assert.equal((await graphClient(testApp.current, ben).unblock(ana.id)).statusCode, 204, 'no block of theirs');
  assert.deepEqual(
    (await asAna.blocks()).json<{ items: Block[] }>().items.map((b) => b.user.id),
    [cleo.id],
  );
});

test('bad block input: self 422, no such account 404, a long or multi-line note 400 naming the field', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = graphClient(testApp.current, ana);
  const self = await asAna.block(ana.id);
  assert.equal(self.statusCode, 422);
  assert.equal(self.json<{ code: string }>().code, 'BLOCK_SELF');
  assert.equal((await asAna.block(randomUUID())).json<{ code: string }>().code, 'USER_NOT_FOUND');
  for (const reason of ['x'.repeat(256), 'two\nlines', 'bell\u0007', 'rtl\u202e']) {
    const answer = await asAna.block(ben.id, { reason });
    assert.equal(answer.statusCode, 400, JSON.stringify(reason));
    assert.match(answer.body, /reason/);
  }
  assert.equal((await asAna.block(ben.id, { reason: 'x'.repeat(255) })).statusCode, 200);
  assert.equal((await asAna.block(ben.id, { other: 1 })).statusCode, 400);
  assert.equal((await graphClient(testApp.current, undefined).block(ben.id)).statusCode, 401);
});

test('a block deletes follows and requests both ways and the notifications between the two, in one step', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const priv = await newPerson(testApp.current, 'private');
  const [asAna, asBen, asPriv] = [
    graphClient(testApp.current, ana),
    graphClient(testApp.current, ben),
    graphClient(testApp.current, priv),
  ];
  await asAna.follow(ben.id);
  await asBen.follow(ana.id);
  await asAna.follow(priv.id); // a request
  await asPriv.follow(ana.id);
  assert.equal((await notificationsOf(testApp.current, ben.id)).length, 1);
  assert.equal((await notificationsOf(testApp.current, priv.id)).length, 1);

  assert.equal((await asBen.block(ana.id)).statusCode, 200);
  assert.equal((await asAna.block(priv.id)).statusCode, 200);

  const rows = await testApp.current.database.sql`
    SELECT 1 FROM follows WHERE ${ana.id} IN (follower_id, following_id)
    UNION ALL SELECT 1 FROM follow_requests WHERE ${ana.id} IN (requester_id, target_id)`;
  assert.equal(rows.length, 0, 'no follow nor request left, either way');
  assert.deepEqual(await counts(testApp.current, ana.id), { follower_count: 0, following_count: 0 });
  assert.deepEqual(await counts(testApp.current, ben.id), { follower_count: 0, following_count: 0 });
  assert.equal((await notificationsOf(testApp.current, ben.id)).length, 0);
  assert.equal((await notificationsOf(testApp.current, ana.id)).length, 0);
  assert.equal((await notificationsOf(testApp.current, priv.id)).length, 0);

  assert.equal((await asBen.unblock(ana.id)).statusCode, 204);
  assert.deepEqual((await asAna.follow(ben.id)).json(), { status: 'following' }, 'unblocked: may follow again');
});

test('block surfaces: following, profile page, follower lists and DMs answer as if the other did not exist', async () => {
  const [blocker, blocked, friend] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const [asBlocker, asBlocked, asFriend] = [
    graphClient(testApp.current, blocker),
    graphClient(testApp.current, blocked),
    graphClient(testApp.current, friend),
  ];
  await asFriend.follow(blocker.id);
  await asBlocked.follow(friend.id);
  await asBlocker.block(blocked.id);

  const missing = (await asBlocked.profile(`no_such_${Date.now()}`.slice(0, 30))).json<{ code: string }>();
  for (const [who, client, other] of [
    ['the blocked person', asBlocked, blocker],
    ['the blocker', asBlocker, blocked],
  ] as const) {
    const follow = await client.follow(other.id);
    assert.equal(follow.statusCode, 404, `${who} cannot follow`);
    assert.equal(follow.json<{ code: string }>().code, missing.code, `${who}: the same answer as no account`);
    const profile = await client.profile(other.username);
    assert.equal(profile.statusCode, 404, `${who} sees no profile`);
    assert.equal(profile.json<{ code: string }>().code, 'USER_NOT_FOUND');
    assert.equal((await client.followers(other.username)).statusCode, 404, `${who} sees no followers list`);
    assert.equal((await client.following(other.username)).statusCode, 404, `${who} sees no following list`);
    const dm = await testApp.current.app.inject({
      method: 'POST',
      url: `/v1/me/conversations/${other.id}/messages`,
      headers: { authorization: (who === 'the blocker' ? blocker : blocked).authorization },
      payload: { content: 'hello?' },
    });
    assert.equal(dm.statusCode, 404, `${who} cannot write a DM`);
  }
  // A third person's lists leave each side out for the other.
  const friendsFollowers = (await asBlocked.followers(friend.username)).json<{ items: { user: { id: string } }[] }>();
  assert.ok(
    friendsFollowers.items.every((c) => c.user.id !== blocker.id),
    'the blocker is left out for the blocked',
  );
  const seenByBlocker = (await asBlocker.following(blocked.username)).statusCode;
  assert.equal(seenByBlocker, 404);
  const blockedsFollowing = (await asBlocker.followers(blocker.username)).json<{ items: { user: { id: string } }[] }>();
  assert.deepEqual(
    blockedsFollowing.items.map((c) => c.user.id),
    [friend.id],
  );
  const friendsFollowing = (await asBlocker.followers(friend.username)).json<{ items: { user: { id: string } }[] }>();
  assert.ok(
    friendsFollowing.items.every((c) => c.user.id !== blocked.id),
    'the blocked is left out for the blocker',
  );
  // Everyone else still sees both.
  const anon = graphClient(testApp.current, undefined);
  assert.equal((await anon.profile(blocked.username)).statusCode, 200);
  const publicList = (await anon.followers(friend.username)).json<{ items: { user: { id: string } }[] }>();
  assert.deepEqual(
    publicList.items.map((c) => c.user.id),
    [blocked.id],
  );
});
