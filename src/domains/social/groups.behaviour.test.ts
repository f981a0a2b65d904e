// Groups over HTTP (issue 15 §5, ADR 0065): creation, the directory, joining with and without approval, roles,
// kicks, bans, leaving, transfer, deletion, and a private group's posts kept to its members.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, block, person, publish, type Person } from './posts.test-support.ts';

const testApp = useTestApp();

let sequence = 0;
const uniqueSlug = (prefix = 'group') => `${prefix}-${process.pid}-${Date.now()}-${++sequence}`;

async function newGroup(owner: Person, body: Record<string, unknown> = {}) {
  const answer = await as(testApp.current, owner)('POST', '/v1/groups', {
    name: 'Modular synths',
    slug: uniqueSlug(),
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string; slug: string; member_count: number; my_role: string }>();
}

async function counters(groupId: string) {
  const [row] = await testApp.current.database.sql`
    SELECT member_count, post_count,
           (SELECT count(*)::int FROM group_members WHERE group_id = ${groupId} AND status = 'active') AS active
    FROM groups WHERE id = ${groupId}`;
  return row as { member_count: number; post_count: number; active: number };
}

test('a public group: created with its owner, found by slug and in the directory, joined at once', async () => {
  const owner = await person(testApp.current);
  const guest = await person(testApp.current);
  const group = await newGroup(owner, { name: 'Tape loops', description: 'Reel to reel' });
  assert.equal(group.my_role, 'owner');
  assert.equal(group.member_count, 1);

  const taken = await as(testApp.current, guest)('POST', '/v1/groups', { name: 'Other', slug: group.slug });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json().code, 'GROUP_SLUG_TAKEN');

  const bySlug = await as(testApp.current, null)('GET', `/v1/groups/by-slug/${group.slug}`);
  assert.equal(bySlug.statusCode, 200);
  assert.equal(bySlug.json().id, group.id);
  assert.equal(bySlug.json().my_role, null);

  const listed = await as(testApp.current, guest)('GET', `/v1/groups?q=${encodeURIComponent('tape l')}`);
  assert.deepEqual(
    listed.json().items.map((g: { id: string }) => g.id),
    [group.id],
  );
  assert.equal((await as(testApp.current, guest)('GET', '/v1/groups?q=%25')).json().items.length, 0);

  const joined = await as(testApp.current, guest)('POST', `/v1/groups/${group.id}/join`);
  assert.equal(joined.statusCode, 200, joined.body);
  assert.equal(joined.json().status, 'active');
  assert.equal(joined.json().group.member_count, 2);
  const again = await as(testApp.current, guest)('POST', `/v1/groups/${group.id}/join`);
  assert.equal(again.json().status, 'active', 'joining twice is a no-op');
  assert.deepEqual(await counters(group.id), { member_count: 2, post_count: 0, active: 2 });

  const mine = await as(testApp.current, guest)('GET', '/v1/me/groups');
  assert.deepEqual(
    mine.json().items.map((g: { id: string; my_role: string }) => [g.id, g.my_role]),
    [[group.id, 'member']],
  );

  const members = await as(testApp.current, null)('GET', `/v1/groups/${group.id}/members?limit=1`);
  assert.equal(members.statusCode, 200);
  assert.equal(members.json().items.length, 1);
  const next = await as(testApp.current, null)(
    'GET',
    `/v1/groups/${group.id}/members?limit=1&cursor=${members.json().next_cursor}`,
  );
  assert.equal(next.json().items.length, 1);
  assert.notEqual(next.json().items[0].user.id, members.json().items[0].user.id);
  assert.equal(next.json().next_cursor, null);
});

