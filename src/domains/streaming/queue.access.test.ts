// Who may call each route of the queue (issue 13: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag `queue`), so a route added later is covered without touching this file. Every queue route is
// under /v1/me: an anonymous caller gets 401 from each, and another signed-in user only ever reads and changes
// their own queue — an item id of someone else's queue is a 404, exactly like an id that never existed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { newListener, newTrack, queueClient, storedQueue, type Listener } from './queue.test-support.ts';

const testApp = useTestApp();

const queueRoutes = () => documentedRoutes(testApp.current.app, 'queue');

/** The owner's queue: two items, a current track, settings; and a public track anyone may queue. */
async function ownersWorld() {
  const owner = await newListener(testApp.current);
  const [first, second, open] = [
    await newTrack(testApp.current),
    await newTrack(testApp.current, { creator_id: owner.id, visibility: 'private' }),
    await newTrack(testApp.current),
  ];
  const made = await queueClient(testApp.current, owner).put({
    track_ids: [first, second],
    current_track_id: second,
    current_position: 42,
    volume: 64,
  });
  assert.equal(made.statusCode, 200, made.body);
  return { owner, itemId: made.queue.items[0]?.id ?? '', openTrack: open };
}

/** A request that would succeed on the caller's own queue: valid bodies, the owner's item id where one is named. */
function requestFor(route: DocumentedRoute, itemId: string, trackId: string, authorization: string | undefined) {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const bodies: Record<string, unknown> = {
    'PATCH /v1/me/queue': { volume: 5, current_track_id: trackId },
    'PUT /v1/me/queue': { track_ids: [trackId] },
    'POST /v1/me/queue/items': { track_ids: [trackId] },
    'PATCH /v1/me/queue/items/{id}': { position: 0 },
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', itemId),
    headers,
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  };
}

const ownerState = async (owner: Listener) => ({
  stored: await storedQueue(testApp.current, owner.id),
  answer: await queueClient(testApp.current, owner).get(),
});

test('every queue route is documented as needing a bearer token, and they are the ones designed', async () => {
  const routes = await queueRoutes();
  assert.deepEqual(routes.map((r) => r.key).sort(), [
    'DELETE /v1/me/queue/items',
    'DELETE /v1/me/queue/items/{id}',
    'GET /v1/me/queue',
    'HEAD /v1/me/queue',
    'PATCH /v1/me/queue',
    'PATCH /v1/me/queue/items/{id}',
    'POST /v1/me/queue/items',
    'PUT /v1/me/queue',
  ]);
  assert.deepEqual(
    routes.filter((r) => !r.secured).map((r) => r.key),
    [],
  );
});

test('an anonymous caller gets 401 from every queue route, and nothing changes', async () => {
  const world = await ownersWorld();
  const before = await ownerState(world.owner);
  for (const route of await queueRoutes()) {
    const answer = await testApp.current.app.inject(requestFor(route, world.itemId, world.openTrack, undefined));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await ownerState(world.owner), before);
});

test('BOLA: another user acts on their own queue only, never reaches the owner’s items, and changes nothing of it', async () => {
  const world = await ownersWorld();
  const intruder = await newListener(testApp.current);
  const before = await ownerState(world.owner);
  assert.equal(before.stored.items.length, 2, 'the compared state holds the owner’s items');
  const expected: Record<string, number> = {
    'PATCH /v1/me/queue/items/{id}': 404,
    'DELETE /v1/me/queue/items/{id}': 404,
  };
  for (const route of await queueRoutes()) {
    const answer = await testApp.current.app.inject(
      requestFor(route, world.itemId, world.openTrack, intruder.authorization),
    );
    assert.equal(answer.statusCode, expected[route.key] ?? 200, `${route.key}: ${answer.statusCode} ${answer.body}`);
    if (answer.statusCode === 404) assert.equal(answer.json().code, 'QUEUE_ITEM_NOT_FOUND');
    if (route.method === 'GET') {
      const seen = answer.json<{ items: { id: string }[]; current_track_id: string | null }>();
      assert.ok(!seen.items.some((item) => item.id === world.itemId), 'the owner’s items never show');
      assert.notEqual(seen.current_track_id, before.answer.queue.current_track_id);
    }
  }
  assert.deepEqual(await ownerState(world.owner), before, 'the owner’s queue is untouched');

  // What the intruder did happened to their own queue.
  const own = await queueClient(testApp.current, intruder).get();
  assert.equal(own.queue.volume, 5);
  assert.ok(own.queue.items.every((item) => item.track_id === world.openTrack));
  const [owners, intruders] = [before.stored.queue?.id, (await storedQueue(testApp.current, intruder.id)).queue?.id];
  assert.ok(owners && intruders && owners !== intruders);
});
