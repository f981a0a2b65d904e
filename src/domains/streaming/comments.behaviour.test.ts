// Timestamped comments and threads (issue 13 §3, ADR 0053): writing, bad input, lists, replies, waveform markers,
// edits with If-Match, deletion that keeps the thread's shape, moderation, and comment_count exact under
// parallel requests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { PLACEHOLDERS } from './comments.service.ts';
import { as, person, track, type Person } from './comments.test-support.ts';

const testApp = useTestApp();

async function commentCount(trackId: string) {
  const [row] = await testApp.current.database.sql`
    SELECT t.comment_count,
           (SELECT count(*)::int FROM track_comments c
            WHERE c.track_id = t.id AND c.deleted_at IS NULL AND NOT c.is_deleted) AS live,
           (SELECT count(*)::int FROM track_comments c WHERE c.track_id = t.id) AS rows
    FROM tracks t WHERE t.id = ${trackId}`;
  return { counter: row?.comment_count as number, live: row?.live as number, rows: row?.rows as number };
}

async function stored(commentId: string) {
  const [row] = await testApp.current.database.sql`
    SELECT content, is_deleted, deleted_at, is_edited, parent_comment_id, timestamp_seconds
    FROM track_comments WHERE id = ${commentId}`;
  return row;
}

async function post(who: Person, trackId: string, body: Record<string, unknown>) {
  return as(testApp.current, who)('POST', `/v1/tracks/${trackId}/comments`, body);
}

async function comment(who: Person, trackId: string, body: Record<string, unknown>): Promise<string> {
  const answer = await post(who, trackId, body);
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json().id as string;
}

test('a comment at a moment, a reply, and a reply to a reply joining the thread', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id, { duration: 180 });

  const first = await post(fan, song.id, { content: '  The drop at 1:12 👀 ', timestamp_seconds: 72 });
  assert.equal(first.statusCode, 201, first.body);
  const body = first.json();
  assert.equal(first.headers.location, `/v1/comments/${body.id}`);
  assert.deepEqual(
    { ...body, id: undefined, created_at: undefined, updated_at: undefined },
    {
      id: undefined,
      track_id: song.id,
      parent_comment_id: null,
      author: { id: fan.id, username: fan.username, display_name: null },
      content: 'The drop at 1:12 👀',
      timestamp_seconds: 72,
      is_edited: false,
      is_deleted: false,
      removed_by: null,
      reply_count: 0,
      created_at: undefined,
      updated_at: undefined,
    },
  );
  // The first and last moments are both inside the track.
  await comment(fan, song.id, { content: 'From the very start', timestamp_seconds: 0 });
  await comment(fan, song.id, { content: 'That ending', timestamp_seconds: 180 });
  await comment(fan, song.id, { content: 'No moment', timestamp_seconds: null });

  const reply = await post(creator, song.id, { content: 'שלום — thanks! مرحبا', parent_comment_id: body.id });
  assert.equal(reply.statusCode, 201, reply.body);
  assert.equal(reply.json().parent_comment_id, body.id);
  assert.equal(reply.json().timestamp_seconds, null);
  const nested = await post(fan, song.id, { content: 'Replying to the reply', parent_comment_id: reply.json().id });
  assert.equal(nested.statusCode, 201);
  assert.equal(nested.json().parent_comment_id, body.id, 'threads are one level deep');

  const read = await as(testApp.current, null)('GET', `/v1/comments/${body.id}`);
  assert.equal(read.statusCode, 200);
  assert.equal(read.json().reply_count, 2);
  assert.match(String(read.headers.etag), /^"[A-Za-z0-9_-]+"$/);
  assert.deepEqual(await commentCount(song.id), { counter: 6, live: 6, rows: 6 });
});

