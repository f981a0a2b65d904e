// Shared by the posts, comments and hashtags tests: people with tokens, posts made through the API, follows,
// blocks and groups put straight in the database (the tests start from any state).
import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, person, type Call, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Call, type Person };

/** Publishes a post through the API; answers its id. */
export async function publish(testApp: TestApp, who: Person, body: Record<string, unknown>): Promise<string> {
  const answer = await as(testApp, who)('POST', '/v1/posts', body);
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

export async function follow(testApp: TestApp, follower: Person, following: Person): Promise<void> {
  await testApp.database.sql`INSERT INTO follows (follower_id, following_id) VALUES (${follower.id}, ${following.id})`;
}

export async function block(testApp: TestApp, blocker: Person, blocked: Person): Promise<void> {
  await testApp.database.sql`INSERT INTO blocks (blocker_id, blocked_id) VALUES (${blocker.id}, ${blocked.id})`;
}

export async function makePrivateProfile(testApp: TestApp, who: Person): Promise<void> {
  const { sql } = testApp.database;
  await sql`INSERT INTO user_profiles (user_id, profile_visibility) VALUES (${who.id}, 'private')
            ON CONFLICT (user_id) DO UPDATE SET profile_visibility = 'private'`;
}

/** A group of `type` with these active members (the first is its owner); answers its id. */
export async function group(testApp: TestApp, type: 'public' | 'private', members: Person[]): Promise<string> {
  const { sql } = testApp.database;
  const [owner] = members;
  assert.ok(owner);
  const [row] = await sql`INSERT INTO groups (name, slug, group_type, creator_id)
                          VALUES ('Band', ${`band-${Date.now()}-${Math.random().toString(36).slice(2)}`}, ${type},
                                  ${owner.id}) RETURNING id`;
  const id = String(row?.id);
  for (const [i, member] of members.entries())
    await sql`INSERT INTO group_members (group_id, user_id, role, status)
              VALUES (${id}, ${member.id}, ${i === 0 ? 'owner' : 'member'}, 'active')`;
  return id;
}

/** The counters of a post as the database holds them. */
export async function counts(testApp: TestApp, postId: string) {
  const [row] = await testApp.database.sql`
    SELECT like_count, comment_count, repost_count,
           (SELECT count(*)::int FROM post_likes WHERE post_id = ${postId}) AS likes,
           (SELECT count(*)::int FROM post_comments WHERE post_id = ${postId} AND deleted_at IS NULL) AS comments,
           (SELECT count(*)::int FROM posts r WHERE r.repost_of_id = ${postId} AND r.deleted_at IS NULL) AS reposts
    FROM posts WHERE id = ${postId}`;
  return row as {
    like_count: number;
    comment_count: number;
    repost_count: number;
    likes: number;
    comments: number;
    reposts: number;
  };
}

/** The notifications a user holds (type, entity, actor count), oldest first. */
export async function notificationsOf(testApp: TestApp, who: Person) {
  return testApp.database.sql`
    SELECT type::text AS type, entity_type, entity_id FROM notifications
    WHERE user_id = ${who.id} ORDER BY created_at, id`;
}