test('approval: requests stay pending until a moderator approves or declines them; members may not review', async () => {
  const owner = await person(testApp.current);
  const moderator = await person(testApp.current);
  const member = await person(testApp.current);
  const asker = await person(testApp.current);
  const other = await person(testApp.current);
  const group = await newGroup(owner, { requires_approval: true });
  for (const who of [moderator, member]) {
    assert.equal((await as(testApp.current, who)('POST', `/v1/groups/${group.id}/join`)).json().status, 'pending');
    const approved = await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/members/${who.id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'active');
  }
  const promoted = await as(testApp.current, owner)('PATCH', `/v1/groups/${group.id}/members/${moderator.id}`, {
    role: 'moderator',
  });
  assert.equal(promoted.json().role, 'moderator');

  assert.equal((await as(testApp.current, asker)('POST', `/v1/groups/${group.id}/join`)).json().status, 'pending');
  assert.equal((await as(testApp.current, other)('POST', `/v1/groups/${group.id}/join`)).json().status, 'pending');
  assert.equal((await counters(group.id)).member_count, 3, 'pending members do not count');

  const asMember = await as(testApp.current, member)('GET', `/v1/groups/${group.id}/members?status=pending`);
  assert.equal(asMember.statusCode, 403);
  assert.equal(asMember.json().code, 'GROUP_ROLE_TOO_LOW');
  const notByMember = await as(testApp.current, member)('POST', `/v1/groups/${group.id}/members/${asker.id}/approve`);
  assert.equal(notByMember.statusCode, 403);

  const pending = await as(testApp.current, moderator)('GET', `/v1/groups/${group.id}/members?status=pending`);
  assert.equal(pending.statusCode, 200);
  assert.deepEqual(
    new Set(pending.json().items.map((m: { user: { id: string } }) => m.user.id)),
    new Set([asker.id, other.id]),
  );

  assert.equal(
    (await as(testApp.current, moderator)('POST', `/v1/groups/${group.id}/members/${asker.id}/approve`)).statusCode,
    200,
  );
  const twice = await as(testApp.current, moderator)('POST', `/v1/groups/${group.id}/members/${asker.id}/approve`);
  assert.equal(twice.statusCode, 409);
  assert.equal(twice.json().code, 'GROUP_MEMBER_NOT_PENDING');
  assert.equal(
    (await as(testApp.current, moderator)('DELETE', `/v1/groups/${group.id}/members/${other.id}`)).statusCode,
    204,
  );
  assert.deepEqual(await counters(group.id), { member_count: 4, post_count: 0, active: 4 });
});

test('roles: kicks and role changes need a higher role; bans keep people out until lifted', async () => {
  const owner = await person(testApp.current);
  const admin = await person(testApp.current);
  const moderator = await person(testApp.current);
  const member = await person(testApp.current);
  const group = await newGroup(owner);
  for (const who of [admin, moderator, member]) await as(testApp.current, who)('POST', `/v1/groups/${group.id}/join`);
  await as(testApp.current, owner)('PATCH', `/v1/groups/${group.id}/members/${admin.id}`, { role: 'admin' });
  await as(testApp.current, admin)('PATCH', `/v1/groups/${group.id}/members/${moderator.id}`, { role: 'moderator' });

  const upward = await as(testApp.current, admin)('PATCH', `/v1/groups/${group.id}/members/${member.id}`, {
    role: 'admin',
  });
  assert.equal(upward.statusCode, 403, 'an admin gives roles below theirs only');
  const kickAdmin = await as(testApp.current, moderator)('DELETE', `/v1/groups/${group.id}/members/${admin.id}`);
  assert.equal(kickAdmin.statusCode, 403);
  const modBans = await as(testApp.current, moderator)('PUT', `/v1/groups/${group.id}/bans/${member.id}`);
  assert.equal(modBans.statusCode, 403, 'moderators do not ban');

  assert.equal((await as(testApp.current, admin)('PUT', `/v1/groups/${group.id}/bans/${member.id}`)).statusCode, 204);
  assert.equal((await counters(group.id)).member_count, 3);
  const rejoin = await as(testApp.current, member)('POST', `/v1/groups/${group.id}/join`);
  assert.equal(rejoin.statusCode, 403);
  assert.equal(rejoin.json().code, 'GROUP_BANNED');
  const banned = await as(testApp.current, admin)('GET', `/v1/groups/${group.id}/members?status=banned`);
  assert.deepEqual(
    banned.json().items.map((m: { user: { id: string } }) => m.user.id),
    [member.id],
  );
  assert.equal(
    (await as(testApp.current, admin)('DELETE', `/v1/groups/${group.id}/bans/${member.id}`)).statusCode,
    204,
  );
  assert.equal((await as(testApp.current, member)('POST', `/v1/groups/${group.id}/join`)).json().status, 'active');

  assert.equal(
    (await as(testApp.current, moderator)('DELETE', `/v1/groups/${group.id}/members/${member.id}`)).statusCode,
    204,
  );
  assert.equal((await counters(group.id)).member_count, 3);
});

