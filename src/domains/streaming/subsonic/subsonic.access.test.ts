// Who may reach what through the OpenSubsonic API and the credentials API (issue 13: "the BOLA matrix covers every
// new route, including /rest"). The routes come from /openapi.json (tags `subsonic` and `subsonic-credentials`).
// Every /rest call is made by another signed-in player aiming at a user's private track, private playlist and
// queue, by GET and by form POST: none of them is ever shown or changed, and each answers as if it did not exist.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../../../test/factories/index.ts';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { documentedRoutes } from '../../../../test/helpers/documented-routes.ts';
import { testDataDir } from '../../files/files.test-support.ts';
import { SUBSONIC_CALLS } from './subsonic.service.ts';
import { newCredential, newListener, newTrack } from './subsonic.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({
  env: () => ({
    VEZA_DATA_DIR: dataDir,
    VEZA_ENCRYPTION_KEYS: JSON.stringify({ access1: randomBytes(32).toString('base64') }),
  }),
});

/** The operations /openapi.json documents under a tag (without the HEAD twins of GETs). */
const documented = async (tag: string) =>
  (await documentedRoutes(testApp.current.app, tag)).filter((route) => route.method !== 'HEAD');

test('the documented routes: /rest answers every call by GET and POST; the credentials API needs a token', async () => {
  const rest = await documented('subsonic');
  assert.deepEqual(rest.map((r) => r.key).sort(), ['GET /rest/{call}', 'POST /rest/{call}']);
  // /rest has its own sign-in (u with an app password, or apiKey): no bearer token.
  assert.ok(rest.every((r) => !r.secured));
  const credentials = await documented('subsonic-credentials');
  assert.deepEqual(credentials.map((r) => r.key).sort(), [
    'DELETE /v1/me/subsonic-credentials/{id}',
    'GET /v1/me/subsonic-credentials',
    'POST /v1/me/subsonic-credentials',
  ]);
  assert.ok(credentials.every((r) => r.secured));
  for (const key of credentials.map((r) => r.key)) {
    const [method, path] = key.split(' ') as ['GET', string];
    const answer = await testApp.current.app.inject({
      method,
      url: path.replace('{id}', '7f1b6a52-3c1d-4c1e-9a53-2f7e0b1f5c2d'),
      ...(method === ('POST' as string) ? { payload: { name: 'x', kind: 'api_key' } } : {}),
    });
    assert.equal(answer.statusCode, 401, key);
  }
});

interface Answer {
  status: string;
  error?: { code: number };
  [key: string]: unknown;
}

async function call(
  name: string,
  params: Record<string, string | string[]>,
  post: boolean,
): Promise<{ body: string; json: Answer | null }> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries({ v: '1.16.1', c: 'access', f: 'json', ...params }))
    for (const one of Array.isArray(value) ? value : [value]) form.append(key, one);
  const answer = await testApp.current.app.inject(
    post
      ? {
          method: 'POST',
          url: `/rest/${name}.view`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: form.toString(),
        }
      : { method: 'GET', url: `/rest/${name}?${form.toString()}` },
  );
  assert.ok([200, 206].includes(answer.statusCode), `${name}: ${answer.statusCode} ${answer.body}`);
  const json = String(answer.headers['content-type']).startsWith('application/json')
    ? answer.json<{ 'subsonic-response': Answer }>()['subsonic-response']
    : null;
  return { body: answer.body, json };
}

