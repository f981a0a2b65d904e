// Direct messages over HTTP (issue 14 §3, ADR 0058): sending, the conversation list, pages, read receipts,
// per-side deletion, blocks both ways, idempotent sends under parallel retries, bad input, and the events.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { block, cleanFile, directClient, newPerson, storedMessages } from './direct.test-support.ts';

const testApp = useTestApp();

interface Message {
  id: string;
  sender_id: string;
  recipient_id: string;
  direction: string;
  content: string;
  message_type: string;
  attachment_file_id: string | null;
  is_read: boolean;
  read_at: string | null;
}
interface Conversation {
  user: { id: string; username: string };
  last_message: Message;
  unread_count: number;
}

test('a message goes both ways; each side lists the conversation with its last message and unread count', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];

  const first = await asAna.send(ben.id, { content: '  Hello Ben \r\nready?  ' });
  assert.equal(first.statusCode, 201, first.body);
  const sent = first.json<Message>();
  assert.equal(sent.content, 'Hello Ben \nready?', 'trimmed, CRLF as LF');
  assert.equal(sent.direction, 'sent');
  assert.equal(sent.message_type, 'text');
  assert.equal((await asAna.send(ben.id, { content: 'second' })).statusCode, 201);

  const bensList = (await asBen.conversations()).json<{ items: Conversation[] }>();
  assert.equal(bensList.items.length, 1);
  assert.equal(bensList.items[0]?.user.id, ana.id);
  assert.equal(bensList.items[0]?.last_message.content, 'second');
  assert.equal(bensList.items[0]?.last_message.direction, 'received');
  assert.equal(bensList.items[0]?.unread_count, 2);
  const anasList = (await asAna.conversations()).json<{ items: Conversation[] }>();
  assert.equal(anasList.items[0]?.unread_count, 0, 'what one sent is never unread for oneself');

  const reply = await asBen.send(ana.id, { content: 'Yes!' });
  assert.equal(reply.statusCode, 201);
  const page = (await asAna.conversation(ben.id)).json<{ items: Message[] }>();
  assert.deepEqual(
    page.items.map((m) => [m.content, m.direction]),
    [
      ['Yes!', 'received'],
      ['second', 'sent'],
      ['Hello Ben \nready?', 'sent'],
    ],
  );
});

test('read receipts: the recipient marks read (all, or up to a message); the sender sees is_read and read_at', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  const ids: string[] = [];
  for (const content of ['one', 'two', 'three']) ids.push((await asAna.send(ben.id, { content })).json<Message>().id);

  const upTo = await asBen.markRead(ana.id, { up_to_message_id: ids[1] });
  assert.equal(upTo.statusCode, 200, upTo.body);
  assert.equal(upTo.json<{ marked: number }>().marked, 2);
  let list = (await asBen.conversations()).json<{ items: Conversation[] }>();
  assert.equal(list.items[0]?.unread_count, 1);

  // The sender may not mark their own message as read by the other; nor name a message of someone else.
  assert.equal((await asAna.markRead(ben.id, { up_to_message_id: ids[2] })).statusCode, 404);

  const rest = await asBen.markRead(ana.id);
  assert.equal(rest.json<{ marked: number }>().marked, 1);
  assert.equal((await asBen.markRead(ana.id)).json<{ marked: number }>().marked, 0, 'marking again changes nothing');
  list = (await asBen.conversations()).json<{ items: Conversation[] }>();
  assert.equal(list.items[0]?.unread_count, 0);
  const seenBySender = (await asAna.conversation(ben.id)).json<{ items: Message[] }>();
  assert.ok(seenBySender.items.every((m) => m.is_read && m.read_at !== null));
});

