// A database that stops answering for a while (every pooled connection busy, a lock, a failover) costs neither a
// connection nor an event: the periodic re-check skips its turn, a frame gets a retryable error, and the events
// whose reads failed are read again before any later one is delivered (ADR 0054, bench finding of issue 14).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import {
  messageEvent,
  person,
  record,
  roomWith,
  TestClient,
  useCluster,
  type Instance,
} from './gateway.test-support.ts';

const POOL_SIZE = 2;
// Re-checks every ~100 ms, and a pool that gives up waiting for a connection after 500 ms.
const cluster = useCluster(2, { VEZA_CHAT_WS_ACCOUNT_CHECK_MS: '100' }, { poolSize: POOL_SIZE, connectTimeoutMs: 500 });

/** Holds every connection of the instance's pool until the returned function is called. */
async function stall(instance: Instance): Promise<() => void> {
  const held: pg.PoolClient[] = [];
  for (let i = 0; i < POOL_SIZE; i += 1) held.push(await instance.pool.pg.connect());
  return () => {
    for (const client of held) client.release();
  };
}

const contents = (client: TestClient, roomId: string) =>
  client
    .events()
    .filter((f) => f.room_id === roomId)
    .map((f) => (f.payload as { message: { content: string } }).message.content);

test('a stalled pool closes no socket and loses no event, and later events come after the lost ones', async () => {
  const c = cluster.current;
  const [writer, reader] = [c.instances[0]!, c.instances[1]!];
  const [owner, member] = [await person(c), await person(c)];
  const room = await roomWith(c, [owner, member]);
  const client = await TestClient.signedIn(reader.url, member);
  await client.subscribe(room);

  const release = await stall(reader);
  try {
    await record(writer, messageEvent(room, owner.id, 'during 1'));
    await record(writer, messageEvent(room, owner.id, 'during 2'));
    // Long enough for several failed re-checks and for the reads of both notices to fail.
    await sleep(2_000);
    assert.equal(client.closeCode, undefined, 'the socket is still open');
    assert.deepEqual(contents(client, room), [], 'nothing could be read meanwhile');

    // A frame that needs the database gets a retryable error, and the connection stays.
    const from = client.frames.length;
    client.send({ type: 'subscribe', room_id: room });
    const refused = await client.next((f) => f.type === 'error', from);
    assert.equal(refused.code, 'TEMPORARILY_UNAVAILABLE');
  } finally {
    release();
  }

  await record(writer, messageEvent(room, owner.id, 'after'));
  await client.until(() => contents(client, room).includes('after'), 'the message sent after the stall');
  assert.deepEqual(contents(client, room), ['during 1', 'during 2', 'after']);
  assert.equal(client.closeCode, undefined);
  await client.close();
});

test('a client that signs in while the database does not answer is told to come back (1013), not refused', async () => {
  const c = cluster.current;
  const reader = c.instances[1]!;
  const member = await person(c);
  const release = await stall(reader);
  let client: TestClient;
  try {
    client = await TestClient.open(reader.url);
    client.send({ type: 'auth', token: member.token });
    assert.equal(await client.closed, 1013);
  } finally {
    release();
  }
  const again = await TestClient.signedIn(reader.url, member);
  assert.equal(again.closeCode, undefined);
  await again.close();
});
