// The chat WebSocket gateway (issue 14 §4, ADRs 0054, 0055) with real clients on real ports: two instances of the
// application on one database, fan-out between them, resume after a reconnect or a dead instance, and the readers
// who must never receive a room's events.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_JWT_SECRET } from '../../../../test/helpers/app.ts';
import { AccessTokens } from '../../auth/index.ts';
import type { ChatEvent } from '../chat.events.ts';
import {
  messageEvent,
  person,
  record,
  roomWith,
  TestClient,
  useCluster,
  type Cluster,
  type Frame,
  type Person,
} from './gateway.test-support.ts';

const cluster = useCluster(2, { VEZA_CHAT_WS_ACCOUNT_CHECK_MS: '200' });

/** An event only `who` receives: once it has arrived, every event committed before it has too. */
function barrierFor(who: Person): ChatEvent {
  return {
    type: 'presence',
    scope: { kind: 'user', userId: who.id },
    payload: { user_id: who.id, status: 'online', custom_status: `barrier ${crypto.randomUUID()}`, last_seen_at: null },
  };
}

async function barrier(c: Cluster, client: TestClient, who: Person): Promise<void> {
  const event = barrierFor(who);
  await record(c.instances[0]!, event);
  const marker = (event.payload as { custom_status: string }).custom_status;
  await client.next((f) => f.type === 'event' && (f.payload as { custom_status?: string }).custom_status === marker);
}

const contents = (frames: Frame[]) =>
  frames
    .filter((f) => f.event === 'message.created')
    .map((f) => (f.payload as { message: { content: string } }).message.content);

describe('authentication, without the token in the URL', () => {
  test('first frame: ready, then the personal scope is followed', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const client = await TestClient.signedIn(c.instances[0]!.url, alice);
    const ready = await client.next((f) => f.type === 'ready');
    assert.equal(ready.user_id, alice.id);
    await client.close();
  });

  test('subprotocol veza.bearer.<token> alongside veza.v1; the server selects veza.v1', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const client = await TestClient.open(c.instances[1]!.url, ['veza.v1', `veza.bearer.${alice.token}`]);
    assert.equal(client.ws.protocol, 'veza.v1');
    await client.next((f) => f.type === 'ready');
    await client.close();
  });

  test('a bad token closes 4401; frames before auth get an error frame', async () => {
    const c = cluster.current;
    const early = await TestClient.open(c.instances[0]!.url);
    early.send({ type: 'subscribe', room_id: crypto.randomUUID() });
    const error = await early.next((f) => f.type === 'error');
    assert.equal(error.code, 'NOT_AUTHENTICATED');
    early.send({ type: 'auth', token: 'not.a.token' });
    assert.equal(await early.closed, 4401);
  });

  test('logged out everywhere (token_version bumped): closed 4401 at the next check', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const client = await TestClient.signedIn(c.instances[0]!.url, alice);
    await c.database.sql`UPDATE users SET token_version = token_version + 1 WHERE id = ${alice.id}`;
    assert.equal(await client.closed, 4401);
  });

  test('a banned account is closed 4401', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const client = await TestClient.signedIn(c.instances[1]!.url, alice);
    await c.database.sql`UPDATE users SET is_banned = true WHERE id = ${alice.id}`;
    assert.equal(await client.closed, 4401);
  });
});

describe('token expiry', () => {
  test('a token expiring closes the socket 4401 unless a fresh one of the same account came first', async () => {
    const c = cluster.current;
    const alice = await person(c);
    // Tokens of 2 seconds (exp is whole seconds: at least one left), signed with the instances' secret.
    const shortLived = new AccessTokens(TEST_JWT_SECRET, 2);
    const brief = async () => (await shortLived.issue({ userId: alice.id, tokenVersion: 0, role: 'user' })).token;
    const lapsing = await TestClient.signedIn(c.instances[0]!.url, { id: alice.id, token: await brief() });
    const renewed = await TestClient.signedIn(c.instances[1]!.url, { id: alice.id, token: await brief() });
    renewed.send({ type: 'auth', token: alice.token });
    await renewed.next((f) => f.type === 'reauthenticated');
    assert.equal(await lapsing.closed, 4401);
    assert.match(lapsing.closeReason, /expired/);
    // The renewed one outlived the first token: it still answers.
    renewed.send({ type: 'ping' });
    await renewed.next((f) => f.type === 'pong');
    assert.equal(renewed.closeCode, undefined);
    // Another account's token is refused: close 4401.
    renewed.send({ type: 'auth', token: (await person(c)).token });
    assert.equal(await renewed.closed, 4401);
  });
});

