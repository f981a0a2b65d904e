// Posts over HTTP (issue 15 §3-4; ADR 0062, 0063): create with hashtags and mentions, bad input, visibility
// rules, edit with exact hashtag counts, delete, pins, reposts, likes with notifications, comments, attachments,
// group posts, hashtag pages and suggestions, and every block surface.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { hashtagSlug, parseHashtags } from './posts.text.ts';
import {
  as,
  block,
  counts,
  follow,
  group,
  makePrivateProfile,
  notificationsOf,
  person,
  publish,
} from './posts.test-support.ts';

const testApp = useTestApp();

async function usernameOf(who: { id: string }): Promise<string> {
  const [row] = await testApp.current.database.sql`SELECT username FROM users WHERE id = ${who.id}`;
  return String(row?.username);
}

test('pure rules: the hashtag grammar and its matching key', () => {
  assert.deepEqual(
    parseHashtags('#Café au #cafe, #CAFÉ! a#b ##x &#123; #1 #_ok #été_2026 (#Jazz)').tags.map((t) => t.slug),
    ['cafe', '_ok', 'ete_2026', 'jazz'],
  );
  assert.equal(parseHashtags('#Café then #cafe').tags[0]?.tag, 'Café', 'the first spelling is kept');
  assert.equal(hashtagSlug('ＪＡＺＺ'), 'jazz', 'full-width letters fold');
  assert.equal(hashtagSlug('Ñandú'), 'nandu');
  assert.equal(hashtagSlug('123'), '', 'no letter, no tag');
  assert.equal(parseHashtags(`#${'a'.repeat(101)}`).tooLong?.length, 101);
});

test('create, read, edit, delete; bad input is a 4xx naming the field, never a partial write', async () => {
  const ana = await person(testApp.current);
  const ben = await person(testApp.current);
  const { sql } = testApp.current.database;
  const created = await as(testApp.current, ana)('POST', '/v1/posts', { content: 'New single #Jazz #Été' });
  assert.equal(created.statusCode, 201, created.body);
  const post = created.json();
  assert.deepEqual(post.hashtags.sort(), ['Jazz', 'Été'].sort());
  assert.equal(post.author.id, ana.id);
  assert.equal(post.visibility, 'public');

  const page = await as(testApp.current, null)('GET', `/v1/posts/${post.id}`);
  assert.equal(page.statusCode, 200, page.body);
  assert.equal(page.json().liked_by_me, false);
  assert.deepEqual(page.json().first_comments, []);

  for (const [body, status, field] of [
    [{ content: 'x'.repeat(5001) }, 400, 'body.content'],
    [{ content: '   ' }, 400, 'body.content'],
    [{ content: 'a\u0000b' }, 400, 'body.content'],
    [{ content: Array.from({ length: 31 }, (_, i) => `#tag${i}x`).join(' ') }, 422, 'body.content'],
    [{ content: Array.from({ length: 500 }, (_, i) => `#t${i}x`).join(' ') }, 422, 'body.content'],
    [{ content: `#${'a'.repeat(101)}` }, 422, 'body.content'],
    [
      { content: 'ok', image_file_ids: Array.from({ length: 5 }, () => crypto.randomUUID()) },
      400,
      'body.image_file_ids',
    ],
    [{ content: 'ok', group_id: crypto.randomUUID() }, 422, 'body.group_id'],
  ] as const) {
    const answer = await as(testApp.current, ana)('POST', '/v1/posts', body);
    assert.equal(answer.statusCode, status, answer.body.slice(0, 300));
    assert.ok(JSON.stringify(answer.json().errors ?? []).includes(field), answer.body.slice(0, 300));
  }
  const [{ n }] = (await sql`SELECT count(*)::int AS n FROM posts WHERE user_id = ${ana.id}`) as [{ n: number }];
  assert.equal(n, 1, 'refused posts left nothing behind');

  // Edit: the text's hashtags replace the old ones exactly.
  const edited = await as(testApp.current, ana)('PATCH', `/v1/posts/${post.id}`, { content: 'Now #jazz and #blues' });
  assert.equal(edited.statusCode, 200, edited.body);
  const tags = await sql`SELECT slug, usage_count FROM hashtags WHERE slug IN ('jazz', 'ete', 'blues') ORDER BY slug`;
  assert.deepEqual(
    tags.map((t) => [t.slug, t.usage_count]),
    [
      ['blues', 1],
      ['ete', 0],
      ['jazz', 1],
    ],
  );
  assert.equal((await as(testApp.current, ben)('PATCH', `/v1/posts/${post.id}`, { content: 'mine' })).statusCode, 403);
  assert.equal((await as(testApp.current, ben)('DELETE', `/v1/posts/${post.id}`)).statusCode, 403);

  assert.equal((await as(testApp.current, ana)('DELETE', `/v1/posts/${post.id}`)).statusCode, 204);
  assert.equal((await as(testApp.current, ana)('DELETE', `/v1/posts/${post.id}`)).statusCode, 204, 'again: no-op');
  assert.equal((await as(testApp.current, ana)('GET', `/v1/posts/${post.id}`)).statusCode, 404);
  const [jazz] = await sql`SELECT usage_count FROM hashtags WHERE slug = 'jazz'`;
  assert.equal(jazz?.usage_count, 0, 'a deleted post no longer counts for its tags');
});

