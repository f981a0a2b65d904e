// The play queue (issue 13 §5, ADR 0050): state and items, positions 0..n-1, the ETag moving with every change,
// unavailable tracks kept in place, and bad input refused with nothing written.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { MAX_QUEUE_ITEMS } from './queue.schemas.ts';
import { createQueueService } from './queue.service.ts';
import {
  newListener,
  newTrack,
  newTracks,
  positions,
  queueClient,
  range,
  storedQueue,
  trackOrder,
} from './queue.test-support.ts';

const testApp = useTestApp();

test('a queue nobody wrote reads as empty with default settings, and reading it writes nothing', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const first = await client.get();
  assert.equal(first.statusCode, 200);
  assert.deepEqual(first.queue, {
    current_track_id: null,
    current_track_available: false,
    current_position: 0,
    is_playing: false,
    shuffle: false,
    repeat_mode: 'off',
    volume: 100,
    updated_at: null,
    item_count: 0,
    max_items: MAX_QUEUE_ITEMS,
    items: [],
  });
  assert.match(first.etag ?? '', /^"[\w-]+"$/);
  assert.equal((await client.get()).etag, first.etag, 'the ETag is stable while nothing changes');
  assert.equal((await storedQueue(testApp.current, me.id)).queues, 0, 'no row until the first write');
});

test('adding, playing next, inserting, moving, removing and clearing keep positions 0..n-1', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b, c, d, e, f] = await newTracks(testApp.current, 6);

  let answer = await client.add({ track_ids: [a, b, c] });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.deepEqual(trackOrder(answer.queue), [a, b, c]);
  assert.deepEqual(positions(answer.queue), [0, 1, 2]);
  assert.equal(answer.queue.items[0]?.track?.duration_seconds, 215);
  assert.equal(answer.queue.items[0]?.available, true);

  answer = await client.patch({ current_track_id: b, is_playing: true });
  assert.equal(answer.statusCode, 200, answer.body);
  answer = await client.add({ track_ids: [d], mode: 'next' });
  assert.deepEqual(trackOrder(answer.queue), [a, b, d, c], '`next` goes right after the current track');
  answer = await client.add({ track_ids: [e, f], mode: 'at', position: 0 });
  assert.deepEqual(trackOrder(answer.queue), [e, f, a, b, d, c]);
  answer = await client.add({ track_ids: [a], mode: 'at', position: 6 });
  assert.deepEqual(trackOrder(answer.queue), [e, f, a, b, d, c, a], 'at the end, and a track may repeat');

  const itemOf = (index: number) => answer.queue.items[index]?.id ?? '';
  answer = await client.move(itemOf(0), 6);
  assert.deepEqual(trackOrder(answer.queue), [f, a, b, d, c, a, e]);
  answer = await client.move(itemOf(4), 1);
  assert.deepEqual(trackOrder(answer.queue), [f, c, a, b, d, a, e]);
  answer = await client.remove(itemOf(0));
  assert.deepEqual(trackOrder(answer.queue), [c, a, b, d, a, e]);
  assert.deepEqual(positions(answer.queue), range(6));
  assert.equal(answer.queue.item_count, 6);

  const stored = await storedQueue(testApp.current, me.id);
  assert.deepEqual(
    stored.items.map((item) => item.position),
    range(6),
    'stored positions are the answer’s',
  );
  assert.deepEqual(
    stored.items.map((item) => item.id),
    answer.queue.items.map((item) => item.id),
  );

  const read = await client.get();
  assert.deepEqual(read.queue, answer.queue, 'a read answers what the last write answered');
  assert.equal(read.etag, answer.etag);

  answer = await client.clear();
  assert.deepEqual(answer.queue.items, []);
  assert.equal(answer.queue.current_track_id, b, 'clearing keeps what plays now');
  assert.equal(answer.queue.is_playing, true);
});

test('the state: only the fields sent change, a new current track starts at 0, the position stays within it', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const short = await newTrack(testApp.current, { duration: 90 });
  const long = await newTrack(testApp.current, { duration: 600 });

  let answer = await client.patch({ current_track_id: long, current_position: 300, volume: 40, repeat_mode: 'queue' });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.equal(answer.queue.current_track_available, true, 'a current track need not be in the queue');
  assert.equal(answer.queue.current_position, 300);
  answer = await client.patch({ shuffle: true });
  assert.deepEqual(
    [answer.queue.current_position, answer.queue.volume, answer.queue.repeat_mode, answer.queue.shuffle],
    [300, 40, 'queue', true],
  );
  answer = await client.patch({ current_track_id: short });
  assert.equal(answer.queue.current_position, 0, 'another track starts at its beginning');
  answer = await client.patch({ current_track_id: short, current_position: 90 });
  assert.equal(answer.queue.current_position, 90, 'the end of the track is a position');
  answer = await client.patch({ current_track_id: null });
  assert.equal(answer.queue.current_track_id, null);
  assert.equal(answer.queue.current_position, 0);
});

