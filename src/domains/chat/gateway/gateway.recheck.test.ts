// The gateway's safety net (ADR 0055): a membership that ends without an event (a row deleted by hand, a bug in a
// writer) still ends the subscription at the next periodic re-check, and nothing of the room is sent after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageEvent, person, record, roomWith, TestClient, useCluster, type Person } from './gateway.test-support.ts';
import type { ChatEvent } from '../chat.events.ts';

const cluster = useCluster(2, { VEZA_CHAT_WS_ACCOUNT_CHECK_MS: '200' });

const personal = (who: Person, marker: string): ChatEvent => ({
  type: 'presence',
  scope: { kind: 'user', userId: who.id },
  payload: { user_id: who.id, status: 'online', custom_status: marker, last_seen_at: null },
});

async function waitMarker(client: TestClient, marker: string) {
  await client.next((f) => f.type === 'event' && (f.payload as { custom_status?: string }).custom_status === marker);
}

test('a membership ended without an event still ends the subscription at the next check', async () => {
  const c = cluster.current;
  const [owner, member] = [await person(c), await person(c)];
  const room = await roomWith(c, [owner, member]);
  const client = await TestClient.signedIn(c.instances[1]!.url, member);
  await client.subscribe(room);
  await c.database.sql`DELETE FROM room_members WHERE room_id = ${room} AND user_id = ${member.id}`;
  const ended = await client.next((f) => f.type === 'unsubscribed');
  assert.deepEqual([ended.room_id, ended.reason], [room, 'access_lost']);
  await record(c.instances[0]!, messageEvent(room, owner.id, 'unseen'));
  const marker = `barrier ${member.id}`;
  await record(c.instances[0]!, personal(member, marker));
  await waitMarker(client, marker);
  assert.equal(client.events().filter((f) => f.room_id === room).length, 0);
  await client.close();
});
