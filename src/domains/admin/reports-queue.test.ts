// Reports and the moderators' queue (issue 18 §11, ADR 0095): what can be reported, one open report per reporter and
// target even when two arrive at once, the queue's filters and pages, and claims that only one moderator wins.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, fileReport, member, publicPost } from './moderation.test-support.ts';

const testApp = useTestApp();

test('a report on nothing, or on what the reporter cannot see, is 404', async () => {
  const t = testApp.current;
  const reporter = await member(t);
  const author = await member(t);
  const report = (entity_type: string, entity_id: string) =>
    as(t, reporter)('POST', '/v1/reports', { entity_type, entity_id, reason: 'spam' });

  for (const type of ['track', 'track_comment', 'post', 'post_comment', 'message', 'product', 'user', 'group']) {
    const answer = await report(type, randomUUID());
    assert.equal(answer.statusCode, 404, `${type}: ${answer.body}`);
    assert.equal(answer.json<{ code: string }>().code, 'MODERATION_TARGET_NOT_FOUND');
  }
  const { sql } = t.database;
  const privatePost = await allFactories.posts!(sql, { user_id: author.id, visibility: 'private' });
  const draftTrack = await allFactories.tracks!(sql, { creator_id: author.id, visibility: 'public' });
  const privateTrack = await allFactories.tracks!(sql, {
    creator_id: author.id,
    visibility: 'private',
    published_at: new Date('2025-01-01T00:00:00Z'),
  });
  const draftProduct = await allFactories.products!(sql, { seller_id: author.id });
  const strangersMessage = await allFactories.messages!(sql, { sender_id: author.id });
  const banned = await member(t);
  await sql`UPDATE users SET is_banned = true WHERE id = ${banned.id}`;
  for (const [type, id] of [
    ['post', privatePost.id],
    ['track', draftTrack.id],
    ['track', privateTrack.id],
    ['product', draftProduct.id],
    ['message', strangersMessage.id],
    ['user', banned.id],
  ] as const) {
    assert.equal((await report(type, String(id))).statusCode, 404, `${type} ${String(id)}`);
  }
  assert.equal(await countReports(t), 0);
});

async function countReports(t: typeof testApp.current) {
  return Number((await t.database.sql`SELECT count(*)::int AS n FROM moderation_reports`)[0]!.n);
}

test('one open report per reporter and target, even when two arrive at once; after a decision, a new one', async () => {
  const t = testApp.current;
  const reporter = await member(t);
  const author = await member(t);
  const moderator = await member(t, 'moderator');
  const postId = await publicPost(t, author, 'Reported twice at the same instant');
  const body = { entity_type: 'post', entity_id: postId, reason: 'hate', details: 'Slurs in the second line' };
  const both = await Promise.all([
    as(t, reporter)('POST', '/v1/reports', body),
    as(t, reporter)('POST', '/v1/reports', body),
  ]);
  assert.deepEqual(both.map((answer) => answer.statusCode).sort(), [201, 409], both.map((a) => a.body).join('\n'));
  const refused = both.find((answer) => answer.statusCode === 409)!;
  assert.equal(refused.json<{ code: string }>().code, 'REPORT_ALREADY_OPEN');
  const reportId = both.find((answer) => answer.statusCode === 201)!.json<{ id: string }>().id;

  // Someone else may report the same post.
  await fileReport(t, await member(t), 'post', postId);

  const dismissed = await as(t, moderator)('POST', `/v1/moderation/reports/${reportId}/resolution`, {
    action: 'dismiss',
    reason: 'Quoting a slur to condemn it is allowed',
  });
  assert.equal(dismissed.statusCode, 200, dismissed.body);
  assert.equal(dismissed.json<{ report: { status: string } }>().report.status, 'dismissed');
  assert.equal(dismissed.json<{ action: unknown }>().action, null);
  // Closed: acting on it again is refused, and the reporter may report again.
  const closed = await as(t, moderator)('POST', `/v1/moderation/reports/${reportId}/resolution`, {
    action: 'hide',
    reason: 'Changed my mind',
  });
  assert.equal(closed.statusCode, 409);
  assert.equal(closed.json<{ code: string }>().code, 'REPORT_CLOSED');
  await fileReport(t, reporter, 'post', postId);
  const mine = (await as(t, reporter)('GET', '/v1/me/reports')).json<{
    items: { id: string; status: string; resolution_note: string | null; outcome: string | null }[];
  }>();
  assert.deepEqual(
    mine.items.map((item) => [item.status, item.outcome]),
    [
      ['open', null],
      ['dismissed', null],
    ],
  );
  assert.equal(mine.items[1]!.resolution_note, 'Quoting a slur to condemn it is allowed');
});