test('bad input is a 400 naming the field and the rule, and writes nothing', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id, { duration: 180 });
  const other = await track(testApp.current, creator.id);
  const parent = await comment(fan, song.id, { content: 'parent', timestamp_seconds: 10 });
  const elsewhere = await comment(fan, other.id, { content: 'on another track' });
  const gone = await comment(fan, song.id, { content: 'to be deleted' });
  assert.equal((await as(testApp.current, fan)('DELETE', `/v1/comments/${gone}`)).statusCode, 204);
  const before = await commentCount(song.id);

  const cases: [string, Record<string, unknown>, string, string][] = [
    ['past the end', { content: 'x', timestamp_seconds: 181 }, 'body.timestamp_seconds', 'maximum'],
    ['negative', { content: 'x', timestamp_seconds: -1 }, 'body.timestamp_seconds', 'minimum'],
    ['not a whole second', { content: 'x', timestamp_seconds: 1.5 }, 'body.timestamp_seconds', 'type'],
    ['a string moment', { content: 'x', timestamp_seconds: '12' }, 'body.timestamp_seconds', 'type'],
    ['empty', { content: '' }, 'body.content', 'minLength'],
    ['white space', { content: ' \n\t  ' }, 'body.content', 'notBlank'],
    ['10,000 characters', { content: 'a'.repeat(10_000) }, 'body.content', 'maxLength'],
    ['2,001 emoji', { content: '🎧'.repeat(2001) }, 'body.content', 'maxLength'],
    ['a bidi override', { content: 'abc\u202Edef' }, 'body.content', 'pattern'],
    ['a control character', { content: 'bell\u0007' }, 'body.content', 'pattern'],
    ['no content', { timestamp_seconds: 3 }, 'body.content', 'required'],
    ['an unknown field', { content: 'x', rating: 5 }, 'body.rating', 'additionalProperties'],
    [
      'a parent on another track',
      { content: 'x', parent_comment_id: elsewhere },
      'body.parent_comment_id',
      'sameTrack',
    ],
    [
      'a parent that never existed',
      { content: 'x', parent_comment_id: randomUUID() },
      'body.parent_comment_id',
      'sameTrack',
    ],
    ['a deleted parent', { content: 'x', parent_comment_id: gone }, 'body.parent_comment_id', 'notDeleted'],
    [
      'a reply with a moment',
      { content: 'x', parent_comment_id: parent, timestamp_seconds: 3 },
      'body.timestamp_seconds',
      'notForReplies',
    ],
    ['a malformed parent id', { content: 'x', parent_comment_id: 'nope' }, 'body.parent_comment_id', 'format'],
  ];
  for (const [name, payload, field, rule] of cases) {
    const answer = await post(fan, song.id, payload);
    assert.equal(answer.statusCode, 400, `${name}: ${answer.body}`);
    const problem = answer.json();
    assert.equal(problem.code, 'VALIDATION_FAILED', name);
    assert.ok(
      problem.errors.some((error: { field: string; rule: string }) => error.field === field && error.rule === rule),
      `${name}: ${JSON.stringify(problem.errors)}`,
    );
  }
  assert.deepEqual(await commentCount(song.id), before, 'nothing was written');

  // The limits, exactly: 2,000 characters (emoji count as one) pass, in RTL scripts too.
  assert.equal((await post(fan, song.id, { content: '🎧'.repeat(2000) })).statusCode, 201);
  assert.equal((await post(fan, song.id, { content: 'ب'.repeat(2000) })).statusCode, 201);
  assert.equal((await post(fan, song.id, { content: 'line one\r\nline two' })).json().content, 'line one\nline two');
  // NFC: the decomposed and composed "é" are stored the same.
  assert.equal((await post(fan, song.id, { content: 'cafe\u0301' })).json().content, 'café');
});

test('a track one may not see has no comments to read or write (404)', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const hidden = await track(testApp.current, creator.id, { visibility: 'private' });
  const own = await comment(creator, hidden.id, { content: 'note to self', timestamp_seconds: 5 });
  const call = as(testApp.current, fan);
  for (const [method, url, payload] of [
    ['POST', `/v1/tracks/${hidden.id}/comments`, { content: 'hi' }],
    ['GET', `/v1/tracks/${hidden.id}/comments`],
    ['GET', `/v1/tracks/${hidden.id}/comments/markers`],
  ] as const) {
    const answer = await call(method, url, payload);
    assert.equal(answer.statusCode, 404, `${method} ${url}`);
    assert.equal(answer.json().code, 'TRACK_NOT_FOUND');
  }
  for (const [method, url, payload] of [
    ['GET', `/v1/comments/${own}`],
    ['GET', `/v1/comments/${own}/replies`],
    ['PATCH', `/v1/comments/${own}`, { content: 'changed' }],
    ['DELETE', `/v1/comments/${own}`],
  ] as const) {
    const answer = await call(method, url, payload);
    assert.equal(answer.statusCode, 404, `${method} ${url}`);
    assert.equal(answer.json().code, 'COMMENT_NOT_FOUND');
  }
  assert.equal((await stored(own))?.content, 'note to self');
  assert.equal((await as(testApp.current, null)('GET', `/v1/tracks/${hidden.id}/comments`)).statusCode, 404);
  assert.equal((await as(testApp.current, creator)('GET', `/v1/tracks/${hidden.id}/comments`)).statusCode, 200);
});