test('visibility: private posts, private profiles, unlisted posts, private groups', async () => {
  const author = await person(testApp.current);
  const fan = await person(testApp.current);
  const stranger = await person(testApp.current);
  await follow(testApp.current, fan, author);
  const tag = `vis${Date.now()}`;
  const privatePost = await publish(testApp.current, author, { content: `secret #${tag}`, visibility: 'private' });
  const unlisted = await publish(testApp.current, author, { content: `quiet #${tag}`, visibility: 'unlisted' });
  const open = await publish(testApp.current, author, { content: `open #${tag}` });

  assert.equal((await as(testApp.current, fan)('GET', `/v1/posts/${privatePost}`)).statusCode, 200);
  assert.equal((await as(testApp.current, stranger)('GET', `/v1/posts/${privatePost}`)).statusCode, 404);
  assert.equal((await as(testApp.current, null)('GET', `/v1/posts/${privatePost}`)).statusCode, 404);
  assert.equal((await as(testApp.current, stranger)('GET', `/v1/posts/${unlisted}`)).statusCode, 200, 'by link');

  const tagPage = await as(testApp.current, fan)('GET', `/v1/hashtags/${tag.toUpperCase()}/posts`);
  assert.equal(tagPage.statusCode, 200, tagPage.body);
  const tagIds = tagPage.json().items.map((p: { id: string }) => p.id);
  assert.ok(!tagIds.includes(unlisted), 'never unlisted on a tag page');
  assert.ok(tagIds.includes(privatePost) && tagIds.includes(open));
  const strangerTag = (await as(testApp.current, stranger)('GET', `/v1/hashtags/${tag}/posts`)).json();
  assert.deepEqual(
    strangerTag.items.map((p: { id: string }) => p.id),
    [open],
  );
  assert.equal(strangerTag.hashtag.usage_count, 3);

  const profile = (await as(testApp.current, stranger)('GET', `/v1/users/${await usernameOf(author)}/posts`)).json();
  assert.deepEqual(
    profile.items.map((p: { id: string }) => p.id),
    [open],
    'a profile is a public list: unlisted posts only by link',
  );
  const fanView = (await as(testApp.current, fan)('GET', `/v1/users/${await usernameOf(author)}/posts`)).json();
  assert.deepEqual(
    fanView.items.map((p: { id: string }) => p.id),
    [open, unlisted, privatePost],
  );

  await makePrivateProfile(testApp.current, author);
  assert.equal((await as(testApp.current, stranger)('GET', `/v1/posts/${open}`)).statusCode, 404, 'rule 1');
  assert.equal((await as(testApp.current, fan)('GET', `/v1/posts/${open}`)).statusCode, 200, 'accepted follower');
  assert.equal((await as(testApp.current, author)('GET', `/v1/posts/${privatePost}`)).statusCode, 200, 'the author');

  // A private group's post: members only, whatever its visibility.
  const member = await person(testApp.current);
  const groupId = await group(testApp.current, 'private', [member]);
  const inGroup = await publish(testApp.current, member, { content: 'members only', group_id: groupId });
  assert.equal((await as(testApp.current, member)('GET', `/v1/posts/${inGroup}`)).json().group_id, groupId);
  assert.equal((await as(testApp.current, stranger)('GET', `/v1/posts/${inGroup}`)).statusCode, 404);
  const outsider = await as(testApp.current, stranger)('POST', '/v1/posts', { content: 'hi', group_id: groupId });
  assert.equal(outsider.statusCode, 422);
  assert.equal(outsider.json().code, 'POST_GROUP_NOT_WRITABLE');
  const [g] = await testApp.current.database.sql`SELECT post_count FROM groups WHERE id = ${groupId}`;
  assert.equal(g?.post_count, 1);
});