describe('fan-out across instances', () => {
  test('an event recorded through one instance reaches a client of the other', async () => {
    const c = cluster.current;
    const [alice, bob] = [await person(c), await person(c)];
    const room = await roomWith(c, [alice, bob]);
    const onB = await TestClient.signedIn(c.instances[1]!.url, bob);
    const onA = await TestClient.signedIn(c.instances[0]!.url, alice);
    assert.equal((await onB.subscribe(room)).type, 'subscribed');
    assert.equal((await onA.subscribe(room)).type, 'subscribed');
    await record(c.instances[0]!, messageEvent(room, alice.id, 'hello from A'));
    for (const client of [onA, onB]) {
      const frame = await client.next((f) => f.type === 'event' && f.event === 'message.created');
      assert.equal(frame.room_id, room);
      assert.deepEqual(contents([frame]), ['hello from A']);
    }
    await Promise.all([onA.close(), onB.close()]);
  });

  test('events written by parallel transactions arrive once each, in seq order, none missing', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const room = await roomWith(c, [alice]);
    const client = await TestClient.signedIn(c.instances[1]!.url, alice);
    await client.subscribe(room);
    const seqs = (
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => record(c.instances[i % 2]!, messageEvent(room, alice.id, `p${i}`))),
      )
    ).flat();
    await barrier(c, client, alice);
    const received = client.events().filter((f) => f.room_id === room);
    assert.deepEqual(
      received.map((f) => f.seq),
      [...seqs].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
    await client.close();
  });
});

describe('resume: nothing lost, nothing twice', () => {
  test('reconnecting with since replays exactly what was missed, then goes live', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const room = await roomWith(c, [alice]);
    const first = await TestClient.signedIn(c.instances[0]!.url, alice);
    await first.subscribe(room);
    await record(c.instances[0]!, messageEvent(room, alice.id, 'seen'));
    const seen = await first.next((f) => f.type === 'event' && f.room_id === room);
    await first.close();
    await record(c.instances[1]!, messageEvent(room, alice.id, 'missed 1'), messageEvent(room, alice.id, 'missed 2'));
    const second = await TestClient.signedIn(c.instances[1]!.url, alice);
    const subscribed = await second.subscribe(room, String(seen.seq));
    assert.equal(subscribed.replayed, 2);
    await record(c.instances[0]!, messageEvent(room, alice.id, 'live'));
    await second.next((f) => f.type === 'event' && contents([f])[0] === 'live');
    assert.deepEqual(contents(second.events()), ['missed 1', 'missed 2', 'live']);
    await second.close();
  });

  test('an instance dies: its client reconnects to the other with since and misses nothing', async () => {
    const c = cluster.current;
    // The last test of this file: instance 0 stays down.
    const [alice, bob] = [await person(c), await person(c)];
    const room = await roomWith(c, [alice, bob]);
    const doomed = c.instances[0]!;
    const client = await TestClient.signedIn(doomed.url, alice);
    await client.subscribe(room);
    await record(c.instances[1]!, messageEvent(room, bob.id, 'before'));
    // The room's own event: a frame of the personal scope (a notification of the same message) may come after it
    // and carries a seq of another stream, which would resume the room from too far back.
    const seen = await client.next((f) => f.type === 'event' && f.room_id === room && contents([f])[0] === 'before');
    const last = seen.seq as string;
    // Writes go on through the other instance while this one goes down.
    const writing = record(c.instances[1]!, messageEvent(room, bob.id, 'during 1'));
    await c.stop(doomed);
    assert.equal(await client.closed, 1001);
    await writing;
    await record(c.instances[1]!, messageEvent(room, bob.id, 'during 2'));
    const again = await TestClient.signedIn(c.instances[1]!.url, alice);
    await again.subscribe(room, last);
    await record(c.instances[1]!, messageEvent(room, bob.id, 'after'));
    await again.next((f) => f.type === 'event' && contents([f])[0] === 'after');
    assert.deepEqual(contents(again.events()), ['during 1', 'during 2', 'after']);
    await again.close();
  });
});
