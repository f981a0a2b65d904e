// Both presence stores (ADR 0059): the tables (user_presence, typing_indicators) and Redis (a server runs locally
// on 6379), through the same service, on a clock the test moves: typing lapses 10 seconds after its last renewal
// without any sleep, the table path deletes expired rows, and an instance's connected/disconnected calls (several
// instances: presence.instances.test.ts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { createDatabasePresenceStore, createRedisPresenceStore, type PresenceStore } from './presence.repository.ts';
import { createPresenceService, TYPING_TTL_MS } from './presence.service.ts';

const testApp = useTestApp();
const REDIS_URL = process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const stores: [string, () => PresenceStore][] = [
  ['tables', () => createDatabasePresenceStore(testApp.current.pool.db)],
  ['Redis', () => createRedisPresenceStore(REDIS_URL, `veza-test:${randomUUID()}:`)],
];

async function person(): Promise<Caller> {
  const user = await allFactories.users!(testApp.current.database.sql);
  return { userId: String(user.id), role: 'user' };
}

async function roomOf(...members: Caller[]): Promise<string> {
  const room = await allFactories.rooms!(testApp.current.database.sql);
  for (const member of members)
    await allFactories.room_members!(testApp.current.database.sql, { room_id: room.id, user_id: member.userId });
  return String(room.id);
}

for (const [name, makeStore] of stores) {
  describe(`the ${name} store`, () => {
    // Ahead of real time: the test app's own gateway sweeps lapsed presences by the real clock, and must find none
    // of these (their last_seen_at is this clock's).
    let clock = Date.parse('2100-03-01T12:00:00.000Z');
    const opened: PresenceStore[] = [];
    const service = () => {
      const store = makeStore();
      opened.push(store);
      return createPresenceService(
        testApp.current.pool,
        { redis: { url: undefined } },
        { store, now: () => new Date(clock) },
      );
    };
    after(async () => {
      for (const store of opened) await store.close();
    });

    test('typing lapses 10 seconds after its last renewal, on the service’s clock', async () => {
      const presence = service();
      const [ana, ben] = [await person(), await person()];
      const roomId = await roomOf(ana, ben);
      await presence.startTyping(ana, roomId);
      assert.deepEqual(
        (await presence.typing(ben, roomId)).items.map((item) => item.user_id),
        [ana.userId],
      );
      clock += TYPING_TTL_MS - 1;
      assert.equal((await presence.typing(ben, roomId)).items.length, 1, 'still on 1 ms before the end');
      await presence.startTyping(ana, roomId); // renewed
      clock += TYPING_TTL_MS - 1;
      assert.equal((await presence.typing(ben, roomId)).items.length, 1, 'the renewal moved the end');
      clock += 1;
      assert.deepEqual((await presence.typing(ben, roomId)).items, [], 'lapsed at exactly 10 s');

      // Starting again after it lapsed is a new indicator (an event), a renewal is not.
      const events = () =>
        testApp.current.database.sql`
          SELECT 1 FROM chat_events WHERE event_type = 'typing' AND scope_id = ${roomId}`.then((rows) => rows.length);
      const before = await events();
      await presence.startTyping(ana, roomId);
      await presence.startTyping(ana, roomId);
      assert.equal(await events(), before + 1);
      await presence.stopTyping(ana, roomId);
      await presence.stopTyping(ana, roomId);
      assert.equal(await events(), before + 2, 'stopping what is already off says nothing');
    });

    test('presence: set by the client, online on connection (keeping away or busy), offline on disconnection', async () => {
      const presence = service();
      const instance = presence.forInstance();
      const { renewEveryMs } = presence.timing;
      const ana = await person();
      const first = await instance.connected(ana.userId);
      assert.equal(first.status, 'online');
      assert.equal(first.last_seen_at.getTime(), clock);
      await presence.update(ana, { status: 'busy', custom_status: 'recording' });
      clock += renewEveryMs;
      await instance.renew([ana.userId]);
      // Another device, through another instance, while the first is still connected.
      const again = await presence.connected(ana.userId, 'another-instance');
      assert.equal(again.status, 'busy', 'a chosen status survives a new connection');
      assert.equal(again.custom_status, 'recording');
      assert.equal(again.last_seen_at.getTime(), clock);
      await presence.disconnected(ana.userId, 'another-instance');
      clock += renewEveryMs;
      const closedAt = clock;
      await instance.disconnected(ana.userId);
      // The tables confirm a renewal period and a half later, at the instance's next renewal; Redis knew at once.
      clock += 2 * renewEveryMs;
      await instance.renew([]);
      const own = await presence.own(ana);
      assert.equal(own.status, 'offline');
      assert.equal(own.custom_status, 'recording');
      assert.equal(own.last_seen_at, new Date(closedAt).toISOString(), 'last seen when the last connection closed');
    });
  });
}

test('the table path deletes the expired indicators of a room as others start typing', async () => {
  let clock = Date.parse('2026-03-01T12:00:00.000Z');
  const store = createDatabasePresenceStore(testApp.current.pool.db);
  const presence = createPresenceService(
    testApp.current.pool,
    { redis: { url: undefined } },
    { store, now: () => new Date(clock) },
  );
  const [ana, ben] = [await person(), await person()];
  const roomId = await roomOf(ana, ben);
  await presence.startTyping(ana, roomId);
  clock += TYPING_TTL_MS + 1;
  await presence.startTyping(ben, roomId);
  const rows = await testApp.current.database.sql<{ user_id: string }[]>`
    SELECT user_id FROM typing_indicators WHERE room_id = ${roomId}`;
  assert.deepEqual(
    rows.map((row) => row.user_id),
    [ben.userId],
  );
});

test('the Redis keys expire on their own: presence after 90 days, a room’s typing with its last indicator', async () => {
  const prefix = `veza-test:${randomUUID()}:`;
  const store = createRedisPresenceStore(REDIS_URL, prefix);
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  try {
    const now = new Date();
    const userId = randomUUID();
    const roomId = randomUUID();
    await store.set(userId, { status: 'online' }, now, 30_000);
    await store.startTyping(roomId, userId, new Date(now.getTime() + TYPING_TTL_MS), now);
    const presenceTtl = await redis.ttl(`${prefix}presence:${userId}`);
    assert.ok(presenceTtl > 89 * 86_400 && presenceTtl <= 90 * 86_400, `presence TTL ${presenceTtl}`);
    const typingTtl = await redis.pttl(`${prefix}typing:${roomId}`);
    assert.ok(typingTtl > 0 && typingTtl <= TYPING_TTL_MS + 60_000, `typing TTL ${typingTtl}`);
  } finally {
    redis.disconnect();
    await store.close();
  }
});

test('Redis out of reach: a 503 problem (retry later), never a 500', async () => {
  const store = createRedisPresenceStore('redis://127.0.0.1:1', `veza-test:${randomUUID()}:`);
  try {
    await assert.rejects(store.get([randomUUID()]), (error: unknown) => {
      assert.equal((error as { status?: number }).status, 503);
      assert.equal((error as { code?: string }).code, 'SERVICE_UNAVAILABLE');
      return true;
    });
  } finally {
    await store.close();
  }
});