test('every change moves the ETag; a write that changes nothing keeps it; If-Match * always matches', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b] = await newTracks(testApp.current, 2);
  const seen = new Set<string>();
  const remember = (answer: { statusCode: number; etag: string | undefined; body: unknown }) => {
    assert.equal(answer.statusCode, 200, JSON.stringify(answer.body));
    assert.ok(answer.etag && !seen.has(answer.etag), `a new ETag after each change (${answer.etag})`);
    seen.add(answer.etag);
    return answer.etag;
  };
  remember(await client.get());
  let etag = remember(await client.add({ track_ids: [a, b] }, '*'));
  etag = remember(await client.patch({ volume: 55 }, etag));
  const unchanged = await client.patch({ volume: 55 }, etag);
  assert.equal(unchanged.etag, etag, 'the same volume again is no change');
  const items = (await client.get()).queue.items;
  etag = remember(await client.move(items[1]?.id ?? '', 0, etag));
  const sameplace = await client.move(items[1]?.id ?? '', 0, etag);
  assert.equal(sameplace.etag, etag, 'a move to where the item already is changes nothing');
  etag = remember(await client.patch({ is_playing: true }, etag));
  etag = remember(await client.remove(items[0]?.id ?? '', etag));
  etag = remember(await client.put({ track_ids: [b, a, b], current_track_id: a, current_position: 12 }, etag));
  remember(await client.clear(etag));
  const stale = await client.patch({ volume: 1 }, [...seen][1]);
  assert.equal(stale.statusCode, 412);
  assert.equal(stale.body.code, 'PRECONDITION_FAILED');
  assert.equal(stale.body.errors[0].field, 'headers.if-match');
});

test('PUT replaces items, current track and position, and keeps the settings it is not sent', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b, c] = await newTracks(testApp.current, 3);
  await client.put({ track_ids: [a, b], current_track_id: a, current_position: 30, volume: 20, shuffle: true });
  const before = (await client.get()).queue;
  const answer = await client.put({ track_ids: [c, a], current_track_id: c });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.deepEqual(trackOrder(answer.queue), [c, a]);
  assert.equal(answer.queue.current_track_id, c);
  assert.equal(answer.queue.current_position, 0);
  assert.equal(answer.queue.volume, 20);
  assert.equal(answer.queue.shuffle, true);
  assert.ok(
    answer.queue.items.every((item) => !before.items.some((old) => old.id === item.id)),
    'replaced items get new ids',
  );
  const emptied = await client.put({ track_ids: [] });
  assert.deepEqual(emptied.queue.items, []);
  assert.equal(emptied.queue.current_track_id, null);
});

test('the service methods for the OpenSubsonic API save and read the same queue without HTTP', async () => {
  const me = await newListener(testApp.current);
  const [a, b] = await newTracks(testApp.current, 2);
  const service = createQueueService(testApp.current.pool);
  const caller = { userId: me.id, role: 'user' as const };
  await queueClient(testApp.current, me).patch({ volume: 33 });
  const saved = await service.savePlayQueue(caller, { track_ids: [a, b, a], current_track_id: b, current_position: 7 });
  assert.deepEqual(trackOrder(saved.queue), [a, b, a]);
  const read = await service.getPlayQueue(caller);
  assert.deepEqual(read, saved);
  assert.equal(read.queue.volume, 33, 'a player’s save keeps the volume set elsewhere');
  assert.equal((await queueClient(testApp.current, me).get()).etag, read.etag, 'the same ETag as over HTTP');
  await assert.rejects(service.savePlayQueue(caller, { track_ids: [randomUUID()] }), { code: 'TRACK_NOT_FOUND' });
});

