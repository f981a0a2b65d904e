// Issue 18 §11-12 "done when": a report flows through the queue to an action, the content disappears everywhere it
// was shown, the person is notified, and the audit trail shows who did what (ADR 0095).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, fileReport, member, publicPost } from './moderation.test-support.ts';

const testApp = useTestApp();

interface Listed {
  items: { id: string }[];
}

test('a reported post, hidden by a moderator, leaves the feed, the author’s page and search; restore brings it back', async () => {
  const t = testApp.current;
  const author = await member(t);
  const reporter = await member(t);
  const moderator = await member(t, 'moderator');
  const asReporter = as(t, reporter);
  const asModerator = as(t, moderator);
  assert.equal((await asReporter('PUT', `/v1/me/following/${author.id}`)).statusCode, 200);
  const postId = await publicPost(t, author, 'Cheap followers for sale, zebracornish deals every day');

  const shownEverywhere = async () => {
    const feed = (await asReporter('GET', '/v1/me/feed')).json<Listed>().items.map((item) => item.id);
    const page = (await as(t, null)('GET', `/v1/users/${author.username}/posts`)).json<Listed>();
    const found = (await as(t, null)('GET', '/v1/search?q=zebracornish')).json<Listed>();
    const single = await as(t, null)('GET', `/v1/posts/${postId}`);
    return {
      feed: feed.includes(postId),
      page: page.items.some((item) => item.id === postId),
      search: found.items.some((item) => item.id === postId),
      single: single.statusCode === 200,
    };
  };
  assert.deepEqual(await shownEverywhere(), { feed: true, page: true, search: true, single: true });

  const reportId = await fileReport(t, reporter, 'post', postId);
  const queue = await asModerator('GET', '/v1/moderation/reports?entity_type=post&assigned=none');
  assert.equal(queue.statusCode, 200, queue.body);
  assert.ok(queue.json<Listed>().items.some((item) => item.id === reportId));

  const claimed = await asModerator('POST', `/v1/moderation/reports/${reportId}/claim`);
  assert.equal(claimed.statusCode, 200, claimed.body);
  assert.equal(claimed.json<{ status: string }>().status, 'in_review');
  assert.equal(claimed.json<{ assigned_moderator_id: string }>().assigned_moderator_id, moderator.id);

  const hidden = await asModerator('POST', `/v1/moderation/reports/${reportId}/resolution`, {
    action: 'hide',
    reason: 'Spam: selling followers breaks the community rules',
  });
  assert.equal(hidden.statusCode, 200, hidden.body);
  const { report, action } = hidden.json<{
    report: { status: string };
    action: { id: string; action_type: string; target_user_id: string };
  }>();
  assert.equal(report.status, 'resolved');
  assert.equal(action.action_type, 'hide_content');
  assert.equal(action.target_user_id, author.id);

  assert.deepEqual(await shownEverywhere(), { feed: false, page: false, search: false, single: false });

  // The author is told, with the reason, and not by whom.
  const notices = (await as(t, author)('GET', '/v1/me/notifications')).json<{
    items: { type: string; title: string; actor_id: string | null; entity_id: string | null }[];
  }>();
  const notice = notices.items.find((item) => item.type === 'system' && item.entity_id === postId);
  assert.ok(notice, JSON.stringify(notices));
  assert.match(notice.title, /hidden by moderation: Spam: selling followers/);
  assert.equal(notice.actor_id, null);

  // The reporter learns the outcome, never the moderator.
  const mine = await asReporter('GET', '/v1/me/reports');
  assert.equal(mine.statusCode, 200, mine.body);
  const own = mine.json<{ items: { id: string; status: string; outcome: string | null }[] }>().items;
  assert.deepEqual(
    own.map((item) => [item.id, item.status, item.outcome]),
    [[reportId, 'resolved', 'hide_content']],
  );
  assert.ok(!mine.body.includes(moderator.id));

  // The audit trail: the moderator inserted the action, and closed the report.
  const trail = await t.database.sql<{ table_name: string; operation: string; user_id: string | null }[]>`
    SELECT table_name, operation, user_id FROM audit_logs
    WHERE record_id IN (${action.id}, ${reportId}) ORDER BY created_at, table_name, operation`;
  assert.deepEqual(
    trail
      .map(
        (row) =>
          `${row.table_name} ${row.operation} ${row.user_id === moderator.id ? 'moderator' : row.user_id === reporter.id ? 'reporter' : String(row.user_id)}`,
      )
      .sort(),
    [
      'moderation_actions INSERT moderator',
      'moderation_reports INSERT reporter',
      'moderation_reports UPDATE moderator',
      'moderation_reports UPDATE moderator',
    ],
  );

  // Restore undoes the hiding, once.
  const restored = await asModerator('POST', '/v1/moderation/actions', {
    entity_type: 'post',
    entity_id: postId,
    action: 'restore',
    reason: 'Appeal accepted: the link was a joke among friends',
  });
  assert.equal(restored.statusCode, 200, restored.body);
  assert.deepEqual(await shownEverywhere(), { feed: true, page: true, search: true, single: true });
  const again = await asModerator('POST', '/v1/moderation/actions', {
    entity_type: 'post',
    entity_id: postId,
    action: 'restore',
    reason: 'Twice',
  });
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json<{ code: string }>().code, 'MODERATION_ACTION_CONFLICT');
});

