// Who may call each route of likes and comments (issue 13: "the BOLA matrix covers every new route"). The routes
// come from /openapi.json (tags `likes` and `comments`), so a route added later is covered without touching this
// file: anonymous callers get 401 from every gated route; another signed-in user can read what the track shows but
// change none of the owner's comments (403) or likes, and reaches nothing of a track hidden from them (404).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { person, track, type Person } from './comments.test-support.ts';

const testApp = useTestApp();

/** Routes anyone may call: whoever may see a track may read its comments. */
const PUBLIC = [
  'GET /v1/tracks/{id}/comments',
  'GET /v1/tracks/{id}/comments/markers',
  'GET /v1/comments/{id}',
  'GET /v1/comments/{id}/replies',
];

// The GET routes' HEAD twins are left out: each route below has its own expected answer.
const engagementRoutes = async () =>
  (await documentedRoutes(testApp.current.app, 'likes', 'comments')).filter((route) => route.method !== 'HEAD');

/** The owner's comment (with a reply under it) and like, on a track in the given state. */
async function ownersWorld(trackState: Record<string, unknown> = {}) {
  const creator = await person(testApp.current);
  const owner = await person(testApp.current);
  const song = await track(testApp.current, creator.id, trackState);
  const { sql } = testApp.current.database;
  const [comment] = await sql`
    INSERT INTO track_comments (track_id, user_id, content, timestamp_seconds)
    VALUES (${song.id}, ${owner.id}, 'the owner’s words', 12) RETURNING id`;
  await sql`
    INSERT INTO track_comments (track_id, user_id, content, parent_comment_id)
    VALUES (${song.id}, ${creator.id}, 'a reply', ${comment!.id})`;
  await sql`INSERT INTO track_likes (track_id, user_id) VALUES (${song.id}, ${owner.id})`;
  return { creator, owner, trackId: song.id, commentId: comment!.id as string };
}

/** Everything of the owner's: their comments and likes, whole. */
async function ownersState(ownerId: string) {
  const { sql } = testApp.current.database;
  return sql`
    SELECT (SELECT json_agg(c ORDER BY c.id) FROM track_comments c WHERE c.user_id = ${ownerId}) AS comments,
           (SELECT json_agg(l ORDER BY l.id) FROM track_likes l WHERE l.user_id = ${ownerId}) AS likes`;
}

async function everything() {
  const { sql } = testApp.current.database;
  return sql`
    SELECT (SELECT count(*)::int FROM track_comments) AS comments, (SELECT count(*)::int FROM track_likes) AS likes,
           (SELECT json_agg(json_build_array(id, like_count, comment_count) ORDER BY id) FROM tracks) AS counters`;
}

function requestFor(route: DocumentedRoute, ids: { trackId: string; commentId: string }, who: Person | null) {
  const id = route.path.startsWith('/v1/comments/') ? ids.commentId : ids.trackId;
  const withBody = route.method === 'POST' || route.method === 'PATCH';
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', id),
    headers: who ? { authorization: who.authorization } : {},
    ...(withBody ? { payload: { content: 'written by someone else' } } : {}),
  };
}

test('every likes and comments route is documented as public or as needing a bearer token, as designed', async () => {
  const routes = await engagementRoutes();
  const expected = [
    'PUT /v1/tracks/{id}/like',
    'DELETE /v1/tracks/{id}/like',
    'GET /v1/tracks/{id}/like',
    'GET /v1/me/likes',
    'POST /v1/tracks/{id}/comments',
    'PATCH /v1/comments/{id}',
    'DELETE /v1/comments/{id}',
    ...PUBLIC,
  ];
  assert.deepEqual(routes.map((r) => r.key).sort(), expected.sort());
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    [...PUBLIC].sort(),
  );
});

test('an anonymous caller gets 401 from every gated route, and nothing changes', async () => {
  const world = await ownersWorld();
  const before = await everything();
  for (const route of (await engagementRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(requestFor(route, world, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
    assert.equal(answer.json().code, 'UNAUTHENTICATED');
  }
  assert.deepEqual(await everything(), before);
});

test('BOLA: another user reads the comments of a public track but changes none of the owner’s (403)', async () => {
  const world = await ownersWorld();
  const intruder = await person(testApp.current);
  const before = await ownersState(world.owner.id);
  assert.ok(before[0]?.comments && before[0].likes, 'the state compared holds the owner’s comment and like');
  // What another signed-in user gets, by design: their own like and comment are theirs to make.
  const expected: Record<string, number> = {
    'PUT /v1/tracks/{id}/like': 201,
    'DELETE /v1/tracks/{id}/like': 204,
    'GET /v1/tracks/{id}/like': 200,
    'GET /v1/me/likes': 200,
    'POST /v1/tracks/{id}/comments': 201,
    'PATCH /v1/comments/{id}': 403,
    'DELETE /v1/comments/{id}': 403,
    'GET /v1/tracks/{id}/comments': 200,
    'GET /v1/tracks/{id}/comments/markers': 200,
    'GET /v1/comments/{id}': 200,
    'GET /v1/comments/{id}/replies': 200,
  };
  const routes = await engagementRoutes();
  assert.deepEqual(routes.map((r) => r.key).sort(), Object.keys(expected).sort(), 'every route has its expectation');
  for (const route of routes) {
    const answer = await testApp.current.app.inject(requestFor(route, world, intruder));
    assert.equal(answer.statusCode, expected[route.key], `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  assert.deepEqual(await ownersState(world.owner.id), before, 'the owner’s comment and like are untouched');
  const mine = await testApp.current.app.inject({
    method: 'GET',
    url: '/v1/me/likes',
    headers: { authorization: intruder.authorization },
  });
  assert.ok(!JSON.stringify(mine.json()).includes(world.owner.id), 'the owner’s likes are not in anyone else’s list');
});

test('BOLA: nothing of a track hidden from the caller is reachable (404), and nothing changes', async () => {
  for (const state of [{ visibility: 'private' }, { published_at: null }, { deleted_at: new Date('2025-06-01') }]) {
    const world = await ownersWorld(state);
    const intruder = await person(testApp.current);
    const before = await everything();
    for (const route of (await engagementRoutes()).filter((r) => r.path.includes('{id}'))) {
      const answer = await testApp.current.app.inject(requestFor(route, world, intruder));
      // Unliking is 204 for any id, by design: it says nothing about the track, and removes only one's own like.
      const status = route.key === 'DELETE /v1/tracks/{id}/like' ? 204 : 404;
      assert.equal(answer.statusCode, status, `${JSON.stringify(state)} ${route.key}: ${answer.body}`);
      if (status === 404) assert.match(answer.json().code, /^(TRACK|COMMENT)_NOT_FOUND$/);
    }
    assert.deepEqual(await everything(), before, `${JSON.stringify(state)}: nothing changed`);
  }
});