test('tracks that become unavailable stay in place, without their details, and can be removed', async () => {
  const me = await newListener(testApp.current);
  const creator = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, c] = await newTracks(testApp.current, 2);
  const b = await newTrack(testApp.current, { creator_id: creator.id });
  const mine = await newTrack(testApp.current, { creator_id: me.id, visibility: 'private', published: false });
  let answer = await client.put({ track_ids: [a, b, c, mine], current_track_id: b, current_position: 10 });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.equal(answer.queue.items[3]?.available, true, 'my own private draft plays for me');
  const etag = answer.etag;

  const { sql } = testApp.current.database;
  await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${b}`;
  await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${c}`;
  answer = await client.get();
  assert.deepEqual(trackOrder(answer.queue), [a, b, c, mine]);
  assert.deepEqual(positions(answer.queue), [0, 1, 2, 3]);
  assert.deepEqual(
    answer.queue.items.map((item) => [item.available, item.track === null]),
    [
      [true, false],
      [false, true],
      [false, true],
      [true, false],
    ],
  );
  assert.equal(answer.queue.current_track_id, b);
  assert.equal(answer.queue.current_track_available, false);
  assert.equal(answer.etag, etag, 'the queue itself did not change');

  // The device can still report its position on the current track, pause, and remove the unavailable item.
  const paused = await client.patch({ current_position: 11, is_playing: false }, etag);
  assert.equal(paused.statusCode, 200, paused.body);
  const removed = await client.remove(answer.queue.items[2]?.id ?? '', paused.etag);
  assert.equal(removed.statusCode, 200, removed.body);
  assert.deepEqual(trackOrder(removed.queue), [a, b, mine]);
  // …but not make an unavailable track current again, nor add it.
  const back = await client.patch({ current_track_id: c });
  assert.equal(back.statusCode, 404);
  assert.equal(back.body.errors[0].field, 'body.current_track_id');
});

test('a track row deleted for good (cascade) changes the ETag, and positions stay 0..n-1', async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b, c] = await newTracks(testApp.current, 3);
  const before = await client.put({ track_ids: [a, b, c, b], current_track_id: b });
  const { sql } = testApp.current.database;
  await sql`DELETE FROM tracks WHERE id = ${b}`;
  const after = await client.get();
  assert.notEqual(after.etag, before.etag);
  assert.deepEqual(trackOrder(after.queue), [a, c]);
  assert.deepEqual(positions(after.queue), [0, 1]);
  assert.equal(after.queue.current_track_id, null, 'ON DELETE SET NULL');
  const stale = await client.patch({ volume: 10 }, before.etag);
  assert.equal(stale.statusCode, 412, 'a device that did not see the deletion must read again');
  const moved = await client.move(after.queue.items[1]?.id ?? '', 0, after.etag);
  assert.deepEqual(trackOrder(moved.queue), [c, a]);
  assert.deepEqual(
    (await storedQueue(testApp.current, me.id)).items.map((item) => item.position),
    [0, 1],
    'the next write stores compact positions again',
  );
});

interface Expected {
  status: number;
  code: string;
  field?: string;
  rule?: string;
}

/** A refused write must leave the queue exactly as it was: rows, version, ETag. */
async function unchangedBy(
  me: { id: string; authorization: string },
  attempt: () => Promise<{ statusCode: number; body: { code?: string; errors?: { field: string; rule: string }[] } }>,
  expected: Expected,
) {
  const client = queueClient(testApp.current, me);
  const before = { answer: await client.get(), stored: await storedQueue(testApp.current, me.id) };
  const answer = await attempt();
  assert.equal(answer.statusCode, expected.status, JSON.stringify(answer.body));
  assert.equal(answer.body.code, expected.code);
  assert.equal(answer.body.errors?.[0]?.field, expected.field, JSON.stringify(answer.body));
  if (expected.rule) assert.equal(answer.body.errors?.[0]?.rule, expected.rule);
  const after = { answer: await client.get(), stored: await storedQueue(testApp.current, me.id) };
  assert.deepEqual(after.stored, before.stored, 'nothing written');
  assert.equal(after.answer.etag, before.answer.etag);
}

