// Attachments of chat messages delivered to their readers (issue 14 follow-up; ADRs 0057, 0058): a member gets the
// bytes, a Range gets 206, and a non-member, a kicked member, a deleted message, and a DM party under a block get
// 404; every route needs a token. Both routes are walked from /openapi.json (tag `chat-attachments`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes } from '../../../test/helpers/documented-routes.ts';
import { storedFile, testDataDir } from '../files/files.test-support.ts';
import { addMember, as, newRoom, person, type Person } from './rooms.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

interface Message {
  id: string;
  attachment_file_id: string | null;
  attachment_url: string | null;
}

async function attach(owner: Person) {
  return storedFile(testApp.current.database.sql, storage, {
    user_id: owner.id,
    mime_type: 'application/pdf',
    original_filename: 'setlist.pdf',
  });
}

async function roomWithAttachment() {
  const [owner, member, outsider] = [
    await person(testApp.current),
    await person(testApp.current),
    await person(testApp.current),
  ];
  const roomId = await newRoom(testApp.current, owner);
  await addMember(testApp.current, roomId, member);
  const file = await attach(owner);
  const sent = await as(testApp.current, owner)('POST', `/v1/rooms/${roomId}/messages`, {
    content: 'the set list',
    attachment_file_id: file.id,
  });
  assert.equal(sent.statusCode, 201, sent.body);
  return { owner, member, outsider, roomId, file, message: sent.json<Message>() };
}

test('the attachment routes are the ones designed, and both need a token', async () => {
  const routes = await documentedRoutes(testApp.current.app, 'chat-attachments');
  assert.deepEqual(routes.map((r) => r.key).sort(), [
    'GET /v1/me/conversations/{user_id}/messages/{message_id}/attachment',
    'GET /v1/rooms/{id}/messages/{message_id}/attachment',
    'HEAD /v1/me/conversations/{user_id}/messages/{message_id}/attachment',
    'HEAD /v1/rooms/{id}/messages/{message_id}/attachment',
  ]);
  const { roomId, message } = await roomWithAttachment();
  for (const route of routes) {
    const url = route.path.replace('{id}', roomId).replace('{user_id}', message.id).replace('{message_id}', message.id);
    const answer = await testApp.current.app.inject({ method: route.method as 'GET', url });
    assert.equal(answer.statusCode, 401, route.key);
  }
});

test('a room member downloads the attachment, whole or a range; others, kicked members, deleted messages: 404', async () => {
  const { owner, member, outsider, roomId, file, message } = await roomWithAttachment();
  assert.equal(message.attachment_url, `/v1/rooms/${roomId}/messages/${message.id}/attachment`);
  const url = message.attachment_url;

  const whole = await as(testApp.current, member)('GET', url);
  assert.equal(whole.statusCode, 200, whole.body);
  assert.ok(whole.rawPayload.equals(file.bytes), 'the very bytes');
  assert.match(String(whole.headers['content-disposition']), /attachment; filename="setlist.pdf"/);
  assert.match(String(whole.headers['cache-control']), /no-store|private/, 'never kept by shared caches');
  const etag = String(whole.headers.etag);

  const part = await as(testApp.current, member)('GET', url, undefined, { range: 'bytes=10-19' });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-range'], `bytes 10-19/${file.bytes.length}`);
  assert.ok(part.rawPayload.equals(file.bytes.subarray(10, 20)));
  const cached = await as(testApp.current, member)('GET', url, undefined, { 'if-none-match': etag });
  assert.equal(cached.statusCode, 304);
  const head = await as(testApp.current, member)('HEAD', url);
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], String(file.bytes.length));

  const stranger = await as(testApp.current, outsider)('GET', url);
  assert.equal(stranger.statusCode, 404);
  assert.equal(stranger.json<{ code: string }>().code, 'ROOM_NOT_FOUND');
  assert.equal((await as(testApp.current, outsider)('GET', `/v1/files/${file.id}/content`)).statusCode, 404);

  const listed = await as(testApp.current, member)('GET', `/v1/rooms/${roomId}/messages`);
  assert.equal(listed.json<{ items: Message[] }>().items[0]?.attachment_url, url, 'history gives the url too');

  const kicked = await as(testApp.current, owner)('DELETE', `/v1/rooms/${roomId}/members/${member.id}`);
  assert.equal(kicked.statusCode, 204, kicked.body);
  assert.equal((await as(testApp.current, member)('GET', url)).statusCode, 404, 'a kicked member reads no more');

  assert.equal(
    (await as(testApp.current, owner)('DELETE', `/v1/rooms/${roomId}/messages/${message.id}`)).statusCode,
    204,
  );
  const gone = await as(testApp.current, owner)('GET', url);
  assert.equal(gone.statusCode, 404, 'a deleted message has no attachment, for its sender too');
  assert.equal(gone.json<{ code: string }>().code, 'MESSAGE_NOT_FOUND');
});

