// Room messages over HTTP (issue 14 §2, ADR 0057): send, bad input, replies, attachments, edit, delete
// (placeholder), reactions, pins, mentions, read markers and unread counts, history pages, search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { isSingleEmoji, mentionedUsernames, messageTypeOf } from './messages.service.ts';
import { addMember, as, newRoom, person, roomState, say } from './rooms.test-support.ts';

const testApp = useTestApp();

async function twoInARoom() {
  const owner = await person(testApp.current);
  const member = await person(testApp.current);
  const id = await newRoom(testApp.current, owner);
  await addMember(testApp.current, id, member);
  return { owner, member, id };
}

test('pure rules: one emoji grapheme, mentions, message type from the media type', () => {
  for (const ok of ['👍', '❤️', '👩🏽‍💻', '🇫🇷', '1️⃣']) assert.ok(isSingleEmoji(ok), ok);
  for (const bad of ['', 'a', '👍👍', ':)', '👍 ', 'x'.repeat(11), '\u200d', '👨‍👩‍👧‍👦👨‍👩‍👧‍👦'])
    assert.ok(!isSingleEmoji(bad), bad);
  assert.deepEqual(mentionedUsernames('hi @Ana_1 and @bob, mail me@example.com @Ana_1 @x'), ['ana_1', 'bob']);
  assert.equal(messageTypeOf('image/png'), 'image');
  assert.equal(messageTypeOf('audio/mpeg'), 'audio');
  assert.equal(messageTypeOf('video/mp4'), 'video');
  assert.equal(messageTypeOf('application/pdf'), 'file');
});

test('send, read back, edit and delete: placeholder, counters, events', async () => {
  const { owner, member, id } = await twoInARoom();
  const sent = await as(testApp.current, member)('POST', `/v1/rooms/${id}/messages`, { content: 'First take' });
  assert.equal(sent.statusCode, 201, sent.body);
  const message = sent.json();
  assert.equal(message.message_type, 'text');
  assert.equal(message.is_edited, false);

  const edited = await as(testApp.current, member)('PATCH', `/v1/rooms/${id}/messages/${message.id}`, {
    content: 'Second take',
  });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().content, 'Second take');
  assert.equal(edited.json().is_edited, true);
  assert.ok(edited.json().edited_at);
  const byOther = await as(testApp.current, owner)('PATCH', `/v1/rooms/${id}/messages/${message.id}`, { content: 'x' });
  assert.equal(byOther.statusCode, 403, 'only the sender edits, even the owner may not');

  await as(testApp.current, owner)(
    'PUT',
    `/v1/rooms/${id}/messages/${message.id}/reactions/${encodeURIComponent('🎷')}`,
  );
  assert.equal((await roomState(testApp.current, id))?.room.message_count, 1);
  const deleted = await as(testApp.current, member)('DELETE', `/v1/rooms/${id}/messages/${message.id}`);
  assert.equal(deleted.statusCode, 204);
  const state = await roomState(testApp.current, id);
  assert.equal(state?.room.message_count, 0, 'the trigger uncounts a deleted message');
  assert.equal(state?.reactions, null, 'its reactions are erased');
  assert.notEqual(state?.messages[0].content, 'Second take', 'its content is erased');
  const history = await as(testApp.current, owner)('GET', `/v1/rooms/${id}/messages`);
  const [placeholder] = history.json().items;
  assert.equal(placeholder.id, message.id);
  assert.equal(placeholder.is_deleted, true);
  assert.equal(placeholder.content, null);
  const editDeleted = await as(testApp.current, member)('PATCH', `/v1/rooms/${id}/messages/${message.id}`, {
    content: 'back',
  });
  assert.equal(editDeleted.json().code, 'MESSAGE_DELETED');

  const events = await testApp.current.database.sql`
    SELECT event_type FROM chat_events WHERE scope_type = 'room' AND scope_id = ${id} ORDER BY seq`;
  assert.deepEqual(
    events.map((e) => e.event_type),
    ['message.created', 'message.edited', 'reaction.added', 'message.deleted'],
  );
});

