// Who may call each route of play reporting and listening history (issue 13: "the BOLA matrix covers every new
// route"). The routes come from /openapi.json (tag `plays`), so a route added later is covered without touching
// this file: anonymous callers get 401 from every one, and another signed-in user reaches nothing of a listener's
// history — creators never see who listened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { newListener, newTrack, reportPlay } from './plays.test-support.ts';

const testApp = useTestApp();

const playsRoutes = () => documentedRoutes(testApp.current.app, 'plays');

/** A listener with a counted play of a creator's track, and the state an intruder must not change. */
async function world() {
  const listener = await newListener(testApp.current);
  const creator = await newListener(testApp.current);
  const track = await newTrack(testApp.current, { creator_id: creator.id });
  const played = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 100 });
  assert.equal(played.statusCode, 201, played.body);
  return { listener, creator, track, entryId: played.json().history_entry_id as string };
}

async function stateOf(trackId: string) {
  const { sql } = testApp.current.database;
  const [state] = await sql`
    SELECT (SELECT play_count FROM tracks WHERE id = ${trackId}) AS play_count,
           (SELECT json_agg(row_to_json(h) ORDER BY h.id) FROM playback_history h WHERE track_id = ${trackId}) AS history,
           (SELECT json_agg(row_to_json(w) ORDER BY w.id) FROM play_count_windows w WHERE track_id = ${trackId}) AS windows`;
  return state;
}

function requestFor(
  route: DocumentedRoute,
  ids: { trackId: string; entryId: string },
  authorization: string | undefined,
) {
  const id = route.path.startsWith('/v1/tracks') ? ids.trackId : ids.entryId;
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', id),
    headers: authorization ? { authorization } : {},
    ...(route.method === 'POST' ? { payload: { played_duration: 100 } } : {}),
  };
}

test('every plays route needs a bearer token, as designed', async () => {
  const routes = await playsRoutes();
  assert.deepEqual(routes.map((r) => r.key).sort(), [
    'DELETE /v1/me/history',
    'DELETE /v1/me/history/{id}',
    'GET /v1/me/history',
    'HEAD /v1/me/history',
    'POST /v1/tracks/{id}/plays',
  ]);
  assert.ok(routes.every((r) => r.secured));
});

test('an anonymous caller gets 401 from every plays route, and nothing changes', async () => {
  const { track, entryId } = await world();
  const before = await stateOf(track.id);
  for (const route of await playsRoutes()) {
    const answer = await testApp.current.app.inject(requestFor(route, { trackId: track.id, entryId }, undefined));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await stateOf(track.id), before);
});

test('BOLA: neither the creator nor anyone else reaches a listener’s history, by any route', async () => {
  const { listener, creator, track, entryId } = await world();
  const before = await stateOf(track.id);
  for (const intruder of [creator, await newListener(testApp.current)]) {
    const forget = await testApp.current.app.inject({
      method: 'DELETE',
      url: `/v1/me/history/${entryId}`,
      headers: { authorization: intruder.auth },
    });
    assert.equal(forget.statusCode, 404, forget.body);
    const clear = await testApp.current.app.inject({
      method: 'DELETE',
      url: '/v1/me/history',
      headers: { authorization: intruder.auth },
    });
    assert.equal(clear.statusCode, 204, 'clears the intruder’s own (empty) history');
    const list = await testApp.current.app.inject({
      method: 'GET',
      url: '/v1/me/history',
      headers: { authorization: intruder.auth },
    });
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(entryId) && !list.body.includes(listener.id), 'nothing of the listener shows');
  }
  assert.deepEqual(await stateOf(track.id), before, 'the listener’s entry and window are untouched');
  const own = await testApp.current.app.inject({
    method: 'GET',
    url: '/v1/me/history',
    headers: { authorization: listener.auth },
  });
  assert.deepEqual(
    own.json().items.map((item: { id: string }) => item.id),
    [entryId],
  );
});