test('reposts: shareable posts only, once, exact counts, unrepost', async () => {
  const author = await person(testApp.current);
  const ben = await person(testApp.current);
  const original = await publish(testApp.current, author, { content: 'share me' });
  const first = await as(testApp.current, ben)('POST', `/v1/posts/${original}/reposts`, {});
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().content, '');
  assert.equal(first.json().repost_of.id, original);
  const again = await as(testApp.current, ben)('POST', `/v1/posts/${original}/reposts`, {});
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().id, first.json().id);
  const quote = await as(testApp.current, ben)('POST', `/v1/posts/${original}/reposts`, { content: 'So good #q' });
  assert.equal(quote.statusCode, 201);
  assert.equal((await counts(testApp.current, original)).repost_count, 2);
  // A repost of a plain repost reposts the original.
  const carol = await person(testApp.current);
  const chained = await as(testApp.current, carol)('POST', `/v1/posts/${first.json().id}/reposts`, {});
  assert.equal(chained.json().repost_of_id, original);

  const secret = await publish(testApp.current, author, { content: 'mine', visibility: 'private' });
  await follow(testApp.current, ben, author);
  const refused = await as(testApp.current, ben)('POST', `/v1/posts/${secret}/reposts`, {});
  assert.equal(refused.statusCode, 422);
  assert.equal(refused.json().code, 'POST_NOT_SHAREABLE');
  const gone = await publish(testApp.current, author, { content: 'soon gone' });
  await as(testApp.current, author)('DELETE', `/v1/posts/${gone}`);
  assert.equal((await as(testApp.current, ben)('POST', `/v1/posts/${gone}/reposts`, {})).statusCode, 404);

  assert.equal((await as(testApp.current, ben)('DELETE', `/v1/posts/${original}/reposts`)).statusCode, 204);
  assert.equal((await as(testApp.current, ben)('DELETE', `/v1/posts/${original}/reposts`)).statusCode, 204);
  const after = await counts(testApp.current, original);
  assert.equal(after.repost_count, 2, 'the quote and carol’s repost remain');
  assert.equal(after.repost_count, after.reposts);
});

