// Who must never receive a room's events (issue 14 §4, "Done when"): a non-member, a banned or kicked member, a
// member who left, a blocked user; every other user of the fixture tries to follow the room and receives nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { socialFactories } from '../../../../test/factories/social.ts';
import { sql } from 'kysely';
import { recordChatEvent, type ChatEvent } from '../chat.events.ts';
import { messageEvent, person, record, roomWith, TestClient, useCluster, type Person } from './gateway.test-support.ts';

// Access ends here through the events alone: the periodic re-check (gateway.recheck.test.ts) is kept out of the way,
// or on a loaded machine it could end a subscription first, with its own reason, before the event arrives.
const cluster = useCluster(2, { VEZA_CHAT_WS_ACCOUNT_CHECK_MS: '600000' });

const personal = (who: Person, marker: string): ChatEvent => ({
  type: 'presence',
  scope: { kind: 'user', userId: who.id },
  payload: { user_id: who.id, status: 'online', custom_status: marker, last_seen_at: null },
});

async function waitMarker(client: TestClient, marker: string) {
  await client.next((f) => f.type === 'event' && (f.payload as { custom_status?: string }).custom_status === marker);
}

test('outsiders, kicked, banned and departed members never receive the room’s events', async () => {
  const c = cluster.current;
  const people = await Promise.all(Array.from({ length: 7 }, () => person(c)));
  const [owner, member, kicked, banned, departed, stranger, blocked] = people as [
    Person,
    Person,
    Person,
    Person,
    Person,
    Person,
    Person,
  ];
  const room = await roomWith(c, [owner, member, kicked, banned, departed]);
  await socialFactories.blocks(c.database.sql, { blocker_id: owner.id, blocked_id: blocked.id });
  const url = (i: number) => c.instances[i % 2]!.url;
  const clients = new Map<Person, TestClient>();
  for (const [i, who] of [owner, member, kicked, banned, departed, stranger, blocked].entries())
    clients.set(who, await TestClient.signedIn(url(i), who));
  for (const who of [owner, member, kicked, banned, departed])
    assert.equal((await clients.get(who)!.subscribe(room)).type, 'subscribed');
  // Strangers and the blocked user are refused, with the answer a room that does not exist gets.
  for (const who of [stranger, blocked]) {
    const refused = await clients.get(who)!.subscribe(room);
    assert.deepEqual([refused.type, refused.code], ['error', 'ROOM_NOT_FOUND']);
  }
  const nowhere = await clients.get(stranger)!.subscribe(crypto.randomUUID());
  assert.deepEqual([nowhere.type, nowhere.code], ['error', 'ROOM_NOT_FOUND']);

  await record(c.instances[0]!, messageEvent(room, owner.id, 'before'));
  // Membership ends for three of them, one after the other, each as the rooms service records it: the change and
  // its event in one transaction.
  const inRoom = { kind: 'room', roomId: room } as const;
  await c.instances[1]!.pool.db.transaction().execute(async (tx) => {
    await sql`DELETE FROM room_members WHERE room_id = ${room} AND user_id = ${kicked.id}`.execute(tx);
    await recordChatEvent(tx, {
      type: 'member.kicked',
      scope: inRoom,
      payload: { room_id: room, user_id: kicked.id, by: owner.id },
    });
  });
  await c.instances[0]!.pool.db.transaction().execute(async (tx) => {
    await sql`UPDATE room_members SET is_banned = true WHERE room_id = ${room} AND user_id = ${banned.id}`.execute(tx);
    await recordChatEvent(tx, {
      type: 'member.banned',
      scope: inRoom,
      payload: { room_id: room, user_id: banned.id, by: owner.id },
    });
  });
  await c.instances[1]!.pool.db.transaction().execute(async (tx) => {
    await sql`DELETE FROM room_members WHERE room_id = ${room} AND user_id = ${departed.id}`.execute(tx);
    await recordChatEvent(tx, { type: 'member.left', scope: inRoom, payload: { room_id: room, user_id: departed.id } });
  });
  await record(c.instances[1]!, messageEvent(room, owner.id, 'after'), {
    type: 'dm.created',
    scope: { kind: 'user', userId: owner.id },
    payload: {
      message: {
        id: crypto.randomUUID(),
        sender_id: member.id,
        recipient_id: owner.id,
        content: 'private',
        created_at: new Date().toISOString(),
      },
    },
  });
  // Each one's own barrier: once it arrived, everything committed before it has been dispatched to them.
  for (const [who, client] of clients) {
    const marker = `barrier ${who.id}`;
    await record(c.instances[0]!, personal(who, marker));
    await waitMarker(client, marker);
  }
  const seen = (who: Person) =>
    clients
      .get(who)!
      .events()
      .filter((f) => f.event !== 'presence')
      .map((f) =>
        f.event === 'message.created' ? (f.payload as { message: { content: string } }).message.content : f.event,
      );
  assert.deepEqual(seen(owner), ['before', 'member.kicked', 'member.banned', 'member.left', 'after', 'dm.created']);
  assert.deepEqual(seen(member), ['before', 'member.kicked', 'member.banned', 'member.left', 'after']);
  // Each saw the room until the event that ended their access, and nothing from it on.
  assert.deepEqual(seen(kicked), ['before']);
  assert.deepEqual(seen(banned), ['before', 'member.kicked']);
  assert.deepEqual(seen(departed), ['before', 'member.kicked', 'member.banned']);
  for (const who of [stranger, blocked]) assert.deepEqual(seen(who), []);
  // The ones whose access ended were told so, with the reason.
  for (const [who, reason] of [
    [kicked, 'member.kicked'],
    [banned, 'member.banned'],
    [departed, 'member.left'],
  ] as const) {
    const ended = clients.get(who)!.frames.find((f) => f.type === 'unsubscribed');
    assert.deepEqual([ended?.room_id, ended?.reason], [room, reason]);
    // And they cannot follow the room again.
    assert.equal((await clients.get(who)!.subscribe(room)).code, 'ROOM_NOT_FOUND');
  }
  await Promise.all([...clients.values()].map((client) => client.close()));
});

test('resuming from before a kick does not replay what happened while the member was out', async () => {
  const c = cluster.current;
  const [owner, member] = [await person(c), await person(c)];
  const room = await roomWith(c, [owner, member]);
  const client = await TestClient.signedIn(c.instances[0]!.url, member);
  await client.subscribe(room);
  await record(c.instances[0]!, messageEvent(room, owner.id, 'in'));
  const last = (await client.next((f) => f.type === 'event' && f.room_id === room)).seq as string;
  await client.close();
  await c.database.sql`DELETE FROM room_members WHERE room_id = ${room} AND user_id = ${member.id}`;
  await record(c.instances[0]!, {
    type: 'member.kicked',
    scope: { kind: 'room', roomId: room },
    payload: { room_id: room, user_id: member.id, by: owner.id },
  });
  await record(c.instances[0]!, messageEvent(room, owner.id, 'while out'));
  await c.database.sql`INSERT INTO room_members (room_id, user_id) VALUES (${room}, ${member.id})`;
  await record(c.instances[0]!, {
    type: 'member.joined',
    scope: { kind: 'room', roomId: room },
    payload: { room_id: room, user_id: member.id, role: 'member' },
  });
  await record(c.instances[0]!, messageEvent(room, owner.id, 'back'));
  const again = await TestClient.signedIn(c.instances[1]!.url, member);
  const subscribed = await again.subscribe(room, last);
  assert.equal(subscribed.replayed, 2);
  assert.deepEqual(
    again.events().map((f) => f.event),
    ['member.joined', 'message.created'],
  );
  await again.close();
});