test('leave, transfer and delete: the owner transfers before leaving; only the owner deletes', async () => {
  const owner = await person(testApp.current);
  const member = await person(testApp.current);
  const stranger = await person(testApp.current);
  const group = await newGroup(owner);
  await as(testApp.current, member)('POST', `/v1/groups/${group.id}/join`);

  const ownerLeaves = await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/leave`);
  assert.equal(ownerLeaves.statusCode, 409);
  assert.equal(ownerLeaves.json().code, 'GROUP_OWNER_CANNOT_LEAVE');
  const toStranger = await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/transfer`, {
    user_id: stranger.id,
  });
  assert.equal(toStranger.statusCode, 422);
  const transferred = await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/transfer`, {
    user_id: member.id,
  });
  assert.equal(transferred.statusCode, 200, transferred.body);
  assert.equal(transferred.json().role, 'owner');
  assert.equal((await as(testApp.current, owner)('DELETE', `/v1/groups/${group.id}`)).statusCode, 403);
  assert.equal((await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/leave`)).statusCode, 204);
  assert.equal((await counters(group.id)).member_count, 1);

  assert.equal((await as(testApp.current, stranger)('DELETE', `/v1/groups/${group.id}`)).statusCode, 403);
  assert.equal((await as(testApp.current, member)('DELETE', `/v1/groups/${group.id}`)).statusCode, 204);
  assert.equal((await as(testApp.current, member)('GET', `/v1/groups/${group.id}`)).statusCode, 404);
  assert.equal((await as(testApp.current, stranger)('POST', `/v1/groups/${group.id}/join`)).statusCode, 404);
});

test('a private group: not listed, joined by request only, its posts and members for active members only', async () => {
  const owner = await person(testApp.current);
  const outsider = await person(testApp.current);
  const group = await newGroup(owner, { group_type: 'private' });
  const postId = await publish(testApp.current, owner, { content: 'members only', group_id: group.id });
  assert.equal((await counters(group.id)).post_count, 1);

  const listed = await as(testApp.current, outsider)('GET', `/v1/groups?q=${group.slug}`);
  assert.equal(listed.json().items.length, 0);
  assert.equal((await as(testApp.current, outsider)('GET', `/v1/groups/${group.id}`)).statusCode, 200);
  const posts = await as(testApp.current, outsider)('GET', `/v1/groups/${group.id}/posts`);
  assert.equal(posts.statusCode, 403);
  assert.equal(posts.json().code, 'GROUP_MEMBERS_ONLY');
  assert.equal((await as(testApp.current, null)('GET', `/v1/groups/${group.id}/members`)).statusCode, 401);
  assert.equal((await as(testApp.current, outsider)('GET', `/v1/posts/${postId}`)).statusCode, 404);

  assert.equal((await as(testApp.current, outsider)('POST', `/v1/groups/${group.id}/join`)).json().status, 'pending');
  assert.equal((await as(testApp.current, outsider)('GET', `/v1/groups/${group.id}/posts`)).statusCode, 403);
  await as(testApp.current, owner)('POST', `/v1/groups/${group.id}/members/${outsider.id}/approve`);
  const seen = await as(testApp.current, outsider)('GET', `/v1/groups/${group.id}/posts`);
  assert.equal(seen.statusCode, 200);
  assert.deepEqual(
    seen.json().items.map((p: { id: string }) => p.id),
    [postId],
  );
  assert.equal(seen.json().items[0].group_id, group.id);
});

