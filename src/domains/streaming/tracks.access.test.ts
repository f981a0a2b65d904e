// Who may call each route tagged `tracks` (issue 13: "the BOLA matrix covers every new route"). The routes come
// from /openapi.json, so a route added later is covered without touching this file: anonymous callers get 401
// from every gated route; another user reaches none of a creator's private track (404, as if missing) and
// changes nothing of a public one (403); nobody but the creator sees a draft.
import assert from 'node:assert/strict';
import { describe, before, test } from 'node:test';
import { authFactories } from '../../../test/factories/auth.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { testDataDir } from '../files/files.test-support.ts';
import { processedAudio, type ProcessedAudio } from './tracks.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

/** Routes anyone may call: the policy decides per track (published public or unlisted), or they list only those. */
const PUBLIC = [
  'GET /v1/tracks',
  'HEAD /v1/tracks',
  'GET /v1/tracks/trending',
  'HEAD /v1/tracks/trending',
  'GET /v1/tracks/{id}',
  'HEAD /v1/tracks/{id}',
  'GET /v1/tracks/{id}/stream',
  'HEAD /v1/tracks/{id}/stream',
  'GET /v1/tracks/{id}/download',
  'HEAD /v1/tracks/{id}/download',
  'GET /v1/tracks/{id}/cover',
  'HEAD /v1/tracks/{id}/cover',
];
const MANAGE = ['PATCH /v1/tracks/{id}', 'POST /v1/tracks/{id}/publish', 'POST /v1/tracks/{id}/unpublish'];

const tracksRoutes = () => documentedRoutes(testApp.current.app, 'tracks');

async function account() {
  const { database, accessTokens } = testApp.current;
  const user = await authFactories.users(database.sql, { data_processing_consent: true });
  const { token } = await accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}
type Account = Awaited<ReturnType<typeof account>>;

function requestFor(route: DocumentedRoute, trackId: string, who: Account | undefined, fileId: string) {
  let payload: Record<string, unknown> | undefined;
  if (route.key === 'POST /v1/tracks') payload = { file_id: fileId, title: 'Taken' };
  else if (route.method === 'PATCH') payload = { title: 'Changed by someone else', visibility: 'public' };
  else if (route.method === 'POST') payload = {};
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', trackId),
    headers: who ? { authorization: who.authorization } : {},
    ...(payload ? { payload } : {}),
  };
}

async function stateOf(trackId: string) {
  const { sql } = testApp.current.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(t) FROM tracks t WHERE id = ${trackId}) AS track,
           (SELECT count(*)::int FROM tracks) AS tracks,
           (SELECT count(*)::int FROM track_downloads) AS downloads`;
  return state;
}

describe('the tracks routes', () => {
  let owner: Account;
  let audio: ProcessedAudio;
  let spare: ProcessedAudio;
  let trackId: string;

  before(async () => {
    owner = await account();
    audio = await processedAudio(testApp.current, storage, owner.id, 'wav', 2);
    spare = await processedAudio(testApp.current, storage, owner.id, 'wav', 2);
    const created = await testApp.current.app.inject({
      method: 'POST',
      url: '/v1/tracks',
      headers: { authorization: owner.authorization },
      payload: { file_id: audio.fileId, title: 'Private', visibility: 'private', is_downloadable: true, publish: true },
    });
    assert.equal(created.statusCode, 201, created.body);
    trackId = created.json().id;
  });

  test('every tracks route is documented as public or as needing a bearer token, as designed', async () => {
    const routes = await tracksRoutes();
    for (const expected of ['POST /v1/tracks', 'GET /v1/me/tracks', 'DELETE /v1/tracks/{id}', ...MANAGE])
      assert.ok(
        routes.some((r) => r.key === expected && r.secured),
        expected,
      );
    assert.deepEqual(
      routes
        .filter((r) => !r.secured)
        .map((r) => r.key)
        .sort(),
      [...PUBLIC].sort(),
    );
  });

  test('an anonymous caller gets 401 from every gated route, and nothing changes', async () => {
    const before = await stateOf(trackId);
    for (const route of (await tracksRoutes()).filter((r) => r.secured)) {
      const answer = await testApp.current.app.inject(requestFor(route, trackId, undefined, spare.fileId));
      assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
    }
    assert.deepEqual(await stateOf(trackId), before);
  });

  test('BOLA: another user reaches nothing of a private track, by any route, and changes nothing', async () => {
    const intruder = await account();
    const before = await stateOf(trackId);
    assert.ok(before?.track, 'the state compared holds the track');
    const named = (await tracksRoutes()).filter((r) => r.path.includes('{id}'));
    assert.ok(named.length >= 13, named.map((r) => r.key).join('\n'));
    for (const who of [intruder, undefined]) {
      for (const route of named.filter((r) => who !== undefined || !r.secured)) {
        const answer = await testApp.current.app.inject(requestFor(route, trackId, who, spare.fileId));
        assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
      }
    }
    // Making a track of the owner's file is refused as if the file did not exist.
    const stolen = await testApp.current.app.inject(
      requestFor(
        { method: 'POST', path: '/v1/tracks', key: 'POST /v1/tracks', secured: true },
        '',
        intruder,
        spare.fileId,
      ),
    );
    assert.equal(stolen.statusCode, 422, stolen.body);
    assert.equal(stolen.json().errors[0].rule, 'ownFile');
    assert.deepEqual(await stateOf(trackId), before, 'the owner’s track is untouched');
    const mine = await testApp.current.app.inject({
      method: 'GET',
      url: '/v1/me/tracks',
      headers: { authorization: intruder.authorization },
    });
    assert.deepEqual(mine.json().items, [], 'the owner’s tracks are not the intruder’s');
    const listed = await testApp.current.app.inject({ method: 'GET', url: `/v1/tracks?creator_id=${owner.id}` });
    assert.deepEqual(listed.json().items, [], 'a private track is never listed');
  });

  test('on a public track others may listen, but every managing route is a 403 that changes nothing', async () => {
    const intruder = await account();
    await testApp.current.app.inject({
      method: 'PATCH',
      url: `/v1/tracks/${trackId}`,
      headers: { authorization: owner.authorization },
      payload: { visibility: 'public' },
    });
    const before = await stateOf(trackId);
    for (const key of [...MANAGE, 'DELETE /v1/tracks/{id}']) {
      const [method = '', path = ''] = key.split(' ');
      const answer = await testApp.current.app.inject(
        requestFor({ method, path, key, secured: true }, trackId, intruder, spare.fileId),
      );
      assert.equal(answer.statusCode, 403, `${key}: ${answer.body}`);
    }
    assert.deepEqual(await stateOf(trackId), before);
    // The owner still reaches everything.
    for (const path of ['', '/stream', '/download']) {
      const answer = await testApp.current.app.inject({
        method: 'GET',
        url: `/v1/tracks/${trackId}${path}`,
        headers: { authorization: owner.authorization, range: 'bytes=0-0' },
      });
      assert.ok([200, 206].includes(answer.statusCode), `${path}: ${answer.statusCode}`);
    }
  });
});
