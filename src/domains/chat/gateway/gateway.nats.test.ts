// Fan-out through NATS (VEZA_NATS_URL, ADR 0054): the NATS server of this machine, two instances on one database;
// one of them relays the database's notices to per-scope subjects, both receive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageEvent, person, record, roomWith, TestClient, useCluster } from './gateway.test-support.ts';

const NATS_URL = process.env.VEZA_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const cluster = useCluster(2, { VEZA_NATS_URL: NATS_URL });

test('with NATS, an event recorded through either instance reaches clients of both, once, in order', async () => {
  const c = cluster.current;
  const [alice, bob] = [await person(c), await person(c)];
  const room = await roomWith(c, [alice, bob]);
  const onA = await TestClient.signedIn(c.instances[0]!.url, alice);
  const onB = await TestClient.signedIn(c.instances[1]!.url, bob);
  await onA.subscribe(room);
  await onB.subscribe(room);
  const seqs = [
    ...(await record(c.instances[0]!, messageEvent(room, alice.id, 'one'))),
    ...(await record(c.instances[1]!, messageEvent(room, bob.id, 'two'))),
  ];
  for (const client of [onA, onB]) {
    await client.next((f) => f.type === 'event' && f.seq === seqs[1]);
    assert.deepEqual(
      client
        .events()
        .filter((f) => f.room_id === room)
        .map((f) => f.seq),
      seqs,
    );
  }
  await Promise.all([onA.close(), onB.close()]);
});