test('group posts: newest first in keyset pages, blocked authors left out, counts exact after deletion', async () => {
  const owner = await person(testApp.current);
  const writer = await person(testApp.current);
  const reader = await person(testApp.current);
  const group = await newGroup(owner);
  for (const who of [writer, reader]) await as(testApp.current, who)('POST', `/v1/groups/${group.id}/join`);
  const first = await publish(testApp.current, owner, { content: 'first', group_id: group.id });
  const second = await publish(testApp.current, writer, { content: 'second', group_id: group.id });
  const third = await publish(testApp.current, owner, { content: 'third', group_id: group.id });

  const page1 = await as(testApp.current, reader)('GET', `/v1/groups/${group.id}/posts?limit=2`);
  assert.deepEqual(
    page1.json().items.map((p: { id: string }) => p.id),
    [third, second],
  );
  const page2 = await as(testApp.current, reader)(
    'GET',
    `/v1/groups/${group.id}/posts?limit=2&cursor=${page1.json().next_cursor}`,
  );
  assert.deepEqual(
    page2.json().items.map((p: { id: string }) => p.id),
    [first],
  );
  assert.equal(page2.json().next_cursor, null);

  await block(testApp.current, writer, reader);
  const blocked = await as(testApp.current, reader)('GET', `/v1/groups/${group.id}/posts`);
  assert.deepEqual(
    blocked.json().items.map((p: { id: string }) => p.id),
    [third, first],
  );
  const members = await as(testApp.current, reader)('GET', `/v1/groups/${group.id}/members`);
  assert.ok(!members.json().items.some((m: { user: { id: string } }) => m.user.id === writer.id));

  assert.equal((await as(testApp.current, writer)('DELETE', `/v1/posts/${second}`)).statusCode, 204);
  assert.deepEqual(await counters(group.id), { member_count: 3, post_count: 2, active: 3 });
});

test('bad input is a 4xx: unknown fields, bad slugs, long names, unknown groups', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  assert.equal((await call('POST', '/v1/groups', { name: 'x', slug: 'Not A Slug' })).statusCode, 400);
  assert.equal((await call('POST', '/v1/groups', { name: 'x'.repeat(256), slug: uniqueSlug() })).statusCode, 400);
  assert.equal((await call('POST', '/v1/groups', { name: '   ', slug: uniqueSlug() })).statusCode, 400);
  assert.equal((await call('POST', '/v1/groups', { name: 'x', slug: uniqueSlug(), extra: 1 })).statusCode, 400);
  assert.equal(
    (await call('POST', '/v1/groups', { name: 'x', slug: uniqueSlug(), avatar_url: 'javascript:1' })).statusCode,
    400,
  );
  assert.equal((await call('GET', '/v1/groups/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  assert.equal((await call('POST', '/v1/groups/00000000-0000-4000-8000-000000000000/join')).statusCode, 404);
  assert.equal((await call('GET', '/v1/groups/not-a-uuid')).statusCode, 400);
  const group = await newGroup(owner);
  assert.equal((await call('PATCH', `/v1/groups/${group.id}`, {})).statusCode, 400);
  assert.equal((await call('PUT', `/v1/groups/${group.id}/bans/${owner.id}`)).statusCode, 400);
  assert.equal((await call('PATCH', `/v1/groups/${group.id}/members/${owner.id}`, { role: 'owner' })).statusCode, 400);
});