test('likes: idempotent, one grouped notification, retracted on unlike, likers list', async () => {
  const author = await person(testApp.current);
  const ben = await person(testApp.current);
  const carol = await person(testApp.current);
  const id = await publish(testApp.current, author, { content: 'like me' });
  for (const who of [ben, ben, carol]) {
    const answer = await as(testApp.current, who)('PUT', `/v1/posts/${id}/like`);
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.json().liked, true);
  }
  assert.equal((await counts(testApp.current, id)).like_count, 2);
  const likes = (await notificationsOf(testApp.current, author)).filter((n) => n.type === 'like');
  assert.equal(likes.length, 1, 'grouped: one notification for both likers');
  const page = (await as(testApp.current, author)('GET', `/v1/posts/${id}/likes?limit=1`)).json();
  assert.equal(page.items.length, 1);
  assert.ok(page.next_cursor);
  const rest = (
    await as(testApp.current, author)('GET', `/v1/posts/${id}/likes?limit=1&cursor=${page.next_cursor}`)
  ).json();
  assert.deepEqual([page.items[0].user.id, rest.items[0].user.id].sort(), [ben.id, carol.id].sort());
  assert.equal((await as(testApp.current, ben)('GET', `/v1/posts/${id}`)).json().liked_by_me, true);
  for (const who of [ben, carol, carol]) await as(testApp.current, who)('DELETE', `/v1/posts/${id}/like`);
  assert.equal((await counts(testApp.current, id)).like_count, 0);
  assert.equal((await notificationsOf(testApp.current, author)).filter((n) => n.type === 'like').length, 0);
});

test('comments: threads one level deep, notifications, edit own, delete by the post’s author, exact count', async () => {
  const author = await person(testApp.current);
  const ben = await person(testApp.current);
  const carol = await person(testApp.current);
  const id = await publish(testApp.current, author, { content: 'talk to me' });
  const top = await as(testApp.current, ben)('POST', `/v1/posts/${id}/comments`, { content: 'Nice' });
  assert.equal(top.statusCode, 201, top.body);
  const reply = await as(testApp.current, carol)('POST', `/v1/posts/${id}/comments`, {
    content: 'Agreed',
    parent_comment_id: top.json().id,
  });
  assert.equal(reply.statusCode, 201, reply.body);
  const deeper = await as(testApp.current, author)('POST', `/v1/posts/${id}/comments`, {
    content: 'Thanks both',
    parent_comment_id: reply.json().id,
  });
  assert.equal(deeper.json().parent_comment_id, top.json().id, 'a reply to a reply joins the thread');
  assert.equal(
    (await as(testApp.current, ben)('POST', `/v1/posts/${id}/comments`, { content: 'x'.repeat(2001) })).statusCode,
    400,
  );
  const foreign = await publish(testApp.current, author, { content: 'elsewhere' });
  const wrongParent = await as(testApp.current, ben)('POST', `/v1/posts/${foreign}/comments`, {
    content: 'hm',
    parent_comment_id: top.json().id,
  });
  assert.equal(wrongParent.statusCode, 422);

  assert.ok((await notificationsOf(testApp.current, author)).some((n) => n.type === 'comment' && n.entity_id === id));
  assert.ok(
    (await notificationsOf(testApp.current, ben)).some(
      (n) => n.type === 'comment' && n.entity_type === 'post_comment' && n.entity_id === top.json().id,
    ),
    'the parent comment’s author hears of replies',
  );

  const list = (await as(testApp.current, null)('GET', `/v1/posts/${id}/comments`)).json();
  assert.deepEqual(
    list.items.map((c: { id: string; reply_count: number }) => [c.id, c.reply_count]),
    [[top.json().id, 2]],
  );
  const replies = (await as(testApp.current, null)('GET', `/v1/posts/${id}/comments/${top.json().id}/replies`)).json();
  assert.equal(replies.items.length, 2);
  const postPage = (await as(testApp.current, null)('GET', `/v1/posts/${id}`)).json();
  assert.equal(postPage.comment_count, 3);
  assert.equal(postPage.first_comments[0].id, top.json().id);

  const c = `/v1/posts/${id}/comments/${top.json().id}`;
  assert.equal((await as(testApp.current, carol)('PATCH', c, { content: 'hijack' })).statusCode, 403);
  assert.equal((await as(testApp.current, ben)('PATCH', c, { content: 'Very nice' })).json().content, 'Very nice');
  assert.equal((await as(testApp.current, carol)('DELETE', c)).statusCode, 403);
  assert.equal((await as(testApp.current, author)('DELETE', c)).statusCode, 204, 'the post’s author moderates');
  const after = await counts(testApp.current, id);
  assert.equal(after.comment_count, 2);
  assert.equal(after.comment_count, after.comments);
});