test('another player never sees nor changes a user’s private track, private playlist or queue', async () => {
  const current = testApp.current;
  const { sql } = current.database;
  const victim = await newListener(current, 'victim');
  const intruder = await newListener(current, 'intruder');
  const intruderKey = (await newCredential(current, intruder, 'api_key')).secret;
  const secret = await newTrack(
    sql,
    storage,
    victim.id,
    { title: 'Secretive Sonata', album: 'Hidden Hoard', visibility: 'private', is_downloadable: true },
    { cover: true },
  );
  const draft = await newTrack(sql, storage, victim.id, { title: 'Drafty Dirge', published_at: null });
  const shared = await newTrack(sql, storage, intruder.id, { title: 'Intruder Tune' });
  const playlist = await allFactories.playlists!(sql, {
    user_id: victim.id,
    name: 'Private Plans',
    visibility: 'private',
  });
  await allFactories.playlist_tracks!(sql, {
    playlist_id: playlist.id,
    track_id: secret.id,
    added_by: victim.id,
    position: 0,
  });
  const queue = await allFactories.queues!(sql, { user_id: victim.id, current_track_id: secret.id });
  await allFactories.queue_items!(sql, { queue_id: queue.id, track_id: secret.id, position: 0 });
  await allFactories.track_likes!(sql, { user_id: victim.id, track_id: secret.id });
  const [album] =
    await sql`SELECT left(md5(lower(btrim(coalesce(album, '')))), 16) AS key FROM tracks WHERE id = ${secret.id}`;
  const albumId = `al-${victim.id}-${String(album!.key)}`;
  const artistId = `ar-${victim.id}`;

  const snapshot = async () =>
    JSON.stringify(
      await sql`
        SELECT (SELECT json_agg(row_to_json(p)) FROM playlists p WHERE user_id = ${victim.id}) AS playlists,
               (SELECT json_agg(row_to_json(t) ORDER BY position) FROM playlist_tracks t WHERE playlist_id = ${String(playlist.id)}) AS entries,
               (SELECT json_agg(row_to_json(q)) FROM queues q WHERE user_id = ${victim.id}) AS queue,
               (SELECT json_agg(row_to_json(i)) FROM queue_items i WHERE queue_id = ${String(queue.id)}) AS items,
               (SELECT json_agg(row_to_json(l)) FROM track_likes l WHERE track_id = ${secret.id}) AS likes,
               (SELECT json_agg(row_to_json(h)) FROM playback_history h WHERE track_id = ${secret.id}) AS plays,
               (SELECT json_agg(row_to_json(d)) FROM track_downloads d WHERE track_id = ${secret.id}) AS downloads,
               (SELECT row_to_json(tr) FROM tracks tr WHERE id = ${secret.id}) AS track`,
    );
  const before = await snapshot();

  // Each call, aimed at the victim's things; `hidden` says the answer must be "not found" (70).
  const attempts: {
    call: (typeof SUBSONIC_CALLS)[number];
    params: Record<string, string | string[]>;
    hidden: boolean;
  }[] = [
    { call: 'ping', params: {}, hidden: false },
    { call: 'getLicense', params: {}, hidden: false },
    { call: 'getOpenSubsonicExtensions', params: {}, hidden: false },
    { call: 'getMusicFolders', params: {}, hidden: false },
    { call: 'getIndexes', params: {}, hidden: false },
    { call: 'getArtists', params: {}, hidden: false },
    { call: 'getArtist', params: { id: artistId }, hidden: true },
    { call: 'getAlbum', params: { id: albumId }, hidden: true },
    { call: 'getSong', params: { id: secret.id }, hidden: true },
    { call: 'getSong', params: { id: draft.id }, hidden: true },
    { call: 'getMusicDirectory', params: { id: artistId }, hidden: true },
    { call: 'getMusicDirectory', params: { id: albumId }, hidden: true },
    { call: 'search3', params: { query: 'Secretive' }, hidden: false },
    { call: 'search3', params: { query: '""', songCount: '500' }, hidden: false },
    { call: 'stream', params: { id: secret.id }, hidden: true },
    { call: 'stream', params: { id: secret.id, format: 'raw' }, hidden: true },
    { call: 'download', params: { id: secret.id }, hidden: true },
    { call: 'getCoverArt', params: { id: secret.id }, hidden: true },
    { call: 'getCoverArt', params: { id: albumId }, hidden: true },
    { call: 'getCoverArt', params: { id: artistId }, hidden: true },
    { call: 'getPlaylists', params: {}, hidden: false },
    { call: 'getPlaylists', params: { username: victim.username }, hidden: false },
    { call: 'getPlaylist', params: { id: String(playlist.id) }, hidden: true },
    { call: 'createPlaylist', params: { playlistId: String(playlist.id), songId: shared.id }, hidden: true },
    { call: 'createPlaylist', params: { name: 'Theft', songId: secret.id }, hidden: true },
    { call: 'updatePlaylist', params: { playlistId: String(playlist.id), name: 'Mine now' }, hidden: true },
    { call: 'updatePlaylist', params: { playlistId: String(playlist.id), songIndexToRemove: '0' }, hidden: true },
    { call: 'deletePlaylist', params: { id: String(playlist.id) }, hidden: true },
    { call: 'star', params: { id: secret.id }, hidden: true },
    { call: 'unstar', params: { id: secret.id }, hidden: false },
    { call: 'getStarred2', params: {}, hidden: false },
    { call: 'scrobble', params: { id: secret.id }, hidden: true },
    { call: 'scrobble', params: { id: secret.id, submission: 'false' }, hidden: true },
    { call: 'getPlayQueue', params: {}, hidden: false },
    { call: 'savePlayQueue', params: { id: secret.id, current: secret.id }, hidden: true },
  ];
  assert.deepEqual(
    [...new Set(attempts.map((a) => a.call))].sort(),
    [...SUBSONIC_CALLS].sort(),
    'every call is in the matrix',
  );
  for (const post of [false, true]) {
    for (const attempt of attempts) {
      const { body, json } = await call(attempt.call, { ...attempt.params, apiKey: intruderKey }, post);
      const label = `${post ? 'POST' : 'GET'} ${attempt.call} ${JSON.stringify(attempt.params)}: ${body.slice(0, 300)}`;
      assert.ok(json, `an answer in JSON, never the bytes: ${label}`);
      for (const leak of ['Secretive Sonata', 'Drafty Dirge', 'Hidden Hoard', 'Private Plans', secret.id, draft.id])
        assert.ok(!body.includes(leak), `${leak} leaked: ${label}`);
      if (attempt.hidden) {
        assert.equal(json.status, 'failed', label);
        assert.equal(json.error?.code, 70, label);
      } else assert.equal(json.status, 'ok', label);
    }
  }
  assert.equal(await snapshot(), before, 'nothing of the victim changed');

  // Without credentials, every call but the extensions is refused (10: which parameter is missing).
  for (const name of SUBSONIC_CALLS) {
    const { json } = await call(name, {}, false);
    if (name === 'getOpenSubsonicExtensions') assert.equal(json?.status, 'ok');
    else assert.equal(json?.error?.code, 10, name);
  }
});
