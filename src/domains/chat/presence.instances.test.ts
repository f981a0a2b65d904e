// Presence across several instances (ADR 0059), on both stores, with instances as the gateways hold them
// (InstancePresence) sharing one store and one clock the test moves: a user connected through two instances stays
// online when one lets go and goes offline, announced once, when the other does; an instance that dies without a
// word leaves nobody online once its leases lapse, and whichever instances sweep, the end is announced once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { createDatabasePresenceStore, createRedisPresenceStore, type PresenceStore } from './presence.repository.ts';
import { createPresenceService, presenceAt, type PresenceService } from './presence.service.ts';

const testApp = useTestApp();
const REDIS_URL = process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMING = { renewEveryMs: 10_000, leaseMs: 30_000 };

const stores: [string, () => PresenceStore][] = [
  ['tables', () => createDatabasePresenceStore(testApp.current.pool.db)],
  ['Redis', () => createRedisPresenceStore(REDIS_URL, `veza-test:${randomUUID()}:`)],
];

async function person(): Promise<Caller> {
  const user = await allFactories.users!(testApp.current.database.sql);
  return { userId: String(user.id), role: 'user' };
}

/** The presence events recorded for the user, oldest first. */
async function announced(userId: string): Promise<{ status: string; last_seen_at: string }[]> {
  const rows = await testApp.current.database.sql<{ payload: { status: string; last_seen_at: string } }[]>`
    SELECT payload FROM chat_events
    WHERE event_type = 'presence' AND scope_type = 'user' AND scope_id = ${userId} ORDER BY seq`;
  return rows.map((row) => row.payload);
}

const statuses = async (userId: string) => (await announced(userId)).map((event) => event.status);

