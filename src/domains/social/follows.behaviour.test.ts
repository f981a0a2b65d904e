// Follows and follow requests over HTTP (issue 15 §1, ADR 0060): immediate follows, idempotency, self-follow,
// private profiles and their requests, the lists and who may read them, notifications, bad input, rate limit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { counts, graphClient, newPerson, notificationsOf } from './follows.test-support.ts';

const testApp = useTestApp();

interface Connection {
  user: { id: string; username: string };
  followed_at: string;
}

test('following a public profile is immediate and idempotent; unfollowing too; counters follow', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = graphClient(testApp.current, ana);

  const first = await asAna.follow(ben.id);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual(first.json(), { status: 'following' });
  const again = await asAna.follow(ben.id);
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.json(), { status: 'following' });
  assert.equal((await counts(testApp.current, ben.id)).follower_count, 1);
  assert.equal((await counts(testApp.current, ana.id)).following_count, 1);

  const notified = await notificationsOf(testApp.current, ben.id);
  assert.deepEqual(
    notified.map((n) => n.type),
    ['follow'],
    'one follow notification, however many times Ana follows',
  );

  const followers = (await asAna.followers(ben.username)).json<{ items: Connection[] }>();
  assert.deepEqual(
    followers.items.map((c) => c.user.id),
    [ana.id],
  );
  const following = (await graphClient(testApp.current, undefined).following(ana.username)).json<{
    items: Connection[];
  }>();
  assert.deepEqual(
    following.items.map((c) => c.user.id),
    [ben.id],
    'anyone, anonymous too, reads the lists of a public profile',
  );

  assert.equal((await asAna.unfollow(ben.id)).statusCode, 204);
  assert.equal((await asAna.unfollow(ben.id)).statusCode, 204, 'unfollowing again is a no-op');
  assert.equal((await counts(testApp.current, ben.id)).follower_count, 0);
  assert.equal((await notificationsOf(testApp.current, ben.id)).length, 0, 'the unread follow is taken back');
});

test('self-follow is 422; an unknown account 404; a bad id 400', async () => {
  const ana = await newPerson(testApp.current);
  const asAna = graphClient(testApp.current, ana);
  const self = await asAna.follow(ana.id);
  assert.equal(self.statusCode, 422);
  assert.equal(self.json<{ code: string }>().code, 'FOLLOW_SELF');
  const nobody = await asAna.follow(randomUUID());
  assert.equal(nobody.statusCode, 404);
  assert.equal(nobody.json<{ code: string }>().code, 'USER_NOT_FOUND');
  assert.equal((await asAna.follow('not-a-uuid')).statusCode, 400);
  assert.equal((await graphClient(testApp.current, undefined).follow(ana.id)).statusCode, 401);
  assert.equal((await asAna.followers('no_such_user_here')).statusCode, 404);
  assert.equal((await asAna.followers(ana.username, '?limit=0')).statusCode, 400);
  assert.equal((await asAna.followers(ana.username, '?cursor=nonsense')).statusCode, 400);
});

test('a private profile gets a request: accept makes a follow, decline leaves no trace; lists stay private', async () => {
  const owner = await newPerson(testApp.current, 'private');
  const [ana, ben, cleo] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const [asOwner, asAna, asBen, asCleo] = [
    graphClient(testApp.current, owner),
    graphClient(testApp.current, ana),
    graphClient(testApp.current, ben),
    graphClient(testApp.current, cleo),
  ];

  assert.deepEqual((await asAna.follow(owner.id)).json(), { status: 'requested' });
  assert.deepEqual((await asAna.follow(owner.id)).json(), { status: 'requested' }, 'asking again changes nothing');
  assert.deepEqual((await asBen.follow(owner.id)).json(), { status: 'requested' });
  assert.equal((await counts(testApp.current, owner.id)).follower_count, 0, 'a request is not a follow');

  const requests = (await asOwner.requests()).json<{ items: { user: { id: string } }[] }>();
  assert.deepEqual(
    requests.items.map((r) => r.user.id),
    [ben.id, ana.id],
    'newest first',
  );
  assert.equal((await asAna.followers(owner.username)).statusCode, 404, 'a requester does not see the lists');
  assert.equal((await asAna.profile(owner.username)).statusCode, 404, 'nor the profile');

  assert.equal((await asOwner.accept(ana.id)).statusCode, 204);
  assert.equal((await asOwner.accept(ana.id)).statusCode, 404, 'answered already');
  assert.deepEqual((await asAna.follow(owner.id)).json(), { status: 'following' });
  assert.equal((await counts(testApp.current, owner.id)).follower_count, 1);
  assert.equal((await asAna.followers(owner.username)).statusCode, 200, 'an accepted follower sees the lists');
  assert.equal((await asAna.profile(owner.username)).statusCode, 200, 'and the profile');

  assert.equal((await asOwner.decline(ben.id)).statusCode, 204);
  assert.equal((await asOwner.decline(ben.id)).statusCode, 404);
  assert.equal((await asOwner.requests()).json<{ items: unknown[] }>().items.length, 0);
  assert.equal((await asBen.followers(owner.username)).statusCode, 404);

  // Cleo asks, then cancels by unfollowing.
  await asCleo.follow(owner.id);
  assert.equal((await asCleo.unfollow(owner.id)).statusCode, 204);
  assert.equal((await asOwner.accept(cleo.id)).statusCode, 404, 'a cancelled request is gone');

  const left = await notificationsOf(testApp.current, owner.id);
  assert.equal(left.length, 0, 'answered and cancelled requests leave no notification behind');
  assert.equal((await asOwner.followers(owner.username)).statusCode, 200, 'the owner sees their lists');
});

test('an unlisted profile is followed like a public one', async () => {
  const [ana, uma] = [await newPerson(testApp.current), await newPerson(testApp.current, 'unlisted')];
  assert.deepEqual((await graphClient(testApp.current, ana).follow(uma.id)).json(), { status: 'following' });
});

test('the lists page by keyset without gaps or repeats', async () => {
  const star = await newPerson(testApp.current);
  const fans = [];
  for (let i = 0; i < 5; i += 1) {
    const fan = await newPerson(testApp.current);
    fans.push(fan.id);
    assert.equal((await graphClient(testApp.current, fan).follow(star.id)).statusCode, 200);
  }
  const anon = graphClient(testApp.current, undefined);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await anon.followers(star.username, query)).json<{
      items: Connection[];
      next_cursor: string | null;
    }>();
    seen.push(...page.items.map((c) => c.user.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...fans].reverse());
});
