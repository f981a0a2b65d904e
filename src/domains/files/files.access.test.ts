// Who may call each route of the files domain (issue 12: "the BOLA matrix covers every new route"). The routes
// come from /openapi.json (tag `files`), so a route added later is covered without touching this file: anonymous
// callers get 401 from every gated route, and another signed-in user gets 404 from every route naming someone
// else's file or upload — and nothing of the owner's changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { storedFile, testDataDir } from './files.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

/** Routes anyone may call: the content is public, or proven by a signed link, or refused by the policy. */
const PUBLIC = ['GET /v1/files/{id}/content', 'HEAD /v1/files/{id}/content'];

const filesRoutes = () => documentedRoutes(testApp.current.app, 'files');

const bearer = async (userId: string) =>
  `Bearer ${(await testApp.current.accessTokens.issue({ userId, tokenVersion: 0, role: 'user' })).token}`;

/** What the owner holds: a stored file (public, so that a refusal is about the route, not the content) and an upload. */
async function ownersWorld() {
  const { app, database } = testApp.current;
  const owner = await allFactories.users!(database.sql);
  const ownerAuth = await bearer(String(owner.id));
  const file = await storedFile(database.sql, storage, { user_id: owner.id });
  const created = await app.inject({
    method: 'POST',
    url: '/v1/uploads',
    headers: {
      authorization: ownerAuth,
      'tus-resumable': '1.0.0',
      'upload-length': '1000',
      'upload-metadata': `filename ${Buffer.from('song.mp3').toString('base64')},purpose ${Buffer.from('track').toString('base64')}`,
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const uploadId = String(created.headers.location).split('/').pop() ?? '';
  return { owner, ownerAuth, file, uploadId };
}

async function stateOf(fileId: string, uploadId: string) {
  const { sql } = testApp.current.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(f) FROM files f WHERE id = ${fileId}) AS file,
           (SELECT row_to_json(u) FROM file_uploads u WHERE id::text = ${uploadId} OR upload_id = ${uploadId}
                                                       OR storage_key = ${uploadId}) AS upload,
           (SELECT count(*)::int FROM files) AS files`;
  return state;
}

function requestFor(
  route: DocumentedRoute,
  ids: { fileId: string; uploadId: string },
  authorization: string | undefined,
) {
  const id = route.path.startsWith('/v1/uploads') ? ids.uploadId : ids.fileId;
  const headers: Record<string, string> = authorization ? { authorization } : {};
  let payload: string | Buffer | Record<string, unknown> | undefined;
  if (route.path.startsWith('/v1/uploads')) {
    headers['tus-resumable'] = '1.0.0';
    if (route.method === 'PATCH') {
      headers['content-type'] = 'application/offset+octet-stream';
      headers['upload-offset'] = '0';
      payload = Buffer.alloc(10, 1);
    }
    if (route.method === 'POST') {
      headers['upload-length'] = '10';
      headers['upload-metadata'] = `filename ${Buffer.from('a.mp3').toString('base64')}`;
    }
  } else if (route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT') {
    payload = {};
  }
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', id),
    headers,
    ...(payload !== undefined ? { payload } : {}),
  };
}

test('every files route is documented as public or as needing a bearer token, as designed', async () => {
  const routes = await filesRoutes();
  for (const expected of ['GET /v1/files', 'GET /v1/files/{id}', 'DELETE /v1/files/{id}', 'POST /v1/files/{id}/links'])
    assert.ok(
      routes.some((r) => r.key === expected),
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

test('an anonymous caller gets 401 from every gated files route, and nothing changes', async () => {
  const world = await ownersWorld();
  const ids = { fileId: world.file.id, uploadId: world.uploadId };
  const before = await stateOf(ids.fileId, ids.uploadId);
  for (const route of (await filesRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(requestFor(route, ids, undefined));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await stateOf(ids.fileId, ids.uploadId), before);
});

test('BOLA: another user reaches none of the owner’s files or uploads, by any route, and changes nothing', async () => {
  const world = await ownersWorld();
  const ids = { fileId: world.file.id, uploadId: world.uploadId };
  const intruder = await allFactories.users!(testApp.current.database.sql);
  const intruderAuth = await bearer(String(intruder.id));
  const before = await stateOf(ids.fileId, ids.uploadId);
  assert.ok(before?.file && before.upload, 'the state compared holds the file and the upload');
  const named = (await filesRoutes()).filter((r) => r.path.includes('{id}'));
  assert.ok(named.length >= 8, named.map((r) => r.key).join('\n'));
  for (const route of named) {
    const answer = await testApp.current.app.inject(requestFor(route, ids, intruderAuth));
    assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  assert.deepEqual(await stateOf(ids.fileId, ids.uploadId), before, 'the owner’s file and upload are untouched');

  // The owner's list never shows to the intruder, and the owner still reaches everything.
  const list = await testApp.current.app.inject({
    method: 'GET',
    url: '/v1/files',
    headers: { authorization: intruderAuth },
  });
  assert.deepEqual(list.json().items, []);
  const own = await testApp.current.app.inject({
    method: 'GET',
    url: `/v1/files/${ids.fileId}/content`,
    headers: { authorization: world.ownerAuth },
  });
  assert.equal(own.statusCode, 200);
});