test('top-level lists newest or oldest first with reply counts, replies oldest first, every row once', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const { sql } = testApp.current.database;
  const ids: string[] = [];
  for (let i = 0; i < 7; i += 1) ids.push(await comment(fan, song.id, { content: `comment ${i}` }));
  // Ties on created_at: the id orders them, pages stay exact.
  await sql`UPDATE track_comments SET created_at = '2025-05-05T05:05:05Z' WHERE id IN ${sql([ids[2]!, ids[3]!, ids[4]!])}`;
  const replies: string[] = [];
  for (let i = 0; i < 5; i += 1)
    replies.push(await comment(creator, song.id, { content: `reply ${i}`, parent_comment_id: ids[0] }));

  const walk = async (url: string, limit: number) => {
    const items: { id: string; reply_count: number }[] = [];
    let cursor: string | null = null;
    do {
      const separator = url.includes('?') ? '&' : '?';
      const answer = await as(testApp.current, null)(
        'GET',
        `${url}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(answer.statusCode, 200, answer.body);
      items.push(...answer.json().items);
      cursor = answer.json().next_cursor;
    } while (cursor);
    return items;
  };
  const newest = await walk(`/v1/tracks/${song.id}/comments`, 2);
  const expectedNewest = await sql`
    SELECT id FROM track_comments WHERE track_id = ${song.id} AND parent_comment_id IS NULL
    ORDER BY created_at DESC, id DESC`;
  assert.deepEqual(
    newest.map((item) => item.id),
    expectedNewest.map((row) => row.id),
  );
  assert.equal(newest.find((item) => item.id === ids[0])?.reply_count, 5);
  const oldest = await walk(`/v1/tracks/${song.id}/comments?order=oldest`, 3);
  assert.deepEqual(
    oldest.map((item) => item.id),
    [...expectedNewest].reverse().map((row) => row.id),
  );
  const thread = await walk(`/v1/comments/${ids[0]}/replies`, 2);
  assert.deepEqual(
    thread.map((item) => item.id),
    replies,
  );
  assert.equal((await as(testApp.current, null)('GET', `/v1/tracks/${song.id}/comments?order=random`)).statusCode, 400);
  const forged = await as(testApp.current, null)('GET', `/v1/tracks/${song.id}/comments?cursor=Zm9yZ2Vk`);
  assert.equal(forged.statusCode, 400);
  assert.equal(forged.json().errors[0].field, 'query.cursor');
});

test('markers: the live comments of a time range, by moment, in bounded pages', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id, { duration: 300 });
  const at = [5, 30, 30, 30, 61, 120, 299, 300];
  const ids = new Map<string, number>();
  for (const second of at)
    ids.set(await comment(fan, song.id, { content: `at ${second}`, timestamp_seconds: second }), second);
  await comment(fan, song.id, { content: 'no moment' });
  const removed = await comment(fan, song.id, { content: 'deleted one', timestamp_seconds: 40 });
  assert.equal((await as(testApp.current, fan)('DELETE', `/v1/comments/${removed}`)).statusCode, 204);
  const call = as(testApp.current, null);

  const range = await call('GET', `/v1/tracks/${song.id}/comments/markers?from=30&to=120`);
  assert.equal(range.statusCode, 200, range.body);
  const items = range.json().items as { id: string; timestamp_seconds: number; author: { id: string } }[];
  assert.deepEqual(
    items.map((item) => item.timestamp_seconds),
    [30, 30, 30, 61, 120],
  );
  assert.deepEqual(
    items.filter((item) => item.timestamp_seconds === 30).map((item) => item.id),
    items
      .filter((item) => item.timestamp_seconds === 30)
      .map((item) => item.id)
      .sort(),
    'ties in id order',
  );
  assert.equal(items[0]?.author.id, fan.id);

  // The whole track, two by two: every marker once, in order.
  const walked: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(
      'GET',
      `/v1/tracks/${song.id}/comments/markers?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(page.statusCode, 200, page.body);
    walked.push(...page.json().items.map((item: { timestamp_seconds: number }) => item.timestamp_seconds));
    cursor = page.json().next_cursor;
  } while (cursor);
  assert.deepEqual(walked, at);

  for (const query of ['from=50&to=10', 'limit=501', 'limit=0', 'from=-1', 'to=abc', 'cursor=bm9wZQ', 'extra=1']) {
    const answer = await call('GET', `/v1/tracks/${song.id}/comments/markers?${query}`);
    assert.equal(answer.statusCode, 400, `${query}: ${answer.body}`);
  }
  assert.deepEqual((await call('GET', `/v1/tracks/${song.id}/comments/markers?from=301`)).json().items, []);
});

test('edits: the author only, is_edited set, If-Match guards against lost updates', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const moderator = await person(testApp.current, 'moderator');
  const song = await track(testApp.current, creator.id);
  const id = await comment(fan, song.id, { content: 'first words', timestamp_seconds: 9 });
  const call = as(testApp.current, fan);

  const read = await call('GET', `/v1/comments/${id}`);
  const etag = String(read.headers.etag);
  const edited = await call('PATCH', `/v1/comments/${id}`, { content: ' better words ' }, { 'if-match': etag });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().content, 'better words');
  assert.equal(edited.json().is_edited, true);
  assert.equal(edited.json().timestamp_seconds, 9);
  assert.notEqual(edited.headers.etag, etag);

  const stale = await call('PATCH', `/v1/comments/${id}`, { content: 'stale' }, { 'if-match': etag });
  assert.equal(stale.statusCode, 412);
  assert.equal(stale.json().errors[0].field, 'headers.if-match');
  assert.equal((await stored(id))?.content, 'better words');

  for (const intruder of [creator, moderator]) {
    const answer = await as(testApp.current, intruder)('PATCH', `/v1/comments/${id}`, { content: 'hijacked' });
    assert.equal(answer.statusCode, 403, answer.body);
  }
  const bad = await call('PATCH', `/v1/comments/${id}`, { content: '   ' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors[0].rule, 'notBlank');
  assert.equal((await call('PATCH', `/v1/comments/${id}`, { content: 'x', timestamp_seconds: 3 })).statusCode, 400);
  assert.equal((await stored(id))?.content, 'better words');

  // Five devices edit at once from the same ETag: exactly one change applies.
  const current = String((await call('GET', `/v1/comments/${id}`)).headers.etag);
  const answers = await Promise.all(
    [1, 2, 3, 4, 5].map((n) =>
      call('PATCH', `/v1/comments/${id}`, { content: `device ${n}` }, { 'if-match': current }),
    ),
  );
  const statuses = answers.map((answer) => answer.statusCode).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412, 412]);
  const winner = answers.find((answer) => answer.statusCode === 200)?.json().content;
  assert.equal((await stored(id))?.content, winner);
});

