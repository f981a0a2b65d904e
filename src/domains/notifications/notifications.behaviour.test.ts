// Notifications (issue 15 §7; ADR 0066): grouping under concurrency, the transaction rule (a rolled-back action
// leaves none), preferences, quiet hours, the recipient's routes, retraction, blocks, and the catalogue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person, track } from '../streaming/comments.test-support.ts';
import { NOTIFICATION_TYPES } from './notifications.catalogue.ts';
import { forgetNotificationsBetween, notify } from './notifications.notify.ts';

const testApp = useTestApp();

async function notificationsOf(userId: string) {
  return testApp.current.database.sql`
    SELECT n.id, n.type, n.entity_type, n.entity_id, n.title, n.is_read, n.data,
           (SELECT count(*)::int FROM notification_actors a WHERE a.notification_id = n.id) AS actors
    FROM notifications n WHERE n.user_id = ${userId} ORDER BY n.created_at`;
}

async function pushedTo(userId: string): Promise<number> {
  const [row] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM chat_events
    WHERE scope_type = 'user' AND scope_id = ${userId} AND event_type = 'notification'`;
  return row!.n as number;
}

test('the notification_type enum is exactly the spec’s six types and the code’s catalogue (no engagement bait)', async () => {
  const rows = await testApp.current.database.sql`SELECT unnest(enum_range(NULL::notification_type))::text AS t`;
  assert.deepEqual(
    rows.map((row) => row.t),
    ['follow', 'like', 'comment', 'message', 'mention', 'system'],
  );
  assert.deepEqual([...NOTIFICATION_TYPES], ['follow', 'like', 'comment', 'message', 'mention', 'system']);
});

test('20 parallel likes of a track make ONE unread notification counting 20 people, pushed live', async () => {
  const creator = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const fans = await Promise.all(Array.from({ length: 20 }, () => person(testApp.current)));
  const answers = await Promise.all(fans.map((fan) => as(testApp.current, fan)('PUT', `/v1/tracks/${song.id}/like`)));
  for (const answer of answers) assert.equal(answer.statusCode, 201, answer.body);
  const rows = await notificationsOf(creator.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.actors, 20);
  assert.equal((rows[0]!.data as { actor_count: number }).actor_count, 20);
  assert.match(rows[0]!.title as string, / and 19 others liked your track$/);
  assert.ok((await pushedTo(creator.id)) >= 1);

  const list = await as(testApp.current, creator)('GET', '/v1/me/notifications');
  assert.equal(list.statusCode, 200, list.body);
  const [item] = list.json().items;
  assert.equal(item.actor_count, 20);
  assert.equal(item.actor_ids.length, 3);
  assert.equal(item.entity_id, song.id);
  assert.deepEqual((await as(testApp.current, creator)('GET', '/v1/me/notifications/unread-count')).json(), {
    unread: 1,
  });

  // An unlike takes its person out of the unread group; liking again (the like is kept) changes nothing.
  assert.equal((await as(testApp.current, fans[0]!)('DELETE', `/v1/tracks/${song.id}/like`)).statusCode, 204);
  assert.equal((await notificationsOf(creator.id))[0]!.actors, 19);
  assert.match((await notificationsOf(creator.id))[0]!.title as string, / and 18 others liked your track$/);
});

test('a like of one’s own track notifies nobody; a blocked pair is never notified', async () => {
  const creator = await person(testApp.current);
  const blocked = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  await as(testApp.current, creator)('PUT', `/v1/tracks/${song.id}/like`);
  await testApp.current.database.sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${creator.id}, ${blocked.id})`;
  await as(testApp.current, blocked)('PUT', `/v1/tracks/${song.id}/like`);
  assert.equal((await notificationsOf(creator.id)).length, 0);
});