test('per-side deletion: gone from one side only, for good once both sides deleted it', async () => {
  const [ana, ben, eve] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  const id = (await asAna.send(ben.id, { content: 'oops' })).json<Message>().id;

  assert.equal((await directClient(testApp.current, eve).remove(id)).statusCode, 404, 'a stranger: 404');
  assert.equal((await asAna.remove(id)).statusCode, 204);
  assert.equal((await asAna.remove(id)).statusCode, 404, 'already gone from this side');
  assert.deepEqual((await asAna.conversation(ben.id)).json<{ items: Message[] }>().items, []);
  assert.equal((await asBen.conversation(ana.id)).json<{ items: Message[] }>().items.length, 1, 'Ben keeps it');
  assert.equal((await asAna.conversations()).json<{ items: unknown[] }>().items.length, 0, 'nothing left for Ana');

  assert.equal((await asBen.remove(id)).statusCode, 204);
  const [row] = await storedMessages(testApp.current, ana.id, ben.id);
  assert.ok(row?.is_deleted_by_sender && row.is_deleted_by_recipient);
  assert.ok(row.deleted_at !== null, 'deleted for good: the retention job purges it 30 days later');
});

test('a block refuses messages both ways and hides the conversation from both', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  assert.equal((await asAna.send(ben.id, { content: 'before the block' })).statusCode, 201);
  await block(testApp.current, ben, ana);

  for (const [client, other] of [
    [asAna, ben],
    [asBen, ana],
  ] as const) {
    const refused = await client.send(other.id, { content: 'hello?' });
    assert.equal(refused.statusCode, 404, refused.body);
    assert.equal(refused.json().code, 'CONVERSATION_NOT_FOUND', 'nobody is told who blocked whom');
    assert.equal((await client.conversation(other.id)).statusCode, 404);
    assert.equal((await client.markRead(other.id)).statusCode, 404);
    assert.deepEqual((await client.conversations()).json<{ items: unknown[] }>().items, []);
  }
  assert.equal((await storedMessages(testApp.current, ana.id, ben.id)).length, 1, 'nothing was written');
});

test('an attachment: one of your own clean, processed files; its type sets message_type, its name the text', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = directClient(testApp.current, ana);
  const mine = await cleanFile(testApp.current, ana);
  const sent = await asAna.send(ben.id, { attachment_file_id: mine });
  assert.equal(sent.statusCode, 201, sent.body);
  assert.equal(sent.json<Message>().message_type, 'image');
  assert.equal(sent.json<Message>().content, 'sketch.png');
  assert.equal(sent.json<Message>().attachment_file_id, mine);

  const cases: [string, string, string][] = [
    ['someone else’s file', await cleanFile(testApp.current, ben), 'ownFile'],
    ['a file that does not exist', randomUUID(), 'ownFile'],
    [
      'a quarantined file',
      await cleanFile(testApp.current, ana, { virus_scan_result: 'infected:Eicar-Test-Signature' }),
      'clean',
    ],
    [
      'a file still being processed',
      await cleanFile(testApp.current, ana, {
        metadata: { processing: { status: 'processing', steps: [], attempts: 1 } },
      }),
      'processed',
    ],
  ];
  for (const [what, fileId, rule] of cases) {
    const refused = await asAna.send(ben.id, { content: 'see', attachment_file_id: fileId });
    assert.equal(refused.statusCode, 422, `${what}: ${refused.body}`);
    assert.equal(refused.json().code, 'MESSAGE_ATTACHMENT_UNUSABLE', what);
    assert.deepEqual(
      refused.json<{ errors: { field: string; rule: string }[] }>().errors[0],
      {
        field: 'body.attachment_file_id',
        rule,
        message: refused.json<{ errors: { message: string }[] }>().errors[0]?.message,
      },
      what,
    );
  }
  assert.equal((await storedMessages(testApp.current, ana.id, ben.id)).length, 1);
});