test('bad input: empty, blank and 10,001-character messages, bad emoji, a reply to another room', async () => {
  const { owner, id } = await twoInARoom();
  const elsewhere = await newRoom(testApp.current, owner);
  const foreign = await say(testApp.current, owner, elsewhere, 'over there');
  const before = await roomState(testApp.current, id);
  const call = as(testApp.current, owner);
  const cases: [unknown, number, string][] = [
    [{ content: '' }, 400, 'body.content'],
    [{ content: '   ' }, 400, 'body.content'],
    [{ content: 'x'.repeat(10_001) }, 400, 'body.content'],
    [{ content: 'a\u0000b' }, 400, 'body.content'],
    [{}, 400, 'body.content'],
    [{ content: 'hi', reply_to_id: foreign }, 400, 'body.reply_to_id'],
    [{ content: 'hi', reply_to_id: 'not-a-uuid' }, 400, 'body.reply_to_id'],
    [{ content: 'hi', client_key: 'short' }, 400, 'body.client_key'],
    [{ content: 'hi', extra: true }, 400, 'body'],
  ];
  for (const [body, status, field] of cases) {
    const answer = await call('POST', `/v1/rooms/${id}/messages`, body);
    assert.equal(answer.statusCode, status, `${JSON.stringify(body).slice(0, 80)}: ${answer.body.slice(0, 300)}`);
    assert.ok(
      answer.json().errors?.some((e: { field: string }) => e.field.startsWith(field)),
      answer.body.slice(0, 300),
    );
  }
  const ok = await call('POST', `/v1/rooms/${id}/messages`, { content: 'x'.repeat(10_000) });
  assert.equal(ok.statusCode, 201);
  for (const emoji of ['a', '👍👍', 'xxxxxxxxxxxx', '%F0%9F']) {
    const answer = await call('PUT', `/v1/rooms/${id}/messages/${ok.json().id}/reactions/${encodeURIComponent(emoji)}`);
    assert.equal(answer.statusCode, 400, emoji);
    assert.equal(answer.json().errors[0].field, 'params.emoji');
  }
  const after = await roomState(testApp.current, id);
  assert.equal(after?.messages.length, (before?.messages?.length ?? 0) + 1, 'only the valid message was written');
  assert.equal(after?.reactions, null);
});

test('replies, reactions, pins and mentions', async () => {
  const { owner, member, id } = await twoInARoom();
  const [named] = await testApp.current.database.sql`SELECT username FROM users WHERE id = ${member.id}`;
  const parent = await say(testApp.current, owner, id, 'Who has the chart?');
  const reply = await as(testApp.current, member)('POST', `/v1/rooms/${id}/messages`, {
    content: `@${String(named?.username)} here, and @nobody_at_all_here`,
    reply_to_id: parent,
  });
  assert.equal(reply.statusCode, 201, reply.body);
  assert.equal(reply.json().reply_to_id, parent);
  assert.deepEqual(reply.json().mentions, [member.id]);
  const outsider = await person(testApp.current);
  const [outsiderName] = await testApp.current.database.sql`SELECT username FROM users WHERE id = ${outsider.id}`;
  const aside = await as(testApp.current, member)('POST', `/v1/rooms/${id}/messages`, {
    content: `psst @${String(outsiderName?.username)}`,
  });
  assert.deepEqual(aside.json().mentions, [], 'someone outside the room is not told of a mention');

  const thumbs = encodeURIComponent('👍');
  for (const who of [owner, member, member]) {
    const answer = await as(testApp.current, who)('PUT', `/v1/rooms/${id}/messages/${parent}/reactions/${thumbs}`);
    assert.equal(answer.statusCode, 200, answer.body);
  }
  const reacted = await as(testApp.current, owner)(
    'PUT',
    `/v1/rooms/${id}/messages/${parent}/reactions/${encodeURIComponent('❤️')}`,
  );
  assert.deepEqual(reacted.json().reactions, [
    { emoji: '👍', count: 2, mine: true },
    { emoji: '❤️', count: 1, mine: true },
  ]);
  const removed = await as(testApp.current, member)('DELETE', `/v1/rooms/${id}/messages/${parent}/reactions/${thumbs}`);
  assert.deepEqual(removed.json().reactions, [
    { emoji: '👍', count: 1, mine: false },
    { emoji: '❤️', count: 1, mine: false },
  ]);

  assert.equal((await as(testApp.current, member)('PUT', `/v1/rooms/${id}/messages/${parent}/pin`)).statusCode, 403);
  assert.equal((await as(testApp.current, owner)('PUT', `/v1/rooms/${id}/messages/${parent}/pin`)).statusCode, 204);
  const pins = await as(testApp.current, member)('GET', `/v1/rooms/${id}/pins`);
  assert.deepEqual(
    pins.json().items.map((m: { id: string }) => m.id),
    [parent],
  );
  // A moderator deletes a member's message, not the reverse.
  assert.equal((await as(testApp.current, member)('DELETE', `/v1/rooms/${id}/messages/${parent}`)).statusCode, 403);
  assert.equal(
    (await as(testApp.current, owner)('DELETE', `/v1/rooms/${id}/messages/${reply.json().id}`)).statusCode,
    204,
  );
});

test('an attachment: a clean processed file of the sender; anything else is a 422', async () => {
  const { owner, member, id } = await twoInARoom();
  const { sql } = testApp.current.database;
  const clean = {
    virus_scanned: true,
    virus_scan_result: 'clean',
    is_processed: true,
    metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
  };
  const image = await allFactories.files!(sql, {
    user_id: member.id,
    mime_type: 'image/png',
    original_filename: 'chart.png',
    ...clean,
  });
  const theirs = await allFactories.files!(sql, { user_id: owner.id, mime_type: 'image/png', ...clean });
  const infected = await allFactories.files!(sql, {
    user_id: member.id,
    mime_type: 'audio/mpeg',
    ...clean,
    virus_scan_result: 'infected',
  });
  const call = as(testApp.current, member);
  const sent = await call('POST', `/v1/rooms/${id}/messages`, { attachment_file_id: String(image.id) });
  assert.equal(sent.statusCode, 201, sent.body);
  assert.equal(sent.json().message_type, 'image');
  assert.equal(sent.json().attachment_file_id, image.id);
  assert.equal(sent.json().content, 'chart.png');
  for (const file of [theirs, infected]) {
    const answer = await call('POST', `/v1/rooms/${id}/messages`, {
      content: 'look',
      attachment_file_id: String(file.id),
    });
    assert.equal(answer.statusCode, 422, answer.body);
    assert.equal(answer.json().errors[0].field, 'body.attachment_file_id');
  }
});