test('a rolled-back action leaves no notification and no live event', async () => {
  const recipient = await person(testApp.current);
  const actor = await person(testApp.current);
  await assert.rejects(
    testApp.current.pool.db.transaction().execute(async (tx) => {
      await notify(tx, {
        recipientId: recipient.id,
        actorId: actor.id,
        type: 'follow',
        entityType: 'user',
        entityId: recipient.id,
      });
      throw new Error('the action failed');
    }),
    /the action failed/,
  );
  assert.equal((await notificationsOf(recipient.id)).length, 0);
  assert.equal(await pushedTo(recipient.id), 0);
});

test('preference none: nothing is created; email/in_app: created; system cannot be turned off', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const call = as(testApp.current, creator);
  const defaults = await call('GET', '/v1/me/notification-preferences');
  assert.deepEqual(defaults.json(), {
    channels: { follow: 'in_app', like: 'in_app', comment: 'in_app', mention: 'in_app', message: 'in_app' },
    quiet_hours: null,
    time_zone: 'UTC',
    digest: 'off',
  });
  const none = { ...defaults.json(), channels: { ...defaults.json().channels, like: 'none' } };
  const saved = await call('PUT', '/v1/me/notification-preferences', none);
  assert.equal(saved.statusCode, 200, saved.body);
  assert.deepEqual(saved.json(), none);
  const song = await track(testApp.current, creator.id);
  await as(testApp.current, fan)('PUT', `/v1/tracks/${song.id}/like`);
  assert.equal((await notificationsOf(creator.id)).length, 0);
  await notify(testApp.current.pool.db, {
    recipientId: creator.id,
    actorId: null,
    type: 'system',
    entityType: 'user',
    entityId: creator.id,
    snippet: 'Your password was changed',
  });
  const rows = await notificationsOf(creator.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.title, 'Your password was changed');
});

test('preferences: bad input is a 400 naming the field, nothing saved', async () => {
  const someone = await person(testApp.current);
  const call = as(testApp.current, someone);
  const base = (await call('GET', '/v1/me/notification-preferences')).json();
  for (const [body, field] of [
    [{ ...base, time_zone: 'Mars/Olympus' }, 'body.time_zone'],
    [{ ...base, quiet_hours: { start: '22:00', end: '22:00' } }, 'body.quiet_hours.end'],
    [{ ...base, quiet_hours: { start: '25:00', end: '07:00' } }, 'start'],
    [{ ...base, channels: { ...base.channels, like: 'sms' } }, 'like'],
    [{ ...base, digest: 'hourly' }, 'digest'],
  ] as const) {
    const answer = await call('PUT', '/v1/me/notification-preferences', body);
    assert.equal(answer.statusCode, 400, answer.body);
    assert.ok(JSON.stringify(answer.json().errors).includes(field), answer.body);
  }
  assert.deepEqual((await call('GET', '/v1/me/notification-preferences')).json(), base);
});

test('quiet hours: the notification is stored and listed, not pushed', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const hhmm = (date: Date) => date.toISOString().slice(11, 16);
  const now = Date.now();
  const quiet = {
    channels: { follow: 'in_app', like: 'in_app', comment: 'in_app', mention: 'in_app', message: 'in_app' },
    quiet_hours: { start: hhmm(new Date(now - 3_600_000)), end: hhmm(new Date(now + 3_600_000)) },
    time_zone: 'UTC',
    digest: 'off',
  };
  assert.equal((await as(testApp.current, creator)('PUT', '/v1/me/notification-preferences', quiet)).statusCode, 200);
  const song = await track(testApp.current, creator.id);
  await as(testApp.current, fan)('PUT', `/v1/tracks/${song.id}/like`);
  assert.equal((await notificationsOf(creator.id)).length, 1);
  assert.equal(await pushedTo(creator.id), 0);
});

