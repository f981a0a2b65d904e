// Presence through the gateway with two app instances on one database (ADR 0059), on the tables and on Redis
// (a key prefix of its own per run): a user connected through both stays online when one socket closes and goes
// offline, announced once, when the other does; an instance that shuts down tells nobody, and its users go
// offline once their leases lapse, announced once by the survivor. Short renewal periods come from the config.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { person, TestClient, useCluster, type Cluster, type Instance, type Person } from './gateway.test-support.ts';

const RENEW_MS = 200;
const LEASE_MS = 1_000;
const timing = { VEZA_CHAT_PRESENCE_RENEW_MS: String(RENEW_MS), VEZA_CHAT_PRESENCE_LEASE_MS: String(LEASE_MS) };
/**
 * For what must NOT happen there is no event to wait for: long enough for a release to be answered (the tables
 * wait a renewal period and a half, then the next tick) and for a lease to lapse, with a tick to spare.
 */
const SETTLE_MS = LEASE_MS + 3 * RENEW_MS;

function redisUrl(): string {
  const url = new URL(process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  // ioredis's keyPrefix: every key of these instances, and only theirs, under a prefix of this run.
  url.searchParams.set('keyPrefix', `veza-test:${randomUUID()}:`);
  return url.toString();
}

async function presenceOf(instance: Instance, who: Person): Promise<{ status: string; last_seen_at: string }> {
  const answer = await instance.app.inject({
    method: 'GET',
    url: '/v1/me/presence',
    headers: { authorization: `Bearer ${who.token}` },
  });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json();
}

/** The presence events recorded for the user (their own scope), oldest first. */
async function announced(c: Cluster, userId: string): Promise<{ status: string; last_seen_at: string }[]> {
  const rows = await c.database.sql<{ payload: { status: string; last_seen_at: string } }[]>`
    SELECT payload FROM chat_events
    WHERE event_type = 'presence' AND scope_type = 'user' AND scope_id = ${userId} ORDER BY seq`;
  return rows.map((row) => row.payload);
}

const statuses = async (c: Cluster, userId: string) => (await announced(c, userId)).map((event) => event.status);

/** Polls until `done` holds of what `probe` answers (a state reached, not a time waited for). */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await pause(50);
  }
}

for (const [name, env] of [
  ['tables', timing],
  ['Redis', { ...timing, VEZA_REDIS_URL: redisUrl() }],
] as const) {
  describe(`presence across two instances, on the ${name}`, () => {
    const cluster = useCluster(2, env);

    test('connected through A and B: closing A keeps the user online; closing B makes them offline, once', async () => {
      const c = cluster.current;
      const [a, b] = c.instances as [Instance, Instance];
      const alice = await person(c);
      const onA = await TestClient.signedIn(a.url, alice);
      const onB = await TestClient.signedIn(b.url, alice);
      await eventually(
        () => presenceOf(b, alice),
        (p) => p.status === 'online',
        'Alice online',
      );

      await onA.close();
      await pause(SETTLE_MS);
      assert.equal((await presenceOf(a, alice)).status, 'online', 'B still holds her');
      assert.deepEqual(await statuses(c, alice.id), ['online']);
      const heardByB = onB
        .events()
        .filter((frame) => frame.event === 'presence')
        .map((frame) => (frame.payload as { status: string }).status);
      assert.ok(!heardByB.includes('offline'), `her other device heard ${heardByB.join(', ')}`);

      await onB.close();
      await eventually(
        () => statuses(c, alice.id),
        (all) => all.includes('offline'),
        'Alice announced offline',
      );
      await pause(SETTLE_MS);
      assert.deepEqual(await statuses(c, alice.id), ['online', 'offline'], 'announced once');
      assert.equal((await presenceOf(a, alice)).status, 'offline');
    });

    test('an instance shuts down: its user goes offline at the lapse, announced once by the other', async () => {
      const c = cluster.current;
      // The last test of this describe: instance A stays down.
      const [a, b] = c.instances as [Instance, Instance];
      const bob = await person(c);
      const connectedAt = Date.now();
      const onA = await TestClient.signedIn(a.url, bob);
      await eventually(
        () => presenceOf(b, bob),
        (p) => p.status === 'online',
        'Bob online',
      );

      await c.stop(a);
      const stoppedAt = Date.now();
      assert.equal(await onA.closed, 1001, 'told to reconnect elsewhere, not that Bob left');

      await eventually(
        () => statuses(c, bob.id),
        (all) => all.includes('offline'),
        'Bob announced offline',
      );
      await pause(2 * RENEW_MS);
      const events = await announced(c, bob.id);
      assert.deepEqual(
        events.map((event) => event.status),
        ['online', 'offline'],
        'announced once',
      );
      // Last seen: the lapse, a lease after A's last renewal (which came between the connection and the stop).
      const lapse = Date.parse(events[1]!.last_seen_at);
      assert.ok(lapse >= connectedAt + LEASE_MS && lapse <= stoppedAt + LEASE_MS, `lapse ${events[1]!.last_seen_at}`);
      const read = await presenceOf(b, bob);
      assert.equal(read.status, 'offline');
      assert.equal(Date.parse(read.last_seen_at), lapse);
    });
  });
}