test('history pages before, after and around a message; read markers and unread counts', async () => {
  const { owner, member, id } = await twoInARoom();
  const ids: string[] = [];
  for (let i = 0; i < 9; i++) ids.push(await say(testApp.current, owner, id, `line ${i}`));
  const call = as(testApp.current, member);
  const idsOf = (answer: { json(): { items: { id: string }[] } }) => answer.json().items.map((m) => m.id);

  const newest = await call('GET', `/v1/rooms/${id}/messages?limit=4`);
  assert.deepEqual(idsOf(newest), ids.slice(5).reverse());
  assert.equal(newest.json().has_older, true);
  assert.equal(newest.json().has_newer, false);
  const older = await call('GET', `/v1/rooms/${id}/messages?limit=4&before=${ids[5]}`);
  assert.deepEqual(idsOf(older), ids.slice(1, 5).reverse());
  const oldest = await call('GET', `/v1/rooms/${id}/messages?limit=4&before=${ids[1]}`);
  assert.deepEqual(idsOf(oldest), [ids[0]]);
  assert.equal(oldest.json().has_older, false);
  const newer = await call('GET', `/v1/rooms/${id}/messages?limit=3&after=${ids[2]}`);
  assert.deepEqual(idsOf(newer), ids.slice(3, 6).reverse());
  assert.equal(newer.json().has_newer, true);
  const around = await call('GET', `/v1/rooms/${id}/messages?limit=5&around=${ids[4]}`);
  assert.deepEqual(idsOf(around), ids.slice(2, 7).reverse());
  const alone = await call('GET', `/v1/rooms/${id}/messages?limit=1&around=${ids[4]}`);
  assert.deepEqual(idsOf(alone), [ids[4]]);
  assert.equal(alone.json().has_older, true);
  assert.equal(alone.json().has_newer, true);
  const edge = await call('GET', `/v1/rooms/${id}/messages?limit=2&around=${ids[8]}`);
  assert.deepEqual(idsOf(edge), [ids[8]], 'nothing newer than the newest');
  assert.equal(edge.json().has_newer, false);
  const two = await call('GET', `/v1/rooms/${id}/messages?before=${ids[4]}&after=${ids[2]}`);
  assert.equal(two.statusCode, 400);
  const elsewhere = await call('GET', `/v1/rooms/${id}/messages?before=00000000-0000-4000-8000-000000000000`);
  assert.equal(elsewhere.statusCode, 404);

  const unread = async () =>
    (await call('GET', '/v1/me/rooms')).json().items.find((r: { id: string }) => r.id === id).unread_count;
  assert.equal(await unread(), 9);
  const marked = await call('PUT', `/v1/rooms/${id}/read`, { message_id: ids[5] });
  assert.equal(marked.statusCode, 200, marked.body);
  assert.equal(marked.json().unread_count, 3);
  const back = await call('PUT', `/v1/rooms/${id}/read`, { message_id: ids[1] });
  assert.equal(back.json().unread_count, 3, 'the marker never moves back');
  await say(testApp.current, member, id, 'my own line');
  assert.equal(await unread(), 3, 'one’s own messages are not unread');
});

test('search finds words in the rooms the caller is in, never elsewhere', async () => {
  const { owner, member, id } = await twoInARoom();
  const outsider = await person(testApp.current);
  const hidden = await newRoom(testApp.current, owner, { type: 'private' });
  await say(testApp.current, owner, id, 'The saxophones are tuning');
  await say(testApp.current, owner, hidden, 'Secret saxophone riff');
  const gone = await say(testApp.current, owner, id, 'Deleted saxophone line');
  await as(testApp.current, owner)('DELETE', `/v1/rooms/${id}/messages/${gone}`);
  const found = await as(testApp.current, member)('GET', '/v1/messages/search?q=saxophone');
  assert.equal(found.statusCode, 200, found.body);
  assert.deepEqual(
    found.json().items.map((m: { content: string }) => m.content),
    ['The saxophones are tuning'],
  );
  const mine = await as(testApp.current, owner)('GET', `/v1/messages/search?q=saxophone&room_id=${hidden}`);
  assert.deepEqual(
    mine.json().items.map((m: { content: string }) => m.content),
    ['Secret saxophone riff'],
  );
  const none = await as(testApp.current, outsider)('GET', '/v1/messages/search?q=saxophone');
  assert.deepEqual(none.json().items, []);
});