test('pins: at most 3, pinned first on the profile', async () => {
  const ana = await person(testApp.current);
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await publish(testApp.current, ana, { content: `post ${i}` }));
  for (const id of ids.slice(0, 3))
    assert.equal((await as(testApp.current, ana)('PUT', `/v1/posts/${id}/pin`)).statusCode, 200);
  const fourth = await as(testApp.current, ana)('PUT', `/v1/posts/${ids[3]}/pin`);
  assert.equal(fourth.statusCode, 409);
  assert.equal(fourth.json().code, 'POST_TOO_MANY_PINNED');
  assert.equal((await as(testApp.current, ana)('PUT', `/v1/posts/${ids[0]}/pin`)).statusCode, 200, 'idempotent');
  const profile = (await as(testApp.current, null)('GET', `/v1/users/${await usernameOf(ana)}/posts?limit=1`)).json();
  assert.equal(profile.pinned.length, 3);
  assert.deepEqual(
    profile.items.map((p: { id: string }) => p.id),
    [ids[4]],
  );
  const next = (
    await as(testApp.current, null)(
      'GET',
      `/v1/users/${await usernameOf(ana)}/posts?limit=1&cursor=${profile.next_cursor}`,
    )
  ).json();
  assert.deepEqual(next.pinned, []);
  assert.deepEqual(
    next.items.map((p: { id: string }) => p.id),
    [ids[3]],
  );
  const other = await person(testApp.current);
  assert.equal((await as(testApp.current, other)('PUT', `/v1/posts/${ids[4]}/pin`)).statusCode, 403);
});

test('blocks hide each side everywhere: post page, profile, comments, likers, tag page, mentions', async () => {
  const blocker = await person(testApp.current);
  const blocked = await person(testApp.current);
  const other = await person(testApp.current);
  const { sql } = testApp.current.database;
  const [row] = await sql`SELECT username FROM users WHERE id = ${blocker.id}`;
  const tag = `blk${Date.now()}`;
  const post = await publish(testApp.current, blocker, { content: `mine #${tag}` });
  const theirs = await publish(testApp.current, blocked, { content: `theirs #${tag}` });
  await as(testApp.current, blocked)('PUT', `/v1/posts/${post}/like`);
  await as(testApp.current, blocked)('POST', `/v1/posts/${post}/comments`, { content: 'hello' });
  await as(testApp.current, other)('PUT', `/v1/posts/${post}/like`);
  await block(testApp.current, blocker, blocked);

  assert.equal((await as(testApp.current, blocked)('GET', `/v1/posts/${post}`)).statusCode, 404);
  assert.equal(
    (await as(testApp.current, blocked)('GET', `/v1/users/${await usernameOf(blocker)}/posts`)).statusCode,
    404,
  );
  assert.equal((await as(testApp.current, blocker)('GET', `/v1/posts/${theirs}`)).statusCode, 404, 'both ways');
  assert.equal((await as(testApp.current, blocked)('PUT', `/v1/posts/${post}/like`)).statusCode, 404);
  assert.equal(
    (await as(testApp.current, blocked)('POST', `/v1/posts/${post}/comments`, { content: 'x' })).statusCode,
    404,
  );
  assert.equal((await as(testApp.current, blocked)('POST', `/v1/posts/${post}/reposts`, {})).statusCode, 404);
  const likers = (await as(testApp.current, blocker)('GET', `/v1/posts/${post}/likes`)).json();
  assert.deepEqual(
    likers.items.map((l: { user: { id: string } }) => l.user.id),
    [other.id],
  );
  const comments = (await as(testApp.current, blocker)('GET', `/v1/posts/${post}/comments`)).json();
  assert.deepEqual(comments.items, []);
  const tagIds = (await as(testApp.current, blocker)('GET', `/v1/hashtags/${tag}/posts`))
    .json()
    .items.map((p: { id: string }) => p.id);
  assert.deepEqual(tagIds, [post]);
  // A mention of the blocker by the blocked person is silently not notified (ADR 0062).
  const before = (await notificationsOf(testApp.current, blocker)).length;
  const mention = await as(testApp.current, blocked)('POST', '/v1/posts', { content: `hey @${String(row?.username)}` });
  assert.equal(mention.statusCode, 201);
  assert.equal((await notificationsOf(testApp.current, blocker)).length, before);
  const mentionOther = await as(testApp.current, blocker)('POST', '/v1/posts', {
    content: `hey @${String((await sql`SELECT username FROM users WHERE id = ${other.id}`)[0]?.username)}`,
  });
  assert.equal(mentionOther.statusCode, 201);
  assert.ok((await notificationsOf(testApp.current, other)).some((n) => n.type === 'mention'));
});

