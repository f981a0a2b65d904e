// Several devices of one user writing the queue at once (issue 13 §5, ADR 0050): with one ETag exactly one write
// applies and the others get 412; without If-Match every write applies, one after the other, and positions stay
// unique and 0..n-1 whatever the interleaving. Real parallel requests, not assumed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import {
  newListener,
  newTracks,
  positions,
  queueClient,
  range,
  storedQueue,
  type Answer,
} from './queue.test-support.ts';

const testApp = useTestApp();

const statuses = (answers: Answer[]) => answers.map((answer) => answer.statusCode).sort((x, y) => x - y);

/** The stored queue is consistent: one row, positions 0..n-1, the answer's order. */
async function assertConsistent(userId: string, expectedItems: number) {
  const stored = await storedQueue(testApp.current, userId);
  assert.equal(stored.queues, 1, 'one queue row');
  assert.deepEqual(
    stored.items.map((item) => item.position),
    range(expectedItems),
    'positions unique and gap-free',
  );
  return stored;
}

test('two devices, one ETag: five parallel changes of the state, exactly one applies, the others get 412', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a] = await newTracks(testApp.current, 1);
  const { etag } = await client.put({ track_ids: [a] });
  const volumes = [11, 22, 33, 44, 55];
  const answers = await Promise.all(volumes.map((volume) => client.patch({ volume }, etag)));
  assert.deepEqual(statuses(answers), [200, 412, 412, 412, 412]);
  const winner = answers.find((answer) => answer.statusCode === 200);
  const now = await client.get();
  assert.equal(now.queue.volume, winner?.queue.volume, 'the state is the winner’s');
  assert.equal(now.etag, winner?.etag);
  for (const loser of answers.filter((answer) => answer.statusCode === 412))
    assert.equal(loser.body.code, 'PRECONDITION_FAILED');
});

/**
 * Runs `writes` while another transaction holds the user's queue row locked, and lets it go once every write is
 * waiting for a lock: all of them have started before any can finish, whatever the machine's speed, so that a
 * check done before taking the row lock (the bug this guards against) would let several of them apply.
 */
async function allAtOnce(userId: string, writes: (() => Promise<Answer>)[]): Promise<Answer[]> {
  const { sql } = testApp.current.database;
  let pending: Promise<Answer[]> | undefined;
  await sql.begin(async (tx) => {
    await tx`SELECT 1 FROM queues WHERE user_id = ${userId} FOR UPDATE`;
    pending = Promise.all(writes.map((write) => write()));
    for (let attempt = 0; ; attempt += 1) {
      const [{ waiting } = { waiting: 0 }] = await sql<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      if (waiting >= writes.length) break;
      assert.ok(attempt < 1000, `only ${waiting} of ${writes.length} writes reached the queue's lock`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  return pending ?? [];
}

test('two devices, one ETag, all reading at once behind a held lock: exactly one write applies', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b] = await newTracks(testApp.current, 2);
  const base = await client.put({ track_ids: [a, b] });
  const etag = base.etag;
  // The test app's pool has 4 connections: 4 writes can wait on the lock together.
  const answers = await allAtOnce(me.id, [
    () => client.patch({ volume: 7 }, etag),
    () => client.patch({ volume: 8 }, etag),
    () => client.add({ track_ids: [a] }, etag),
    () => client.move(base.queue.items[1]?.id ?? '', 0, etag),
  ]);
  assert.deepEqual(statuses(answers), [200, 412, 412, 412]);
  const now = await client.get();
  assert.deepEqual(now.queue, answers.find((answer) => answer.statusCode === 200)?.queue);

  // Without If-Match, the same four all apply, one after the other.
  const free = await allAtOnce(me.id, [
    () => client.add({ track_ids: [b] }),
    () => client.add({ track_ids: [a], mode: 'at', position: 0 }),
    () => client.move(base.queue.items[0]?.id ?? '', 0),
    () => client.patch({ volume: 9 }),
  ]);
  assert.deepEqual(statuses(free), [200, 200, 200, 200]);
  await assertConsistent(me.id, now.queue.item_count + 2);
});

test('one ETag, different kinds of writes at once (add, move, remove, replace, clear): exactly one applies', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const tracks = await newTracks(testApp.current, 4);
  const base = await client.put({ track_ids: tracks });
  const [first, second] = base.queue.items;
  const etag = base.etag;
  const answers = await Promise.all([
    client.add({ track_ids: [tracks[0]], mode: 'at', position: 1 }, etag),
    client.move(first?.id ?? '', 3, etag),
    client.remove(second?.id ?? '', etag),
    client.put({ track_ids: [tracks[3]] }, etag),
    client.clear(etag),
    client.patch({ shuffle: true }, etag),
  ]);
  assert.deepEqual(statuses(answers), [200, 412, 412, 412, 412, 412]);
  const winner = answers.find((answer) => answer.statusCode === 200);
  const now = await client.get();
  assert.deepEqual(now.queue, winner?.queue, 'the queue is what the winner answered');
  await assertConsistent(me.id, now.queue.item_count);
});

test('the first writes of two devices on a queue that does not exist yet: one row, every write applied', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const tracks = await newTracks(testApp.current, 8);
  const answers = await Promise.all(tracks.map((track) => client.add({ track_ids: [track] })));
  assert.deepEqual(statuses(answers), Array(8).fill(200));
  const now = await client.get();
  assert.deepEqual([...now.queue.items.map((item) => item.track_id)].sort(), [...tracks].sort(), 'no add lost');
  await assertConsistent(me.id, 8);
});

