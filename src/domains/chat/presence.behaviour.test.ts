// Presence and typing over HTTP (issue 14 §5, ADR 0059): setting one's presence, who sees it (everyone, people
// sharing a room, nobody; never across a block), typing seen by members only, bad input.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { block, newPerson, type Person } from './direct.test-support.ts';
import { createPresenceService } from './presence.service.ts';

const testApp = useTestApp();

function as(person: Person) {
  const headers = { authorization: person.authorization };
  return {
    own: () => testApp.current.app.inject({ method: 'GET', url: '/v1/me/presence', headers }),
    set: (payload: Record<string, unknown>) =>
      testApp.current.app.inject({ method: 'PATCH', url: '/v1/me/presence', headers, payload }),
    see: (ids: string[]) =>
      testApp.current.app.inject({
        method: 'GET',
        url: `/v1/presence?${ids.map((id) => `user_id=${id}`).join('&')}`,
        headers,
      }),
    typing: (roomId: string, method: 'GET' | 'PUT' | 'DELETE' = 'GET') =>
      testApp.current.app.inject({ method, url: `/v1/rooms/${roomId}/typing`, headers }),
  };
}

async function room(members: Person[], state: Record<string, unknown> = {}) {
  const made = await allFactories.rooms!(testApp.current.database.sql, { room_type: 'private' });
  for (const member of members)
    await allFactories.room_members!(testApp.current.database.sql, {
      room_id: made.id,
      user_id: member.id,
      ...state,
    });
  return String(made.id);
}

async function join(roomId: string, member: Person, state: Record<string, unknown> = {}) {
  await allFactories.room_members!(testApp.current.database.sql, { room_id: roomId, user_id: member.id, ...state });
}

test('one sets a status, a custom status and an audience, and reads them back', async () => {
  const me = await newPerson(testApp.current);
  const fresh = (await as(me).own()).json<{ status: string; visibility: string }>();
  assert.equal(fresh.status, 'offline', 'someone who never connected is offline');
  assert.equal(fresh.visibility, 'shared_rooms', 'the default audience is people sharing a room');

  const set = await as(me).set({ status: 'busy', custom_status: '  Mixing the new EP  ', visibility: 'everyone' });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual((({ status, custom_status, visibility }) => ({ status, custom_status, visibility }))(set.json()), {
    status: 'busy',
    custom_status: 'Mixing the new EP',
    visibility: 'everyone',
  });
  const cleared = (await as(me).set({ custom_status: null })).json<{ status: string; custom_status: null }>();
  assert.equal(cleared.status, 'busy', 'what is not sent does not change');
  assert.equal(cleared.custom_status, null);
});

test('bad input is a 400 naming the field and rule, and changes nothing', async () => {
  const me = await newPerson(testApp.current);
  await as(me).set({ status: 'away' });
  const cases: [Record<string, unknown>, string, string][] = [
    [{ status: 'invisible' }, 'body.status', 'anyOf'],
    [{ custom_status: 'x'.repeat(101) }, 'body.custom_status', 'maxLength'],
    [{ custom_status: '   ' }, 'body.custom_status', 'notBlank'],
    [{ custom_status: 'a\u0007b' }, 'body.custom_status', 'pattern'],
    [{ visibility: 'friends' }, 'body.visibility', 'anyOf'],
    [{}, 'body', 'minProperties'],
    [{ status: 'away', mood: 'happy' }, 'body.mood', 'additionalProperties'],
  ];
  for (const [payload, field, rule] of cases) {
    const answer = await as(me).set(payload);
    assert.equal(answer.statusCode, 400, `${JSON.stringify(payload)}: ${answer.body}`);
    const errors = answer.json<{ errors: { field: string; rule: string }[] }>().errors;
    assert.ok(
      errors.some((e) => e.field.startsWith(field) && (e.rule === rule || rule === 'anyOf')),
      `${JSON.stringify(payload)}: ${JSON.stringify(errors)}`,
    );
  }
  assert.equal((await as(me).own()).json<{ status: string }>().status, 'away');
  const tooMany = await as(me).see(Array.from({ length: 101 }, () => randomUUID()));
  assert.equal(tooMany.statusCode, 400);
  assert.equal((await as(me).see(['not-a-uuid'])).statusCode, 400);
});