test('bad input: a clear 400 or 404 naming the field and rule, and nothing written', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = directClient(testApp.current, ana);
  const cases: [string, string, unknown, number, string, string][] = [
    ['an empty message', ben.id, { content: '' }, 400, 'body.content', 'minLength'],
    ['10,001 characters', ben.id, { content: 'x'.repeat(10_001) }, 400, 'body.content', 'maxLength'],
    ['only white space', ben.id, { content: ' \n\t ' }, 400, 'body.content', 'notBlank'],
    ['spaces only', ben.id, { content: '    ' }, 400, 'body.content', 'notBlank'],
    ['a text-direction override', ben.id, { content: 'a\u202eb' }, 400, 'body.content', 'pattern'],
    ['no content and no file', ben.id, {}, 400, 'body', 'minProperties'],
    ['an unknown field', ben.id, { content: 'hi', urgent: true }, 400, 'body.urgent', 'additionalProperties'],
    ['a number for text', ben.id, { content: 42 }, 400, 'body.content', 'type'],
    ['oneself', ana.id, { content: 'note to self' }, 400, 'params.user_id', 'notSelf'],
    ['not a uuid', 'nobody', { content: 'hi' }, 400, 'params.user_id', 'format'],
  ];
  for (const [what, to, body, status, field, rule] of cases) {
    const answer = await asAna.send(to, body);
    assert.equal(answer.statusCode, status, `${what}: ${answer.body}`);
    const errors = answer.json<{ errors?: { field: string; rule: string }[] }>().errors ?? [];
    assert.ok(
      errors.some((e) => e.field === field && e.rule === rule),
      `${what}: ${JSON.stringify(errors)}`,
    );
  }
  const nobody = await asAna.send(randomUUID(), { content: 'anyone?' });
  assert.equal(nobody.statusCode, 404);
  assert.equal(nobody.json().code, 'CONVERSATION_NOT_FOUND');
  assert.equal((await asAna.conversations('?cursor=forged')).statusCode, 400);
  assert.equal((await storedMessages(testApp.current, ana.id, ben.id)).length, 0);
});

test('parallel retries of one send with one Idempotency-Key make one message', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const asAna = directClient(testApp.current, ana);
  const key = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => asAna.send(ben.id, { content: 'only once' }, { 'idempotency-key': key })),
  );
  for (const answer of answers) assert.ok([201, 409].includes(answer.statusCode), answer.body);
  const created = answers.filter((a) => a.statusCode === 201).map((a) => a.json<Message>().id);
  assert.ok(created.length >= 1);
  assert.equal(new Set(created).size, 1, 'every 201 names the same message');
  const retry = await asAna.send(ben.id, { content: 'only once' }, { 'idempotency-key': key });
  assert.equal(retry.statusCode, 201);
  assert.equal(retry.json<Message>().id, created[0]);
  assert.equal((await storedMessages(testApp.current, ana.id, ben.id)).length, 1);
});

test('the conversation list and a conversation page by keyset, without gaps or repeats', async () => {
  const ana = await newPerson(testApp.current);
  const asAna = directClient(testApp.current, ana);
  const others = [await newPerson(testApp.current), await newPerson(testApp.current), await newPerson(testApp.current)];
  for (const other of others) assert.equal((await asAna.send(other.id, { content: `to ${other.id}` })).statusCode, 201);
  for (let i = 0; i < 5; i += 1) await asAna.send(others[0]!.id, { content: `more ${i}` });

  const first = (await asAna.conversations('?limit=2')).json<{ items: Conversation[]; next_cursor: string | null }>();
  assert.equal(first.items.length, 2);
  assert.equal(first.items[0]?.user.id, others[0]?.id, 'the latest message first');
  assert.ok(first.next_cursor);
  const second = (await asAna.conversations(`?limit=2&cursor=${first.next_cursor}`)).json<{
    items: Conversation[];
    next_cursor: string | null;
  }>();
  assert.equal(second.items.length, 1);
  assert.equal(second.next_cursor, null);
  assert.deepEqual(new Set([...first.items, ...second.items].map((c) => c.user.id)), new Set(others.map((o) => o.id)));

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await asAna.conversation(others[0]!.id, query)).json<{
      items: Message[];
      next_cursor: string | null;
    }>();
    seen.push(...page.items.map((m) => m.content));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, ['more 4', 'more 3', 'more 2', 'more 1', 'more 0', `to ${others[0]?.id}`]);
});