for (const [name, makeStore] of stores) {
  describe(`several instances on the ${name} store`, () => {
    // Ahead of real time: the test app's own gateway sweeps lapsed presences by the real clock, and must find none
    // of these (their last_seen_at is this clock's).
    let clock = Date.parse('2100-03-01T12:00:00.000Z');
    let opened: PresenceStore | undefined;
    after(() => opened?.close());
    // One service per instance, as each process builds its own, all on the one store.
    const services: PresenceService[] = [];
    const instance = () => {
      const store = (opened ??= makeStore());
      const service = createPresenceService(
        testApp.current.pool,
        { redis: { url: undefined } },
        { store, now: () => new Date(clock), timing: TIMING },
      );
      services.push(service);
      return service.forInstance();
    };
    const own = (who: Caller) => services[0]!.own(who);
    /** Every instance given renews with its users, one renewal period later. */
    const period = async (...holding: [ReturnType<typeof instance>, string[]][]) => {
      clock += TIMING.renewEveryMs;
      for (const [gateway, users] of holding) await gateway.renew(users);
    };

    test('connected through A and B: closing A keeps them online, closing B makes them offline, announced once', async () => {
      const [a, b] = [instance(), instance()];
      const ana = await person();
      await a.connected(ana.userId);
      await b.connected(ana.userId);
      assert.deepEqual(await statuses(ana.userId), ['online'], 'the second connection is no news');

      await a.disconnected(ana.userId);
      // A's answer, if it waits (tables), comes after B has renewed: B still holds Ana.
      for (let i = 0; i < 4; i += 1) await period([a, []], [b, [ana.userId]]);
      assert.equal((await own(ana)).status, 'online');
      assert.deepEqual(await statuses(ana.userId), ['online']);

      const closedAt = clock;
      await b.disconnected(ana.userId);
      for (let i = 0; i < 4; i += 1) await period([a, []], [b, []]);
      const gone = await own(ana);
      assert.equal(gone.status, 'offline');
      assert.equal(gone.last_seen_at, new Date(closedAt).toISOString(), 'last seen when the last connection closed');
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline'], 'offline once, though both swept');

      // Lapses long past change nothing more.
      clock += 10 * TIMING.leaseMs;
      await Promise.all([a.renew([]), b.renew([])]);
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline']);
    });

    test('an instance dies: its users read offline at the lapse, and the survivors announce it once', async () => {
      const [doomed, b, c] = [instance(), instance(), instance()];
      const [ana, ben] = [await person(), await person()];
      await doomed.connected(ana.userId);
      await doomed.connected(ben.userId);
      await b.connected(ben.userId);
      await period([doomed, [ana.userId, ben.userId]], [b, [ben.userId]]);
      const lastRenewal = clock;
      // The doomed instance says nothing more. B renews Ben; nobody renews Ana.
      await period([b, [ben.userId]]);
      await period([b, [ben.userId]]);
      clock = lastRenewal + TIMING.leaseMs - 1;
      assert.equal((await own(ana)).status, 'online', 'still within the lease');
      clock = lastRenewal + TIMING.leaseMs;
      const lapsed = await own(ana);
      assert.equal(lapsed.status, 'offline', 'readers apply the lapse before any sweep');
      assert.equal(lapsed.last_seen_at, new Date(lastRenewal + TIMING.leaseMs).toISOString(), 'last seen: the lapse');
      assert.deepEqual(await statuses(ana.userId), ['online'], 'not announced yet');

      // Two survivors sweep at the same time, period after period: one of them announces, once.
      await Promise.all([b.renew([ben.userId]), c.renew([])]);
      for (let i = 0; i < 3; i += 1) {
        clock += TIMING.renewEveryMs;
        await Promise.all([b.renew([ben.userId]), c.renew([])]);
      }
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline']);
      const [, offline] = await announced(ana.userId);
      assert.equal(offline?.last_seen_at, new Date(lastRenewal + TIMING.leaseMs).toISOString());
      assert.equal((await own(ana)).status, 'offline');

      // Ben, also connected through B, never lapsed.
      assert.equal((await own(ben)).status, 'online');
      assert.deepEqual(await statuses(ben.userId), ['online']);
    });

    test('an instance whose renewal came too late takes its lease again: a user swept meanwhile is back online', async () => {
      const [stalled, b] = [instance(), instance()];
      const ana = await person();
      await stalled.connected(ana.userId);
      clock += TIMING.leaseMs + TIMING.renewEveryMs;
      await b.renew([]);
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline'], 'swept while the instance stalled');
      await stalled.renew([ana.userId]);
      assert.equal((await own(ana)).status, 'online');
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline', 'online']);
      // From then on a renewal is a renewal.
      await period([stalled, [ana.userId]], [b, []]);
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline', 'online']);
    });

    test('two instances connecting, or releasing, the same user at once: one event each way', async () => {
      const [a, b] = [instance(), instance()];
      const ana = await person();
      await Promise.all([a.connected(ana.userId), b.connected(ana.userId)]);
      assert.deepEqual(await statuses(ana.userId), ['online']);
      await Promise.all([a.disconnected(ana.userId), b.disconnected(ana.userId)]);
      for (let i = 0; i < 3; i += 1) {
        clock += TIMING.renewEveryMs;
        await Promise.all([a.renew([]), b.renew([])]);
      }
      assert.deepEqual(await statuses(ana.userId), ['online', 'offline']);
    });

    test('a status set over HTTP without any connection lapses like a lease, and is swept once', async () => {
      const b = instance();
      const ana = await person();
      await services[0]!.update(ana, { status: 'busy', custom_status: 'in the studio' });
      const setAt = clock;
      clock += TIMING.leaseMs - 1;
      assert.equal((await own(ana)).status, 'busy');
      clock += 1;
      await b.renew([]);
      const swept = await own(ana);
      assert.equal(swept.status, 'offline');
      assert.equal(swept.custom_status, 'in the studio', 'what they wrote stays');
      assert.equal(swept.last_seen_at, new Date(setAt + TIMING.leaseMs).toISOString());
      assert.deepEqual(await statuses(ana.userId), ['busy', 'offline']);
    });

    test('one renewal of many users (several batches of the store) stamps every one of them', async () => {
      const a = instance();
      const rows = await testApp.current.database.sql<{ id: string }[]>`
        INSERT INTO users (email, username)
        SELECT 'many_' || g || '_' || ${randomUUID()} || '@example.test', 'many_' || substr(md5(random()::text), 1, 12)
        FROM generate_series(1, 450) g RETURNING id`;
      const ids = rows.map((row) => row.id);
      for (let start = 0; start < ids.length; start += 50)
        await Promise.all(ids.slice(start, start + 50).map((id) => a.connected(id)));
      await period([a, ids]);
      const renewed = await opened!.get(ids);
      assert.equal(renewed.size, ids.length);
      assert.deepEqual(
        [...new Set([...renewed.values()].map((state) => state.last_seen_at.getTime()))],
        [clock],
        'every last_seen_at is the renewal',
      );
    });

    test('choosing offline while connected is kept: renewals do not bring the user back nor move last seen', async () => {
      const a = instance();
      const ana = await person();
      await a.connected(ana.userId);
      await services[0]!.update(ana, { status: 'offline' });
      const hiddenAt = clock;
      for (let i = 0; i < 5; i += 1) await period([a, [ana.userId]]);
      const hidden = await own(ana);
      assert.equal(hidden.status, 'offline');
      assert.equal(hidden.last_seen_at, new Date(hiddenAt).toISOString(), 'no renewal shows through');
    });
  });
}

test('the staleness rule: offline stays as it is; anything else lapses a lease after its last sign of life', () => {
  const seen = new Date('2026-03-01T12:00:00.000Z');
  const state = { user_id: randomUUID(), status: 'away' as const, custom_status: null, last_seen_at: seen };
  const at = (ms: number) => presenceAt(state, new Date(seen.getTime() + ms), 30_000);
  assert.equal(at(29_999).status, 'away');
  assert.deepEqual(at(30_000), { ...state, status: 'offline', last_seen_at: new Date(seen.getTime() + 30_000) });
  assert.deepEqual(at(90_000).last_seen_at, new Date(seen.getTime() + 30_000), 'the lapse, not the reading');
  const offline = { ...state, status: 'offline' as const };
  assert.equal(presenceAt(offline, new Date(seen.getTime() + 90_000), 30_000), offline);
});