test('a text message, or a message of another room, has no attachment: 404', async () => {
  const { owner, roomId } = await roomWithAttachment();
  const text = await as(testApp.current, owner)('POST', `/v1/rooms/${roomId}/messages`, { content: 'no file' });
  const textMessage = text.json<Message>();
  assert.equal(textMessage.attachment_url, null);
  const answer = await as(testApp.current, owner)('GET', `/v1/rooms/${roomId}/messages/${textMessage.id}/attachment`);
  assert.equal(answer.statusCode, 404);
  const other = await roomWithAttachment();
  const crossed = await as(testApp.current, owner)(
    'GET',
    `/v1/rooms/${roomId}/messages/${other.message.id}/attachment`,
  );
  assert.equal(crossed.statusCode, 404, 'a message id of another room');
});

test('both parties of a DM download its attachment; a third person, a per-side deletion and a block: 404', async () => {
  const [ana, ben, eve] = [await person(testApp.current), await person(testApp.current), await person(testApp.current)];
  const file = await attach(ana);
  const sent = await as(testApp.current, ana)('POST', `/v1/me/conversations/${ben.id}/messages`, {
    attachment_file_id: file.id,
  });
  assert.equal(sent.statusCode, 201, sent.body);
  const message = sent.json<Message>();
  assert.equal(message.attachment_url, `/v1/me/conversations/${ben.id}/messages/${message.id}/attachment`);
  const bensUrl = `/v1/me/conversations/${ana.id}/messages/${message.id}/attachment`;
  const received = (await as(testApp.current, ben)('GET', `/v1/me/conversations/${ana.id}/messages`)).json<{
    items: Message[];
  }>();
  assert.equal(received.items[0]?.attachment_url, bensUrl, 'each side names the other');

  const forBen = await as(testApp.current, ben)('GET', bensUrl, undefined, { range: 'bytes=0-99' });
  assert.equal(forBen.statusCode, 206, forBen.body);
  assert.ok(forBen.rawPayload.equals(file.bytes.subarray(0, 100)));
  assert.equal((await as(testApp.current, ana)('GET', message.attachment_url)).statusCode, 200);

  // Eve names her conversation with Ana, or with Ben: the message is not hers.
  for (const url of [bensUrl, message.attachment_url]) {
    const answer = await as(testApp.current, eve)('GET', url);
    assert.equal(answer.statusCode, 404, url);
    assert.equal(answer.json<{ code: string }>().code, 'DIRECT_MESSAGE_NOT_FOUND');
  }

  await testApp.current.database.sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${ben.id}, ${ana.id})`;
  for (const [who, url] of [
    [ben, bensUrl],
    [ana, message.attachment_url],
  ] as const) {
    const answer = await as(testApp.current, who)('GET', url);
    assert.equal(answer.statusCode, 404, 'under a block, neither side');
    assert.equal(answer.json<{ code: string }>().code, 'CONVERSATION_NOT_FOUND');
  }
  await testApp.current.database.sql`DELETE FROM blocks WHERE blocker_id = ${ben.id}`;

  assert.equal((await as(testApp.current, ben)('DELETE', `/v1/me/direct-messages/${message.id}`)).statusCode, 204);
  assert.equal((await as(testApp.current, ben)('GET', bensUrl)).statusCode, 404, 'deleted on Ben’s side');
  assert.equal((await as(testApp.current, ana)('GET', message.attachment_url)).statusCode, 200, 'Ana keeps it');
});