test('the first writes on a queue that does not exist yet, all based on its ETag: exactly one applies', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const tracks = await newTracks(testApp.current, 5);
  const { etag } = await client.get();
  const answers = await Promise.all(tracks.map((track) => client.add({ track_ids: [track] }, etag)));
  assert.deepEqual(statuses(answers), [200, 412, 412, 412, 412]);
  await assertConsistent(me.id, 1);
});

test('twenty parallel moves without If-Match: all apply in some order, positions stay 0..n-1, no item lost', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const tracks = await newTracks(testApp.current, 10);
  const base = await client.put({ track_ids: tracks });
  const ids = base.queue.items.map((item) => item.id);
  // Each item moves twice, to spread targets over the whole queue (deterministic, no randomness).
  const moves = range(20).map((i) => ({ id: ids[i % 10] ?? '', to: (i * 7 + 3) % 10 }));
  const answers = await Promise.all(moves.map((move) => client.move(move.id, move.to)));
  assert.deepEqual(statuses(answers), Array(20).fill(200));
  for (const answer of answers) assert.deepEqual(positions(answer.queue), range(10), 'every answer is consistent');
  const stored = await assertConsistent(me.id, 10);
  assert.deepEqual(stored.items.map((item) => item.id).sort(), [...ids].sort(), 'the same items, each once');
  // The versions went up by one per move that changed something, never skipping a write's effect.
  const versions = new Set(answers.map((answer) => answer.etag));
  assert.ok(versions.size >= 2, 'the moves took effect one after the other');
});

test('parallel adds, removes and moves without If-Match: the count adds up and positions stay 0..n-1', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const tracks = await newTracks(testApp.current, 12);
  const base = await client.put({ track_ids: tracks.slice(0, 8) });
  const ids = base.queue.items.map((item) => item.id);
  // Every target position stays valid in any interleaving: the queue never holds fewer than
  // 8 - 3 = 5 items, so positions 0..4 always exist (a move past the end is refused by design).
  const answers = await Promise.all([
    client.add({ track_ids: [tracks[8], tracks[9]], mode: 'at', position: 2 }),
    client.remove(ids[0] ?? ''),
    client.move(ids[7] ?? '', 0),
    client.add({ track_ids: [tracks[10]], mode: 'next' }),
    client.remove(ids[3] ?? ''),
    client.move(ids[5] ?? '', 4),
    client.add({ track_ids: [tracks[11]] }),
    client.remove(ids[6] ?? ''),
    client.move(ids[1] ?? '', 3),
  ]);
  assert.deepEqual(statuses(answers), Array(9).fill(200), answers.map((answer) => answer.body?.code).join());
  const stored = await assertConsistent(me.id, 8 + 4 - 3);
  const left = new Set(stored.items.map((item) => item.id));
  for (const removed of [ids[0], ids[3], ids[6]]) assert.ok(!left.has(removed ?? ''));
  for (const kept of [ids[1], ids[2], ids[4], ids[5], ids[7]]) assert.ok(left.has(kept ?? ''));
});