test('mark all read up to a time: a notification arriving meanwhile stays unread; mark one, delete one', async () => {
  const me = await person(testApp.current);
  const call = as(testApp.current, me);
  const others = await Promise.all([person(testApp.current), person(testApp.current)]);
  const songs = await Promise.all([track(testApp.current, me.id), track(testApp.current, me.id)]);
  await as(testApp.current, others[0])('PUT', `/v1/tracks/${songs[0].id}/like`);
  const seen = (await call('GET', '/v1/me/notifications')).json().items;
  assert.equal(seen.length, 1);
  // Arrives after the client listed, before it marks all read.
  await as(testApp.current, others[1])('PUT', `/v1/tracks/${songs[1].id}/like`);
  const marked = await call('POST', '/v1/me/notifications/read-all', { up_to: seen[0].created_at });
  assert.deepEqual(marked.json(), { marked: 1 });
  const unread = (await call('GET', '/v1/me/notifications?unread=true')).json().items;
  assert.equal(unread.length, 1);
  assert.equal(unread[0].entity_id, songs[1].id);

  const one = await call('POST', `/v1/me/notifications/${unread[0].id}/read`);
  assert.equal(one.statusCode, 200, one.body);
  assert.equal(one.json().is_read, true);
  assert.equal((await call('POST', `/v1/me/notifications/${unread[0].id}/read`)).statusCode, 200);
  assert.deepEqual((await call('GET', '/v1/me/notifications/unread-count')).json(), { unread: 0 });
  // A like after reading opens a new group.
  const third = await person(testApp.current);
  await as(testApp.current, third)('PUT', `/v1/tracks/${songs[1].id}/like`);
  assert.equal((await notificationsOf(me.id)).length, 3);

  assert.equal((await call('DELETE', `/v1/me/notifications/${unread[0].id}`)).statusCode, 204);
  const gone = await call('DELETE', `/v1/me/notifications/${unread[0].id}`);
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json().code, 'NOTIFICATION_NOT_FOUND');
});

test('keyset pages walk every notification once', async () => {
  const me = await person(testApp.current);
  for (let i = 0; i < 5; i += 1) {
    const song = await track(testApp.current, me.id);
    await as(testApp.current, await person(testApp.current))('PUT', `/v1/tracks/${song.id}/like`);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/v1/me/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await as(testApp.current, me)('GET', url)).json();
    seen.push(...page.items.map((item: { id: string }) => item.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  assert.equal((await as(testApp.current, me)('GET', '/v1/me/notifications?cursor=nope')).statusCode, 400);
});

test('direct messages group per sender; a block forgets the notifications between the two', async () => {
  const me = await person(testApp.current);
  const friend = await person(testApp.current);
  const other = await person(testApp.current);
  for (let i = 0; i < 3; i += 1) {
    const sent = await as(testApp.current, friend)('POST', `/v1/me/conversations/${me.id}/messages`, {
      content: `hello ${i}`,
    });
    assert.equal(sent.statusCode, 201, sent.body);
  }
  await as(testApp.current, other)('POST', `/v1/me/conversations/${me.id}/messages`, { content: 'hi' });
  let rows = await notificationsOf(me.id);
  assert.equal(rows.length, 2);
  const fromFriend = rows.find((row) => row.entity_id === friend.id)!;
  assert.equal((fromFriend.data as { events: number }).events, 3);
  assert.equal((fromFriend.data as { snippet: string }).snippet, 'hello 2');

  await forgetNotificationsBetween(testApp.current.pool.db, me.id, friend.id);
  rows = await notificationsOf(me.id);
  assert.deepEqual(
    rows.map((row) => row.entity_id),
    [other.id],
  );
});

test('a track comment tells the creator, a reply the author answered', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const replier = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const comment = await as(testApp.current, fan)('POST', `/v1/tracks/${song.id}/comments`, { content: 'great' });
  assert.equal(comment.statusCode, 201, comment.body);
  const reply = await as(testApp.current, replier)('POST', `/v1/tracks/${song.id}/comments`, {
    content: 'agreed',
    parent_comment_id: comment.json().id,
  });
  assert.equal(reply.statusCode, 201, reply.body);
  const toCreator = await notificationsOf(creator.id);
  assert.equal(toCreator.length, 1);
  assert.equal(toCreator[0]!.type, 'comment');
  const toFan = await notificationsOf(fan.id);
  assert.equal(toFan.length, 1);
  assert.equal(toFan[0]!.entity_type, 'track_comment');
  assert.match(toFan[0]!.title as string, /replied to your comment/);
});