test('bad input is a 4xx naming the field and rule, and writes nothing', async (t) => {
  const me = await newListener(testApp.current);
  const stranger = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b] = await newTracks(testApp.current, 2);
  const short = await newTrack(testApp.current, { duration: 60 });
  const othersPrivate = await newTrack(testApp.current, { creator_id: stranger.id, visibility: 'private' });
  const othersDraft = await newTrack(testApp.current, { creator_id: stranger.id, published: false });
  const deleted = await newTrack(testApp.current, { deleted: true });
  const seeded = await client.put({ track_ids: [a, b], current_track_id: short, current_position: 5 });
  assert.equal(seeded.statusCode, 200, seeded.body);
  const item = seeded.queue.items[0]?.id ?? '';

  const cases: [string, () => ReturnType<typeof client.get>, Expected][] = [
    [
      'move to -1',
      () => client.move(item, -1),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'minimum' },
    ],
    [
      'move past the end',
      () => client.move(item, 2),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'maximum' },
    ],
    [
      'move as text',
      () => client.move(item, '1'),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'type' },
    ],
    [
      'insert past the end',
      () => client.add({ track_ids: [a], mode: 'at', position: 3 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'maximum' },
    ],
    [
      'insert at -1',
      () => client.add({ track_ids: [a], mode: 'at', position: -1 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'minimum' },
    ],
    [
      'at without position',
      () => client.add({ track_ids: [a], mode: 'at' }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'required' },
    ],
    [
      'position without at',
      () => client.add({ track_ids: [a], position: 0 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.position', rule: 'mode' },
    ],
    [
      'no tracks',
      () => client.add({ track_ids: [] }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.track_ids', rule: 'minItems' },
    ],
    [
      'not a uuid',
      () => client.add({ track_ids: ['x'] }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.track_ids.0', rule: 'format' },
    ],
    [
      'unknown field',
      () => client.add({ track_ids: [a], shuffle: true }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.shuffle', rule: 'additionalProperties' },
    ],
    [
      'unknown track',
      () => client.add({ track_ids: [a, randomUUID()] }),
      { status: 404, code: 'TRACK_NOT_FOUND', field: 'body.track_ids.1', rule: 'playable' },
    ],
    [
      'someone else’s private track',
      () => client.add({ track_ids: [othersPrivate] }),
      { status: 404, code: 'TRACK_NOT_FOUND', field: 'body.track_ids.0' },
    ],
    [
      'someone else’s draft',
      () => client.put({ track_ids: [a, othersDraft] }),
      { status: 404, code: 'TRACK_NOT_FOUND', field: 'body.track_ids.1' },
    ],
    [
      'a deleted track',
      () => client.add({ track_ids: [deleted], mode: 'next' }),
      { status: 404, code: 'TRACK_NOT_FOUND', field: 'body.track_ids.0' },
    ],
    [
      'someone else’s private track as current',
      () => client.patch({ current_track_id: othersPrivate }),
      { status: 404, code: 'TRACK_NOT_FOUND', field: 'body.current_track_id' },
    ],
    [
      'volume 101',
      () => client.patch({ volume: 101 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.volume', rule: 'maximum' },
    ],
    [
      'volume -1',
      () => client.patch({ volume: -1 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.volume', rule: 'minimum' },
    ],
    [
      'repeat all',
      () => client.patch({ repeat_mode: 'all' }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.repeat_mode' },
    ],
    [
      'empty patch',
      () => client.patch({}),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body', rule: 'minProperties' },
    ],
    [
      'position past the track',
      () => client.patch({ current_position: 61 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.current_position', rule: 'maximum' },
    ],
    [
      'position past the new track',
      () => client.put({ track_ids: [a], current_track_id: short, current_position: 200 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.current_position', rule: 'maximum' },
    ],
    [
      'position without a track',
      () => client.put({ track_ids: [a], current_position: 3 }),
      { status: 400, code: 'VALIDATION_FAILED', field: 'body.current_position', rule: 'maximum' },
    ],
    ['unknown item', () => client.remove(randomUUID()), { status: 404, code: 'QUEUE_ITEM_NOT_FOUND' }],
    [
      'stale If-Match',
      () => client.patch({ volume: 3 }, '"stale"'),
      { status: 412, code: 'PRECONDITION_FAILED', field: 'headers.if-match' },
    ],
    [
      'weak If-Match',
      () => client.patch({ volume: 3 }, `W/${seeded.etag}`),
      { status: 412, code: 'PRECONDITION_FAILED', field: 'headers.if-match' },
    ],
  ];
  for (const [name, attempt, expected] of cases) await t.test(name, () => unchangedBy(me, attempt, expected));
});

test(`a queue holds at most ${MAX_QUEUE_ITEMS} items: one more is a 409 QUEUE_FULL, and nothing is added`, async () => {
  const me = await newListener(testApp.current);
  const client = queueClient(testApp.current, me);
  const [a, b] = await newTracks(testApp.current, 2);
  const full = await client.put({ track_ids: Array.from({ length: MAX_QUEUE_ITEMS }, (_, i) => (i % 2 ? a : b)) });
  assert.equal(full.statusCode, 200, full.body);
  assert.equal(full.queue.item_count, MAX_QUEUE_ITEMS);
  assert.deepEqual(positions(full.queue), range(MAX_QUEUE_ITEMS));
  await unchangedBy(me, () => client.add({ track_ids: [a], mode: 'next' }), {
    status: 409,
    code: 'QUEUE_FULL',
    field: 'body.track_ids',
    rule: 'maxItems',
  });
  const tooMany = await client.put({ track_ids: Array.from({ length: MAX_QUEUE_ITEMS + 1 }, () => a) });
  assert.equal(tooMany.statusCode, 400);
  assert.equal(tooMany.body.errors[0].field, 'body.track_ids');
  const last = full.queue.items[MAX_QUEUE_ITEMS - 1]?.id ?? '';
  const moved = await client.move(last, 0, full.etag);
  assert.equal(moved.statusCode, 200, moved.body);
  assert.deepEqual(positions(moved.queue), range(MAX_QUEUE_ITEMS));
  assert.equal(moved.queue.items[0]?.id, last);
});