test('deleting keeps the thread: a placeholder while replies hang under it, words erased, counts exact', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const listener = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const top = await comment(fan, song.id, { content: 'my personal words', timestamp_seconds: 50 });
  const r1 = await comment(listener, song.id, { content: 'reply one', parent_comment_id: top });
  const r2 = await comment(listener, song.id, { content: 'reply two', parent_comment_id: top });
  const lonely = await comment(fan, song.id, { content: 'nobody answered' });
  assert.deepEqual(await commentCount(song.id), { counter: 4, live: 4, rows: 4 });

  assert.equal((await as(testApp.current, fan)('DELETE', `/v1/comments/${top}`)).statusCode, 204);
  const row = await stored(top);
  assert.equal(row?.content, PLACEHOLDERS.author, 'the words are not kept');
  assert.equal(row?.is_deleted, true);
  assert.equal(row?.deleted_at, null, 'still shown as a placeholder');
  assert.deepEqual(await commentCount(song.id), { counter: 3, live: 3, rows: 4 });

  const list = (await as(testApp.current, null)('GET', `/v1/tracks/${song.id}/comments`)).json().items;
  const placeholder = list.find((item: { id: string }) => item.id === top);
  assert.deepEqual(
    [placeholder.is_deleted, placeholder.author, placeholder.content, placeholder.removed_by, placeholder.reply_count],
    [true, null, PLACEHOLDERS.author, 'author', 2],
  );
  const markers = (await as(testApp.current, null)('GET', `/v1/tracks/${song.id}/comments/markers`)).json().items;
  assert.ok(!markers.some((item: { id: string }) => item.id === top), 'no marker for a deleted comment');
  const thread = (await as(testApp.current, null)('GET', `/v1/comments/${top}/replies`)).json().items;
  assert.deepEqual(
    thread.map((item: { id: string }) => item.id),
    [r1, r2],
  );
  // A placeholder can be neither edited nor deleted again, nor replied to.
  assert.equal((await as(testApp.current, fan)('PATCH', `/v1/comments/${top}`, { content: 'back' })).statusCode, 404);
  assert.equal((await as(testApp.current, fan)('DELETE', `/v1/comments/${top}`)).statusCode, 404);
  assert.equal((await post(listener, song.id, { content: 'late', parent_comment_id: r1 })).statusCode, 400);

  // A comment nobody answered is gone at once.
  assert.equal((await as(testApp.current, fan)('DELETE', `/v1/comments/${lonely}`)).statusCode, 204);
  assert.notEqual((await stored(lonely))?.deleted_at, null);
  assert.equal((await as(testApp.current, null)('GET', `/v1/comments/${lonely}`)).statusCode, 404);

  // The track's creator removes one reply, then the other's author deletes it: the placeholder goes with the last.
  assert.equal((await as(testApp.current, creator)('DELETE', `/v1/comments/${r1}`)).statusCode, 204);
  assert.equal((await stored(r1))?.content, PLACEHOLDERS.creator);
  assert.equal((await stored(top))?.deleted_at, null);
  assert.equal((await as(testApp.current, listener)('DELETE', `/v1/comments/${r2}`)).statusCode, 204);
  assert.notEqual((await stored(top))?.deleted_at, null, 'the placeholder held nothing any more');
  assert.deepEqual((await as(testApp.current, null)('GET', `/v1/tracks/${song.id}/comments`)).json().items, []);
  assert.deepEqual(await commentCount(song.id), { counter: 0, live: 0, rows: 4 });
});