test('presence is shown only to the audience the user chose, and never across a block', async () => {
  const [star, roommate, stranger, blocked, banned] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const shared = await room([star, roommate, blocked]);
  await join(shared, banned, { is_banned: true });
  await block(testApp.current, star, blocked);
  assert.equal((await as(star).set({ status: 'online', custom_status: 'around' })).statusCode, 200);

  const seers = async () => {
    const who: string[] = [];
    for (const [name, person] of Object.entries({ roommate, stranger, blocked, banned })) {
      const answer = await as(person).see([star.id]);
      assert.equal(answer.statusCode, 200, answer.body);
      const items = answer.json<{ items: { user_id: string; status: string }[] }>().items;
      if (items.some((item) => item.user_id === star.id)) who.push(name);
    }
    return who;
  };
  assert.deepEqual(await seers(), ['roommate'], 'shared_rooms (the default): members of a room with them');
  await as(star).set({ visibility: 'everyone' });
  assert.deepEqual(await seers(), ['roommate', 'stranger', 'banned'], 'everyone, except across a block');
  await as(star).set({ visibility: 'nobody' });
  assert.deepEqual(await seers(), [], 'nobody');
  const self = (await as(star).see([star.id])).json<{ items: { status: string }[] }>().items;
  assert.equal(self[0]?.status, 'online', 'oneself, always');

  // The block works the other way too: what the blocked person shares, the blocker does not see.
  await as(blocked).set({ status: 'online', visibility: 'everyone' });
  assert.deepEqual((await as(star).see([blocked.id])).json<{ items: unknown[] }>().items, []);
  assert.equal((await as(roommate).see([blocked.id])).json<{ items: unknown[] }>().items.length, 1);
});

test('typing: members say it and see it; others find no room; a muted member may not type', async () => {
  const [ana, ben, outsider, muted] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const roomId = await room([ana, ben]);
  await join(roomId, muted, { is_muted: true });

  const started = await as(ana).typing(roomId, 'PUT');
  assert.equal(started.statusCode, 200, started.body);
  const until = Date.parse(started.json<{ expires_at: string }>().expires_at);
  assert.ok(Number.isFinite(until) && until <= Date.now() + 10_000, 'at most 10 s from now');
  assert.equal((await as(ana).typing(roomId, 'PUT')).statusCode, 200, 'renewing is fine');
  const seen = (await as(ben).typing(roomId)).json<{ items: { user_id: string }[] }>().items;
  assert.deepEqual(
    seen.map((item) => item.user_id),
    [ana.id],
  );

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const answer = await as(outsider).typing(roomId, method);
    assert.equal(answer.statusCode, 404, `${method}: ${answer.body}`);
    assert.equal(answer.json().code, 'ROOM_NOT_FOUND');
  }
  assert.equal((await as(outsider).typing(randomUUID())).statusCode, 404);
  assert.equal((await as(muted).typing(roomId, 'PUT')).statusCode, 403);
  assert.equal((await as(muted).typing(roomId)).statusCode, 200, 'a muted member still reads');

  assert.equal((await as(ana).typing(roomId, 'DELETE')).statusCode, 204);
  assert.deepEqual((await as(ben).typing(roomId)).json<{ items: unknown[] }>().items, []);

  // One event when typing starts (not per renewal) and one when it stops, in the room's scope only.
  const events = await testApp.current.database.sql<{ scope_type: string; payload: { until: string } }[]>`
    SELECT scope_type, payload FROM chat_events WHERE event_type = 'typing' AND scope_id = ${roomId} ORDER BY seq`;
  assert.equal(events.length, 2);
  assert.ok(events.every((event) => event.scope_type === 'room'));
});

test('the gateway’s filter for presence events follows the same rule as the HTTP answer', async () => {
  const [star, roommate, stranger, blocked] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  await room([star, roommate, blocked]);
  await block(testApp.current, blocked, star);
  const service = createPresenceService(testApp.current.pool, { redis: { url: undefined } });
  const viewers = [star.id, roommate.id, stranger.id, blocked.id];
  const names = (ids: string[]) =>
    ids.map((id) => ({ [star.id]: 'star', [roommate.id]: 'roommate', [stranger.id]: 'stranger' })[id] ?? 'blocked');
  assert.deepEqual(names(await service.viewersAllowed(star.id, viewers)), ['star', 'roommate']);
  await as(star).set({ visibility: 'everyone' });
  assert.deepEqual(names(await service.viewersAllowed(star.id, viewers)), ['star', 'roommate', 'stranger']);
  await as(star).set({ visibility: 'nobody' });
  assert.deepEqual(names(await service.viewersAllowed(star.id, viewers)), ['star']);
});
