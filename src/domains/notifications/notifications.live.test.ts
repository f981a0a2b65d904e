// Live delivery (issue 15 §7, ADR 0067): a like on someone's track reaches every one of their WebSocket connections
// as a `notification` event, after commit, over the chat gateway's personal scope; not during quiet hours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { person, TestClient, useCluster, type Frame } from '../chat/gateway/gateway.test-support.ts';

const cluster = useCluster(2);

const isNotification = (f: Frame) => f.type === 'event' && f.event === 'notification';

test('a like arrives live on every socket of the track’s creator, on any instance, and nobody else’s', async () => {
  const c = cluster.current;
  const creator = await person(c);
  const fan = await person(c);
  const song = await allFactories.tracks!(c.database.sql, {
    creator_id: creator.id,
    published_at: new Date('2025-01-01T00:00:00Z'),
  });
  const phone = await TestClient.signedIn(c.instances[0]!.url, creator);
  const laptop = await TestClient.signedIn(c.instances[1]!.url, creator);
  const fanSocket = await TestClient.signedIn(c.instances[0]!.url, fan);

  const liked = await c.instances[1]!.app.inject({
    method: 'PUT',
    url: `/v1/tracks/${song.id as string}/like`,
    headers: { authorization: `Bearer ${fan.token}` },
  });
  assert.equal(liked.statusCode, 201, liked.body);
  for (const socket of [phone, laptop]) {
    const frame = await socket.next(isNotification);
    const { notification } = frame.payload as { notification: Record<string, unknown> };
    assert.equal(notification.type, 'like');
    assert.equal(notification.entity_id, song.id);
    assert.equal(notification.actor_id, fan.id);
    assert.equal(notification.actor_count, 1);
  }
  // The fan's own socket hears nothing of it (a later personal event proves the order).
  await c.instances[0]!.app.inject({
    method: 'PUT',
    url: `/v1/tracks/${song.id as string}/like`,
    headers: { authorization: `Bearer ${creator.token}` },
  });
  assert.equal(fanSocket.frames.filter(isNotification).length, 0);
  for (const socket of [phone, laptop, fanSocket]) await socket.close();
});
