// Bad input on the socket (issue 14 "Bad input", ADR 0055): malformed, random, binary and huge frames, floods and
// slow readers. Each gets an error frame or a close code; the process goes on serving.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import { messageEvent, person, record, roomWith, TestClient, useCluster } from './gateway.test-support.ts';

const SERVER_FRAME_TYPES = new Set([
  'ready',
  'subscribed',
  'unsubscribed',
  'event',
  'error',
  'pong',
  'reauthenticated',
]);

/** A random JSON value, nested a little. */
function randomJson(depth = 0): unknown {
  const pick = randomInt(0, depth > 2 ? 4 : 6);
  if (pick === 0) return null;
  if (pick === 1) return randomInt(-1e9, 1e9) / (randomInt(1, 100) || 1);
  if (pick === 2) return randomBytes(randomInt(0, 40)).toString('base64');
  if (pick === 3) return randomInt(0, 2) === 1;
  if (pick === 4) return Array.from({ length: randomInt(0, 5) }, () => randomJson(depth + 1));
  const keys = ['type', 'token', 'room_id', 'since', 'x', '__proto__', 'constructor'];
  return Object.fromEntries(
    Array.from({ length: randomInt(0, 5) }, () => [keys[randomInt(0, keys.length)]!, randomJson(depth + 1)]),
  );
}

const typed = (type: string) => {
  const value = randomJson(1);
  return { ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}), type };
};

describe('fuzz', () => {
  const cluster = useCluster(1, { VEZA_CHAT_WS_FRAMES_PER_SECOND: '10000', VEZA_CHAT_WS_FRAME_BURST: '10000' });

  test('malformed, random and binary frames get error frames only; the server keeps serving', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const client = await TestClient.signedIn(c.instances[0]!.url, alice);
    const before = client.frames.length;
    const bad: (string | Buffer)[] = [
      '',
      '{',
      'null',
      '[]',
      '"auth"',
      '{"type":"nope"}',
      '{"type":"subscribe","room_id":"not-a-uuid"}',
      '{"type":"subscribe","room_id":"00000000-0000-4000-8000-000000000001","since":"-1"}',
      '{"type":"subscribe","room_id":"00000000-0000-4000-8000-000000000001","since":"99999999999999999999"}',
      '{"type":"unsubscribe"}',
      '{"type":"ping","extra":1}',
      '{"type":"__proto__"}',
      '{"type":"toString"}',
      '\u0000\uffff',
      randomBytes(64),
    ];
    for (let i = 0; i < 200; i += 1) {
      const roll = randomInt(0, 4);
      if (roll === 0) bad.push(JSON.stringify(randomJson()));
      else if (roll === 1)
        bad.push(JSON.stringify(typed(['auth', 'subscribe', 'unsubscribe', 'ping', 'send'][randomInt(0, 5)]!)));
      else if (roll === 2) bad.push(randomBytes(randomInt(1, 200)).toString('latin1'));
      else bad.push(randomBytes(randomInt(1, 200)));
    }
    for (const frame of bad) client.ws.send(frame);
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong', before);
    const answers = client.frames.slice(before);
    for (const frame of answers) assert.ok(SERVER_FRAME_TYPES.has(frame.type), JSON.stringify(frame));
    // No crash, and the connection still works.
    assert.equal(client.closeCode, undefined);
    const other = await TestClient.signedIn(c.instances[0]!.url, await person(c));
    await other.close();
    await client.close();
  });

  test('each bad frame is answered by an error frame naming the problem', async () => {
    const c = cluster.current;
    const client = await TestClient.signedIn(c.instances[0]!.url, await person(c));
    const cases: [string | Buffer, string, string?][] = [
      ['{', 'MALFORMED_JSON'],
      ['{"type":"dance"}', 'UNKNOWN_FRAME_TYPE', 'type'],
      ['{"type":"subscribe","room_id":"x"}', 'INVALID_FRAME', 'room_id'],
      ['{"type":"subscribe","since":"01"}', 'INVALID_FRAME', 'since'],
      [Buffer.from([1, 2, 3]), 'BINARY_FRAME'],
      ['{"type":"subscribe","room_id":"00000000-0000-4000-8000-000000000001"}', 'ROOM_NOT_FOUND', 'room_id'],
    ];
    for (const [frame, code, field] of cases) {
      const from = client.frames.length;
      client.ws.send(frame);
      const error = await client.next((f) => f.type === 'error', from);
      assert.equal(error.code, code, String(frame));
      if (field) assert.equal(error.field, field, String(frame));
    }
    await client.close();
  });

  test('a 10 MB frame closes the connection with 1009; the server goes on', async () => {
    const c = cluster.current;
    const client = await TestClient.signedIn(c.instances[0]!.url, await person(c));
    client.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10 * 1024 * 1024) }));
    assert.equal(await client.closed, 1009);
    const next = await TestClient.signedIn(c.instances[0]!.url, await person(c));
    next.send({ type: 'ping' });
    await next.next((f) => f.type === 'pong');
    await next.close();
  });

  test('before authentication only ping is answered; anything else gets NOT_AUTHENTICATED', async () => {
    const c = cluster.current;
    const client = await TestClient.open(c.instances[0]!.url);
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong');
    client.send({ type: 'subscribe' });
    assert.equal((await client.next((f) => f.type === 'error')).code, 'NOT_AUTHENTICATED');
    await client.close();
  });
});

describe('limits', () => {
  const cluster = useCluster(1, {
    VEZA_CHAT_WS_FRAMES_PER_SECOND: '5',
    VEZA_CHAT_WS_FRAME_BURST: '10',
    VEZA_CHAT_WS_MAX_BUFFERED_BYTES: '65536',
    VEZA_CHAT_WS_AUTH_TIMEOUT_MS: '300',
  });

  test('1,000 frames at once: the surplus gets RATE_LIMITED error frames, then close 4029', async () => {
    const c = cluster.current;
    const client = await TestClient.signedIn(c.instances[0]!.url, await person(c));
    for (let i = 0; i < 1000; i += 1) client.send({ type: 'ping' });
    assert.equal(await client.closed, 4029);
    const limited = client.frames.filter((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
    assert.ok(limited.length > 0);
    assert.ok(client.frames.filter((f) => f.type === 'pong').length <= 10);
  });

  test('a client that does not read is closed 4008 instead of being buffered without limit', async () => {
    const c = cluster.current;
    const alice = await person(c);
    const room = await roomWith(c, [alice]);
    const client = await TestClient.signedIn(c.instances[0]!.url, alice);
    await client.subscribe(room);
    // Stop reading: the kernel buffers fill, then the server's own queue grows past its bound.
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'y'.repeat(9000);
    for (let batch = 0; batch < 40; batch += 1)
      await record(c.instances[0]!, ...Array.from({ length: 25 }, () => messageEvent(room, alice.id, big)));
    (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    assert.equal(await client.closed, 4008);
  });

  test('no authentication within the time allowed: closed 4401', async () => {
    const c = cluster.current;
    const client = await TestClient.open(c.instances[0]!.url);
    assert.equal(await client.closed, 4401);
  });
});