test('moderation: the creator and moderators remove comments and replies, others get 403', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const bystander = await person(testApp.current);
  const moderator = await person(testApp.current, 'moderator');
  const admin = await person(testApp.current, 'admin');
  const song = await track(testApp.current, creator.id);
  const spam = await comment(fan, song.id, { content: 'buy followers', timestamp_seconds: 1 });
  const reply = await comment(fan, song.id, { content: 'more spam', parent_comment_id: spam });
  const other = await comment(fan, song.id, { content: 'still spam' });

  const refused = await as(testApp.current, bystander)('DELETE', `/v1/comments/${spam}`);
  assert.equal(refused.statusCode, 403);
  assert.equal((await stored(spam))?.content, 'buy followers');

  assert.equal((await as(testApp.current, moderator)('DELETE', `/v1/comments/${spam}`)).statusCode, 204);
  const shown = (await as(testApp.current, null)('GET', `/v1/comments/${spam}`)).json();
  assert.deepEqual([shown.removed_by, shown.content], ['moderator', PLACEHOLDERS.moderator]);
  assert.equal((await as(testApp.current, creator)('DELETE', `/v1/comments/${reply}`)).statusCode, 204);
  assert.equal((await as(testApp.current, admin)('DELETE', `/v1/comments/${other}`)).statusCode, 204);
  assert.deepEqual(await commentCount(song.id), { counter: 0, live: 0, rows: 3 });

  // Their own comment stays the author's to delete even once the track is hidden from them.
  const hiddenLater = await track(testApp.current, creator.id);
  const mine = await comment(bystander, hiddenLater.id, { content: 'mine' });
  await testApp.current.database.sql`UPDATE tracks SET visibility = 'private' WHERE id = ${hiddenLater.id}`;
  assert.equal((await as(testApp.current, bystander)('GET', `/v1/comments/${mine}`)).statusCode, 404);
  assert.equal((await as(testApp.current, bystander)('DELETE', `/v1/comments/${mine}`)).statusCode, 204);
  assert.equal((await stored(mine))?.content, PLACEHOLDERS.author);
});