test('attachments: clean files of the author only; delivered to whoever may see the post', async () => {
  const ana = await person(testApp.current);
  const ben = await person(testApp.current);
  const { sql } = testApp.current.database;
  const clean = {
    virus_scanned: true,
    virus_scan_result: 'clean',
    is_processed: true,
    metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
  };
  const image = await allFactories.files!(sql, { user_id: ana.id, mime_type: 'image/png', ...clean });
  const audio = await allFactories.files!(sql, { user_id: ana.id, mime_type: 'audio/mpeg', ...clean });
  const theirs = await allFactories.files!(sql, { user_id: ben.id, mime_type: 'image/png', ...clean });
  const wrongKind = await as(testApp.current, ana)('POST', '/v1/posts', {
    content: 'x',
    image_file_ids: [String(audio.id)],
  });
  assert.equal(wrongKind.statusCode, 422);
  const notMine = await as(testApp.current, ana)('POST', '/v1/posts', {
    content: 'x',
    image_file_ids: [String(theirs.id)],
  });
  assert.equal(notMine.statusCode, 422);
  assert.equal(notMine.json().code, 'POST_ATTACHMENT_UNUSABLE');
  const id = await publish(testApp.current, ana, {
    content: 'with media',
    visibility: 'private',
    image_file_ids: [String(image.id)],
    audio_file_id: String(audio.id),
  });
  const url = `/v1/posts/${id}/attachments/${String(image.id)}`;
  const mine = await as(testApp.current, ana)('HEAD', url);
  assert.notEqual(mine.statusCode, 404, mine.body);
  assert.notEqual(mine.statusCode, 403, mine.body);
  assert.equal((await as(testApp.current, ben)('GET', url)).statusCode, 404, 'a private post’s attachment');
  assert.equal(
    (await as(testApp.current, ana)('GET', `/v1/posts/${id}/attachments/${String(theirs.id)}`)).statusCode,
    404,
  );
});

test('tag suggestions: prefix, case and accents folded, most used first', async () => {
  const ana = await person(testApp.current);
  const stem = `sg${Date.now()}`;
  await publish(testApp.current, ana, { content: `#${stem}Éa #${stem}eb` });
  await publish(testApp.current, ana, { content: `#${stem}eb` });
  const answer = await as(testApp.current, null)('GET', `/v1/hashtags?prefix=%23${stem.toUpperCase()}E`);
  assert.equal(answer.statusCode, 200, answer.body);
  assert.deepEqual(
    answer.json().items.map((h: { slug: string; usage_count: number }) => [h.slug, h.usage_count]),
    [
      [`${stem}eb`, 2],
      [`${stem}ea`, 1],
    ],
  );
  assert.equal((await as(testApp.current, null)('GET', '/v1/hashtags/nosuchtag_zz/posts')).statusCode, 404);
});