test('two moderators claiming at once: exactly one wins; assignment and release', async () => {
  const t = testApp.current;
  const first = await member(t, 'moderator');
  const second = await member(t, 'moderator');
  const reportId = await fileReport(t, await member(t), 'user', (await member(t)).id, 'impersonation');
  const claims = await Promise.all([
    as(t, first)('POST', `/v1/moderation/reports/${reportId}/claim`),
    as(t, second)('POST', `/v1/moderation/reports/${reportId}/claim`),
  ]);
  assert.deepEqual(claims.map((answer) => answer.statusCode).sort(), [200, 409], claims.map((a) => a.body).join('\n'));
  const winner = claims[0].statusCode === 200 ? first : second;
  const loser = winner === first ? second : first;
  const [row] = await t.database
    .sql`SELECT assigned_moderator_id, status FROM moderation_reports WHERE id = ${reportId}`;
  assert.equal(row!.assigned_moderator_id, winner.id);
  assert.equal(row!.status, 'in_review');
  // Claiming one's own claim again is harmless; the loser still cannot.
  assert.equal((await as(t, winner)('POST', `/v1/moderation/reports/${reportId}/claim`)).statusCode, 200);
  assert.equal((await as(t, loser)('POST', `/v1/moderation/reports/${reportId}/claim`)).statusCode, 409);

  // Handing it over, to staff only, then back to the queue.
  const toUser = await as(t, winner)('PUT', `/v1/moderation/reports/${reportId}/assignee`, {
    moderator_id: (await member(t)).id,
  });
  assert.equal(toUser.statusCode, 422, toUser.body);
  const handed = await as(t, winner)('PUT', `/v1/moderation/reports/${reportId}/assignee`, { moderator_id: loser.id });
  assert.equal(handed.json<{ assigned_moderator_id: string }>().assigned_moderator_id, loser.id);
  const released = await as(t, loser)('PUT', `/v1/moderation/reports/${reportId}/assignee`, { moderator_id: null });
  assert.equal(released.statusCode, 200, released.body);
  assert.deepEqual(
    [
      released.json<{ status: string }>().status,
      released.json<{ assigned_moderator_id: null }>().assigned_moderator_id,
    ],
    ['open', null],
  );
  assert.equal((await as(t, first)('POST', `/v1/moderation/reports/${randomUUID()}/claim`)).statusCode, 404);
});

test('the queue: oldest first, filtered by status, kind, reason and assignee, in keyset pages', async () => {
  const t = testApp.current;
  const moderator = await member(t, 'moderator');
  const { sql } = t.database;
  await sql`DELETE FROM moderation_reports`;
  const reporter = await member(t);
  const base = Date.parse('2026-01-01T00:00:00Z');
  const ids: string[] = [];
  for (let i = 0; i < 7; i += 1) {
    const row = await allFactories.moderation_reports!(sql, {
      reporter_id: reporter.id,
      entity_type: i % 2 === 0 ? 'post' : 'track',
      reason: i < 5 ? 'spam' : 'hate',
      assigned_moderator_id: i === 3 ? moderator.id : null,
      status: i === 6 ? 'dismissed' : i === 3 ? 'in_review' : 'open',
      resolved_at: i === 6 ? new Date(base + 10 * 60_000) : null,
      created_at: new Date(base + i * 60_000),
    });
    ids.push(String(row.id));
  }
  const queue = async (query: string) => {
    const answer = await as(t, moderator)('GET', `/v1/moderation/reports${query}`);
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json<{ items: { id: string }[]; next_cursor: string | null }>();
  };
  const all: string[] = [];
  let page = await queue('?limit=2');
  all.push(...page.items.map((item) => item.id));
  while (page.next_cursor) {
    page = await queue(`?limit=2&cursor=${page.next_cursor}`);
    all.push(...page.items.map((item) => item.id));
  }
  assert.deepEqual(all, ids.slice(0, 6));
  assert.deepEqual(
    (await queue('?entity_type=post')).items.map((i) => i.id),
    [ids[0], ids[2], ids[4]],
  );
  assert.deepEqual(
    (await queue('?reason=hate')).items.map((i) => i.id),
    [ids[5]],
  );
  assert.deepEqual(
    (await queue('?status=dismissed')).items.map((i) => i.id),
    [ids[6]],
  );
  assert.deepEqual(
    (await queue('?assigned=me')).items.map((i) => i.id),
    [ids[3]],
  );
  assert.equal((await queue('?assigned=none')).items.length, 5);
  const bad = await as(t, moderator)('GET', '/v1/moderation/reports?cursor=nonsense');
  assert.equal(bad.statusCode, 400);
});

test('bad input: suspend without a duration, a duration elsewhere, dismissing without a report', async () => {
  const t = testApp.current;
  const moderator = await member(t, 'moderator');
  const target = await member(t);
  const act = (body: Record<string, unknown>) =>
    as(t, moderator)('POST', '/v1/moderation/actions', {
      entity_type: 'user',
      entity_id: target.id,
      reason: 'x',
      ...body,
    });
  const noDuration = await act({ action: 'suspend' });
  assert.equal(noDuration.statusCode, 400, noDuration.body);
  assert.equal(noDuration.json<{ errors: { field: string }[] }>().errors[0]!.field, 'body.duration_hours');
  assert.equal((await act({ action: 'warn', duration_hours: 3 })).statusCode, 400);
  assert.equal((await act({ action: 'dismiss' })).statusCode, 422);
  assert.equal((await act({ action: 'hide' })).statusCode, 422);
  assert.equal((await act({ action: 'suspend', duration_hours: 0 })).statusCode, 400);
  const tooLong = await as(t, await member(t))('POST', '/v1/reports', {
    entity_type: 'user',
    entity_id: target.id,
    reason: 'other',
    details: 'x'.repeat(5001),
  });
  assert.equal(tooLong.statusCode, 400);
  // A report on a kind nobody can report through the API (a playlist, filed some other way): dismissed only.
  const legacy = await allFactories.moderation_reports!(t.database.sql, {
    entity_type: 'playlist',
    assigned_moderator_id: null,
  });
  const resolve = (action: string) =>
    as(t, moderator)('POST', `/v1/moderation/reports/${String(legacy.id)}/resolution`, { action, reason: 'Old case' });
  assert.equal((await resolve('hide')).statusCode, 422);
  assert.equal((await resolve('dismiss')).statusCode, 200);
  const [row] = await t.database
    .sql`SELECT count(*)::int AS n FROM moderation_actions WHERE target_user_id = ${target.id}`;
  assert.equal(row!.n, 0);
});