test('removing is final, and content its owner deleted cannot be brought back by a restore', async () => {
  const t = testApp.current;
  const author = await member(t);
  const moderator = await member(t, 'moderator');
  const asModerator = as(t, moderator);
  const postId = await publicPost(t, author, 'A post that breaks every rule');
  const act = (action: string) =>
    asModerator('POST', '/v1/moderation/actions', { entity_type: 'post', entity_id: postId, action, reason: 'Rule 3' });
  assert.equal((await act('hide')).statusCode, 200);
  assert.equal((await act('hide')).statusCode, 409);
  assert.equal((await act('remove')).statusCode, 200);
  assert.equal((await act('restore')).statusCode, 409);

  const ownDeleted = await publicPost(t, author, 'Deleted by its author');
  assert.equal((await as(t, author)('DELETE', `/v1/posts/${ownDeleted}`)).statusCode, 204);
  const restore = await asModerator('POST', '/v1/moderation/actions', {
    entity_type: 'post',
    entity_id: ownDeleted,
    action: 'restore',
    reason: 'Trying',
  });
  assert.equal(restore.statusCode, 409, restore.body);
});

test('every kind of content can be reported, hidden (out of its domain’s sight) and restored', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const reporter = await member(t);
  const moderator = await member(t, 'moderator');
  const owner = await member(t);
  const published = new Date('2025-01-01T00:00:00Z');
  const track = await allFactories.tracks!(sql, {
    creator_id: owner.id,
    published_at: published,
    visibility: 'public',
  });
  const trackComment = await allFactories.track_comments!(sql, { track_id: track.id, user_id: owner.id });
  const post = await allFactories.posts!(sql, { user_id: owner.id, visibility: 'public' });
  const postComment = await allFactories.post_comments!(sql, { post_id: post.id, user_id: owner.id });
  const room = await allFactories.rooms!(sql, {});
  await allFactories.room_members!(sql, { room_id: room.id, user_id: reporter.id });
  await allFactories.room_members!(sql, { room_id: room.id, user_id: owner.id });
  const message = await allFactories.messages!(sql, { room_id: room.id, sender_id: owner.id });
  const product = await allFactories.products!(sql, { seller_id: owner.id, status: 'active', published_at: published });
  const group = await allFactories.groups!(sql, { creator_id: owner.id });

  const hiddenState: Record<string, (id: string) => Promise<boolean>> = {
    track: async (id) => (await sql`SELECT deleted_at IS NOT NULL AS h FROM tracks WHERE id = ${id}`)[0]!.h,
    track_comment: async (id) =>
      (await sql`SELECT is_deleted AND deleted_at IS NOT NULL AS h FROM track_comments WHERE id = ${id}`)[0]!.h,
    post_comment: async (id) =>
      (await sql`SELECT deleted_at IS NOT NULL AS h FROM post_comments WHERE id = ${id}`)[0]!.h,
    message: async (id) => (await sql`SELECT is_deleted AS h FROM messages WHERE id = ${id}`)[0]!.h,
    product: async (id) => (await sql`SELECT status = 'suspended' AS h FROM products WHERE id = ${id}`)[0]!.h,
    group: async (id) => (await sql`SELECT deleted_at IS NOT NULL AS h FROM groups WHERE id = ${id}`)[0]!.h,
  };
  const targets: [string, string][] = [
    ['track', String(track.id)],
    ['track_comment', String(trackComment.id)],
    ['post_comment', String(postComment.id)],
    ['message', String(message.id)],
    ['product', String(product.id)],
    ['group', String(group.id)],
  ];
  for (const [type, id] of targets) {
    const reportId = await fileReport(t, reporter, type, id, 'harassment');
    const resolved = await as(t, moderator)('POST', `/v1/moderation/reports/${reportId}/resolution`, {
      action: 'hide',
      reason: `Hidden ${type}`,
    });
    assert.equal(resolved.statusCode, 200, `${type}: ${resolved.body}`);
    assert.equal(await hiddenState[type]!(id), true, type);
    // Hidden, it is no longer there to report.
    const reportAgain = await as(t, reporter)('POST', '/v1/reports', {
      entity_type: type,
      entity_id: id,
      reason: 'spam',
    });
    assert.equal(reportAgain.statusCode, 404, `${type}: ${reportAgain.body}`);
    const restored = await as(t, moderator)('POST', '/v1/moderation/actions', {
      entity_type: type,
      entity_id: id,
      action: 'restore',
      reason: `Restored ${type}`,
    });
    assert.equal(restored.statusCode, 200, `${type}: ${restored.body}`);
    assert.equal(await hiddenState[type]!(id), false, type);
  }
  const notices =
    await sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${owner.id} AND type = 'system'`;
  assert.equal(notices[0]!.n, targets.length);
});
