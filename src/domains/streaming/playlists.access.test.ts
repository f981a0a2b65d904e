// Who may call each playlist route (issue 13: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tag `playlists`), so a route added later is covered without touching this file: anonymous callers
// get 401 from every gated route; another signed-in user gets 404 from every route naming someone's private
// playlist, and 403 from every change to a public one that only the owner or collaborators may make; nothing of
// the owner's changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { as, newPlaylist, person, track, type Person } from './playlists.test-support.ts';

const testApp = useTestApp();

/** Routes anyone may call: what they show is decided by the playlist policy, per playlist. */
const PUBLIC = [
  'GET /v1/playlists/{id}',
  'GET /v1/playlists/{id}/tracks',
  'GET /v1/playlists/{id}/collaborators',
  'GET /v1/playlists',
];

const playlistRoutes = () => documentedRoutes(testApp.current.app, 'playlists');

/** The owner's playlist with an entry, a collaborator and a follower. */
async function ownersWorld(visibility: 'public' | 'private') {
  const owner = await person(testApp.current);
  const friend = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call, { visibility, is_collaborative: true });
  const song = await track(testApp.current, owner.id);
  const entry = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: song.id });
  assert.equal(entry.statusCode, 201, entry.body);
  assert.equal((await call('POST', `/v1/playlists/${id}/collaborators`, { user_id: friend.id })).statusCode, 201);
  assert.equal((await as(testApp.current, friend)('PUT', `/v1/playlists/${id}/follow`)).statusCode, 204);
  return { owner, friend, id, entryId: String(entry.json().id) };
}

async function stateOf(playlistId: string) {
  const { sql } = testApp.current.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(p) FROM playlists p WHERE id = ${playlistId}) AS playlist,
           (SELECT json_agg(e ORDER BY position) FROM playlist_tracks e WHERE playlist_id = ${playlistId}) AS entries,
           (SELECT json_agg(c ORDER BY user_id) FROM playlist_collaborators c WHERE playlist_id = ${playlistId}) AS collaborators,
           (SELECT json_agg(f ORDER BY user_id) FROM playlist_followers f WHERE playlist_id = ${playlistId}) AS followers`;
  return state;
}

/** A request the route's schema accepts, naming the owner's playlist, entry and collaborator. */
async function requestFor(
  route: DocumentedRoute,
  world: Awaited<ReturnType<typeof ownersWorld>>,
  caller: Person | null,
) {
  const url = route.path
    .replace('{id}', world.id)
    .replace('{entry}', world.entryId)
    .replace('{user_id}', world.friend.id);
  const bodies: Record<string, unknown> = {
    'POST /v1/playlists': { name: 'Mine' },
    'PATCH /v1/playlists/{id}': { name: 'Taken over' },
    'POST /v1/playlists/{id}/tracks': { track_id: (await track(testApp.current, caller?.id ?? world.owner.id)).id },
    'PUT /v1/playlists/{id}/tracks/order': { entry_ids: [world.entryId] },
    'PUT /v1/playlists/{id}/tracks/{entry}/position': { position: 0 },
    'POST /v1/playlists/{id}/collaborators': { user_id: caller?.id ?? world.owner.id },
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url,
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  };
}

test('every playlist route is documented as public or as needing a bearer token, as designed', async () => {
  const routes = (await playlistRoutes()).filter((r) => r.method !== 'HEAD');
  assert.ok(routes.length >= 18, routes.map((r) => r.key).join('\n'));
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    [...PUBLIC].sort(),
  );
});

test('an anonymous caller gets 401 from every gated playlist route, and nothing changes', async () => {
  const world = await ownersWorld('public');
  const before = await stateOf(world.id);
  for (const route of (await playlistRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(await requestFor(route, world, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await stateOf(world.id), before);
});

test('BOLA: another user reaches nothing of a private playlist, by any route, and changes nothing', async () => {
  const world = await ownersWorld('private');
  const intruder = await person(testApp.current);
  const before = await stateOf(world.id);
  assert.ok(before?.entries && before.collaborators && before.followers, 'the state compared holds every part');
  const named = (await playlistRoutes()).filter((r) => r.path.includes('{id}'));
  assert.ok(named.length >= 13, named.map((r) => r.key).join('\n'));
  for (const route of named) {
    const answer = await testApp.current.app.inject(await requestFor(route, world, intruder));
    assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
    if (route.method !== 'HEAD') assert.equal(answer.json().code, 'PLAYLIST_NOT_FOUND', route.key);
  }
  // Anonymous readers of the public routes are told the same.
  for (const route of named.filter((r) => !r.secured)) {
    const answer = await testApp.current.app.inject(await requestFor(route, world, null));
    assert.equal(answer.statusCode, 404, route.key);
  }
  assert.deepEqual(await stateOf(world.id), before, 'the owner’s playlist is untouched');

  // Lists: the private playlist shows in none of the intruder's, nor in the owner's public list.
  for (const url of ['/v1/me/playlists', '/v1/me/playlists/collaborating', '/v1/me/playlists/following']) {
    const list = await as(testApp.current, intruder)('GET', url);
    assert.deepEqual(list.json().items, [], url);
  }
  const publicList = await as(testApp.current, intruder)('GET', `/v1/playlists?owner_id=${world.owner.id}`);
  assert.deepEqual(publicList.json().items, []);
  const own = await as(testApp.current, world.owner)('GET', `/v1/playlists?owner_id=${world.owner.id}`);
  assert.deepEqual(
    own.json().items.map((p: { id: string }) => p.id),
    [world.id],
  );
});

test('a public playlist: others read it, and every change but following is a 403 that changes nothing', async () => {
  const world = await ownersWorld('public');
  const intruder = await person(testApp.current);
  const before = await stateOf(world.id);
  const named = (await playlistRoutes()).filter((r) => r.path.includes('{id}') && !r.path.endsWith('/follow'));
  for (const route of named) {
    const answer = await testApp.current.app.inject(await requestFor(route, world, intruder));
    const expected = route.method === 'GET' || route.method === 'HEAD' ? 200 : 403;
    assert.equal(answer.statusCode, expected, `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  assert.deepEqual(await stateOf(world.id), before);
});