test('each change is an event in the participants’ own scopes, written with it', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  const id = (await asAna.send(ben.id, { content: 'evented' })).json<Message>().id;
  await asBen.markRead(ana.id);
  await asBen.remove(id);
  const events = await testApp.current.database.sql<{ scope_id: string; event_type: string; payload: unknown }[]>`
    SELECT scope_id, event_type, payload FROM chat_events
    WHERE scope_type = 'user' AND scope_id IN (${ana.id}, ${ben.id}) ORDER BY seq`;
  assert.deepEqual(
    events.map((e) => [e.scope_id === ana.id ? 'ana' : 'ben', e.event_type]),
    [
      ['ana', 'dm.created'],
      ['ben', 'dm.created'],
      // Issue 15 §7: the message also notifies Ben, live in his scope (ADR 0067).
      ['ben', 'notification'],
      ['ana', 'dm.read'],
      ['ben', 'dm.read'],
      ['ben', 'dm.deleted'],
    ],
  );
  assert.equal((events[0]?.payload as { message: { id: string } }).message.id, id);
});

test('in parallel: both sides deleting at once delete it for good; marking read from two devices marks each once', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  const id = (await asAna.send(ben.id, { content: 'both delete' })).json<Message>().id;
  const deletions = await Promise.all([asAna.remove(id), asBen.remove(id), asAna.remove(id), asBen.remove(id)]);
  assert.deepEqual(deletions.map((answer) => answer.statusCode).sort(), [204, 204, 404, 404]);
  const [row] = await storedMessages(testApp.current, ana.id, ben.id);
  assert.ok(row?.deleted_at !== null, 'whichever committed second saw the first side’s flag');

  for (let i = 0; i < 6; i += 1) await asAna.send(ben.id, { content: `unread ${i}` });
  const marks = await Promise.all(Array.from({ length: 4 }, () => asBen.markRead(ana.id)));
  for (const mark of marks) assert.equal(mark.statusCode, 200, mark.body);
  assert.equal(
    marks.reduce((total, mark) => total + mark.json<{ marked: number }>().marked, 0),
    6,
    'each message became read exactly once',
  );
});

test('typing to someone: an event in their scope only, renewals not repeated, refused under a block', async () => {
  const [ana, ben, eve] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const typing = (from: typeof ana, to: string) =>
    testApp.current.app.inject({
      method: 'PUT',
      url: `/v1/me/conversations/${to}/typing`,
      headers: { authorization: from.authorization },
    });
  const first = await typing(ana, ben.id);
  assert.equal(first.statusCode, 200, first.body);
  assert.equal((await typing(ana, ben.id)).statusCode, 200);
  const events = await testApp.current.database.sql<{ scope_id: string; payload: { recipient_id: string } }[]>`
    SELECT scope_id, payload FROM chat_events WHERE event_type = 'typing' AND payload->>'user_id' = ${ana.id}`;
  assert.equal(events.length, 1, 'the immediate renewal is not announced again');
  assert.equal(events[0]?.scope_id, ben.id);
  assert.equal(events[0]?.payload.recipient_id, ben.id);

  await block(testApp.current, eve, ana);
  const refused = await typing(ana, eve.id);
  assert.equal(refused.statusCode, 404);
  assert.equal(refused.json().code, 'CONVERSATION_NOT_FOUND');
  assert.equal((await typing(ana, ana.id)).statusCode, 400);
});

test('two people writing to each other at the same moment: every message lands, none waits on the other (one lock order)', async () => {
  const [ana, ben] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  const [asAna, asBen] = [directClient(testApp.current, ana), directClient(testApp.current, ben)];
  // Each send announces itself in both people's scopes; taken in sender-first order, these locks would deadlock.
  const sends = Array.from({ length: 12 }, (_, i) =>
    i % 2 === 0 ? asAna.send(ben.id, { content: `from Ana ${i}` }) : asBen.send(ana.id, { content: `from Ben ${i}` }),
  );
  const replies = await Promise.all(sends);
  assert.deepEqual(
    replies.map((reply) => reply.statusCode),
    replies.map(() => 201),
  );
  const page = (await asAna.conversation(ben.id)).json<{ items: Message[] }>();
  assert.equal(page.items.length, 12);
});