test('parallel writes: comment_count exact, and a reply racing its parent’s deletion keeps the thread whole', async () => {
  const creator = await person(testApp.current);
  const people = await Promise.all(Array.from({ length: 10 }, () => person(testApp.current)));
  const song = await track(testApp.current, creator.id);

  const created = await Promise.all(
    people.flatMap((who, i) =>
      [0, 1, 2].map((n) => post(who, song.id, { content: `${i}/${n}`, timestamp_seconds: n })),
    ),
  );
  assert.ok(created.every((answer) => answer.statusCode === 201));
  assert.deepEqual(await commentCount(song.id), { counter: 30, live: 30, rows: 30 });
  const ids = created.map((answer) => answer.json().id as string);
  const authorOf = new Map(created.map((answer, i) => [answer.json().id as string, people[Math.floor(i / 3)]!]));
  const deletions = await Promise.all(
    ids.slice(0, 15).map((id) => as(testApp.current, authorOf.get(id)!)('DELETE', `/v1/comments/${id}`)),
  );
  assert.ok(deletions.every((answer) => answer.statusCode === 204));
  assert.deepEqual(await commentCount(song.id), { counter: 15, live: 15, rows: 30 });

  // Ten rounds: replies and the deletion of their parent at once. Whatever wins, a reply that was written hangs
  // under a placeholder that is still shown, and a refused reply wrote nothing.
  for (let round = 0; round < 10; round += 1) {
    const author = people[round]!;
    const parent = await comment(author, song.id, { content: `round ${round}` });
    const answers = await Promise.all([
      post(people[(round + 1) % 10]!, song.id, { content: 'reply a', parent_comment_id: parent }),
      as(testApp.current, author)('DELETE', `/v1/comments/${parent}`),
      post(people[(round + 2) % 10]!, song.id, { content: 'reply b', parent_comment_id: parent }),
    ]);
    assert.equal(answers[1].statusCode, 204);
    const written = [answers[0], answers[2]].filter((answer) => answer.statusCode === 201).length;
    for (const answer of [answers[0], answers[2]]) assert.ok([201, 400].includes(answer.statusCode), answer.body);
    const parentRow = await stored(parent);
    const [{ replies }] = (await testApp.current.database.sql`
      SELECT count(*)::int AS replies FROM track_comments WHERE parent_comment_id = ${parent}`) as unknown as [
      { replies: number },
    ];
    assert.equal(replies, written, 'a refused reply wrote nothing');
    assert.equal(parentRow?.is_deleted, true);
    assert.equal(parentRow?.deleted_at === null, written > 0, 'a placeholder exactly when replies hang under it');
  }
  const totals = await commentCount(song.id);
  assert.equal(totals.counter, totals.live);
});

test('replies to a reply racing the deletion of that reply and of its thread: never a 5xx, the shape holds', async () => {
  const creator = await person(testApp.current);
  const people = await Promise.all(Array.from({ length: 4 }, () => person(testApp.current)));
  const song = await track(testApp.current, creator.id);
  for (let round = 0; round < 8; round += 1) {
    const top = await comment(people[0]!, song.id, { content: `top ${round}` });
    const middle = await comment(people[1]!, song.id, { content: `reply ${round}`, parent_comment_id: top });
    const answers = await Promise.all([
      post(people[2]!, song.id, { content: 'to the reply', parent_comment_id: middle }),
      as(testApp.current, people[1]!)('DELETE', `/v1/comments/${middle}`),
      post(people[3]!, song.id, { content: 'to the reply too', parent_comment_id: middle }),
      as(testApp.current, people[0]!)('DELETE', `/v1/comments/${top}`),
    ]);
    for (const answer of answers) assert.ok([201, 204, 400].includes(answer.statusCode), answer.body);
    assert.equal(answers[1].statusCode, 204);
    assert.equal(answers[3].statusCode, 204);
    const rows = await testApp.current.database.sql`
      SELECT count(*) FILTER (WHERE deleted_at IS NULL AND NOT is_deleted)::int AS live
      FROM track_comments WHERE parent_comment_id = ${top}`;
    const topRow = await stored(top);
    assert.equal(topRow?.deleted_at === null, (rows[0]?.live as number) > 0, 'a placeholder exactly while it holds');
  }
  const totals = await commentCount(song.id);
  assert.equal(totals.counter, totals.live);
});

test('an Idempotency-Key makes a retried comment one comment', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const key = randomUUID();
  const call = as(testApp.current, fan);
  const first = await call('POST', `/v1/tracks/${song.id}/comments`, { content: 'once' }, { 'idempotency-key': key });
  const retry = await call('POST', `/v1/tracks/${song.id}/comments`, { content: 'once' }, { 'idempotency-key': key });
  assert.equal(first.statusCode, 201);
  assert.equal(retry.statusCode, 201);
  assert.equal(retry.headers['idempotent-replayed'], 'true');
  assert.equal(retry.json().id, first.json().id);
  assert.deepEqual(await commentCount(song.id), { counter: 1, live: 1, rows: 1 });
  const reused = await call('POST', `/v1/tracks/${song.id}/comments`, { content: 'twice' }, { 'idempotency-key': key });
  assert.equal(reused.statusCode, 422);
});
