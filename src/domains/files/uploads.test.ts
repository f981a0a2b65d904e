import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { signedInCaller } from '../../../test/helpers/callers.ts';
import { uploadStagingDir } from './files.module.ts';
import { storedKeys, uploadContract, useUploadApp } from './uploads.contract.test-support.ts';
import { makeZip } from './archives.test-support.ts';
import { png, tusHeaders, tusMetadata, wav } from './uploads.test-support.ts';

const suite = useUploadApp();

uploadContract('local', suite);

interface ProblemBody {
  code: string;
  status: number;
  errors?: Array<{ field: string; rule: string }>;
}

async function create(
  authorization: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ response: Response; url: string }> {
  const { base } = await suite.ready();
  const response = await fetch(`${base}/v1/uploads`, {
    method: 'POST',
    headers: tusHeaders(authorization, {
      ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
      ...headers,
    }),
    ...(body ? { body } : {}),
  });
  return { response, url: `${base}${response.headers.get('location') ?? ''}` };
}

/** Creates an upload and sends all its bytes in one PATCH; returns the final answer. */
async function uploadWhole(authorization: string, bytes: Buffer, metadata: Record<string, string>): Promise<Response> {
  const { response, url } = await create(authorization, {
    'upload-length': String(bytes.length),
    'upload-metadata': tusMetadata(metadata),
  });
  assert.equal(response.status, 201);
  return fetch(url, {
    method: 'PATCH',
    headers: tusHeaders(authorization, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }),
    body: bytes,
  });
}

async function problem(response: Response): Promise<ProblemBody> {
  assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  return (await response.json()) as ProblemBody;
}

test('a 10 GB declared length is refused with 413 before any byte, and no session is opened', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  const { response } = await create(caller.authorization, {
    'upload-length': String(10 * 1024 ** 3),
    'upload-metadata': tusMetadata({ filename: 'huge.wav', purpose: 'track' }),
  });
  assert.equal(response.status, 413);
  const body = await problem(response);
  assert.equal(body.code, 'FILE_TOO_LARGE');
  assert.deepEqual(
    body.errors?.map((error) => [error.field, error.rule]),
    [['headers.upload-length', 'maximum']],
  );
  assert.equal((await app.database.sql`SELECT 1 FROM file_uploads WHERE user_id = ${caller.id}`).length, 0);
});

test('the quota counts live files and open uploads: a second large upload is refused with 413', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  // The suite's quota is 64 MiB; the per-file maximum (2 GiB) does not stop either of these.
  const first = await create(caller.authorization, {
    'upload-length': String(40 * 1024 * 1024),
    'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
  });
  assert.equal(first.response.status, 201);
  const second = await create(caller.authorization, {
    'upload-length': String(30 * 1024 * 1024),
    'upload-metadata': tusMetadata({ filename: 'b.wav', purpose: 'track' }),
  });
  assert.equal(second.response.status, 413);
  assert.equal((await problem(second.response)).code, 'QUOTA_EXCEEDED');
});

test('uploads started side by side cannot together pass the quota: exactly as many open as fit', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  // 64 MiB quota, 20 MiB each: three fit, the other five are refused, whatever the interleaving.
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, index) =>
      create(caller.authorization, {
        'upload-length': String(20 * 1024 * 1024),
        'upload-metadata': tusMetadata({ filename: `${index}.wav`, purpose: 'track' }),
      }),
    ),
  );
  const statuses = answers.map(({ response }) => response.status).sort();
  assert.deepEqual(statuses, [201, 201, 201, 413, 413, 413, 413, 413]);
  for (const { response } of answers.filter((answer) => answer.response.status === 413)) {
    assert.equal((await problem(response)).code, 'QUOTA_EXCEEDED');
  }
  const open = await app.database.sql`SELECT count(*)::int AS n FROM file_uploads WHERE user_id = ${caller.id}`;
  assert.equal(open[0]?.n, 3);
});

test('a zero-byte file, a missing purpose and malformed metadata are 400 problems naming the field', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  const cases: Array<[Record<string, string>, string, string]> = [
    [
      { 'upload-length': '0', 'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }) },
      'EMPTY_FILE',
      'headers.upload-length',
    ],
    [
      { 'upload-length': '10', 'upload-metadata': tusMetadata({ filename: 'a.wav' }) },
      'INVALID_UPLOAD_METADATA',
      'headers.upload-metadata.purpose',
    ],
    [
      { 'upload-length': '10', 'upload-metadata': 'filename not-base64!' },
      'INVALID_UPLOAD_METADATA',
      'headers.upload-metadata',
    ],
    [
      { 'upload-length': '-5', 'upload-metadata': tusMetadata({ filename: 'a', purpose: 'track' }) },
      'VALIDATION_FAILED',
      'headers.upload-length',
    ],
    [
      { 'upload-metadata': tusMetadata({ filename: 'a', purpose: 'track' }) },
      'VALIDATION_FAILED',
      'headers.upload-length',
    ],
  ];
  for (const [headers, code, field] of cases) {
    const { response } = await create(caller.authorization, headers);
    assert.equal(response.status, 400, code);
    const body = await problem(response);
    assert.equal(body.code, code);
    assert.equal(body.errors?.[0]?.field, field);
  }
});

test('a text file named .mp3 fails as not allowed: no file row, no stored bytes, the session failed', async () => {
  const { app, storage, dataDir } = await suite.ready();
  const caller = await signedInCaller(app);
  const before = await storedKeys(storage);
  const response = await uploadWhole(caller.authorization, Buffer.from('just some words, not a song\n'.repeat(50)), {
    filename: 'song.mp3',
    purpose: 'track',
  });
  assert.equal(response.status, 415);
  assert.equal((await problem(response)).code, 'FILE_TYPE_NOT_ALLOWED');
  assert.equal((await app.database.sql`SELECT 1 FROM files WHERE user_id = ${caller.id}`).length, 0);
  const [session] = await app.database.sql`SELECT status FROM file_uploads WHERE user_id = ${caller.id}`;
  assert.equal(session?.status, 'failed');
  assert.deepEqual(await storedKeys(storage), before);
  const id = (await app.database.sql`SELECT id FROM file_uploads WHERE user_id = ${caller.id}`)[0]?.id as string;
  assert.ok(!(await readdir(uploadStagingDir(dataDir))).some((name) => name.startsWith(id)));
});

test('a PNG with an audio extension is refused even where images are allowed (name and content disagree)', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  const asCover = await uploadWhole(caller.authorization, png(), { filename: 'cover.mp3', purpose: 'cover' });
  assert.equal(asCover.status, 415);
  assert.equal((await problem(asCover)).code, 'FILE_TYPE_MISMATCH');
  const asTrack = await uploadWhole(caller.authorization, png(), { filename: 'track.mp3', purpose: 'track' });
  assert.equal(asTrack.status, 415);
  assert.equal((await problem(asTrack)).code, 'FILE_TYPE_NOT_ALLOWED');
});

test('a ZIP bomb among product downloads is a 422 naming the rule, and leaves neither bytes nor a row', async () => {
  const { app, storage } = await suite.ready();
  const caller = await signedInCaller(app);
  const before = await storedKeys(storage);
  const bomb = await makeZip([{ name: 'Loops/silence.wav', content: { zeros: 256 * 1024 ** 2 } }]);
  const refused = await uploadWhole(caller.authorization, bomb, { filename: 'pack.zip', purpose: 'product' });
  assert.equal(refused.status, 422);
  const body = await problem(refused);
  assert.equal(body.code, 'ARCHIVE_REFUSED');
  assert.deepEqual(
    body.errors?.map((error) => [error.field, error.rule]),
    [['file', 'archive-ratio']],
  );
  assert.equal((await app.database.sql`SELECT 1 FROM files WHERE user_id = ${caller.id}`).length, 0);
  assert.deepEqual(await storedKeys(storage), before);

  const pack = await makeZip([
    { name: 'Kicks/kick.wav', content: wav(4_000) },
    { name: 'Presets/bass.fxp', content: Buffer.from('CcnK preset bytes') },
    { name: 'README.txt', content: Buffer.from('Thanks for buying.\n') },
  ]);
  const kept = await uploadWhole(caller.authorization, pack, { filename: 'pack.zip', purpose: 'product' });
  assert.equal(kept.status, 204);
  const [file] = await app.database.sql`SELECT mime_type FROM files WHERE id = ${kept.headers.get('veza-file-id')}`;
  assert.equal(file?.mime_type, 'application/zip');
});

test('../../etc/passwd as a filename is kept only as a display name; the stored name is generated', async () => {
  const { app, storage } = await suite.ready();
  const caller = await signedInCaller(app);
  const response = await uploadWhole(caller.authorization, wav(2000), {
    filename: '../../etc/passwd\u0000\u202e.wav',
    purpose: 'track',
  });
  assert.equal(response.status, 204);
  const [file] = await app.database.sql`SELECT * FROM files WHERE id = ${response.headers.get('veza-file-id')}`;
  assert.equal(file?.original_filename, 'passwd.wav');
  assert.equal(file?.filename, `${file?.id}.wav`);
  assert.ok((await storedKeys(storage)).includes(String(file?.storage_path)));
  assert.ok(!String(file?.storage_path).includes('passwd'));
});

test('a wrong offset is 409, bytes past the declared length are 413, and neither is kept', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  const bytes = wav(3000);
  const { url } = await create(caller.authorization, {
    'upload-length': String(bytes.length),
    'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
  });
  const patch = (offset: number, body: Buffer) =>
    fetch(url, {
      method: 'PATCH',
      headers: tusHeaders(caller.authorization, {
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      }),
      body,
    });
  const wrongOffset = await patch(100, bytes.subarray(100));
  assert.equal(wrongOffset.status, 409);
  assert.equal((await problem(wrongOffset)).code, 'UPLOAD_OFFSET_MISMATCH');
  const tooLong = await patch(0, Buffer.concat([bytes, Buffer.alloc(500)]));
  assert.equal(tooLong.status, 413);
  assert.equal((await problem(tooLong)).code, 'UPLOAD_LENGTH_EXCEEDED');
  assert.equal((await app.database.sql`SELECT 1 FROM files WHERE user_id = ${caller.id}`).length, 0);
  const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(caller.authorization) });
  assert.equal(head.headers.get('upload-offset'), '0');
  assert.equal((await patch(0, bytes)).status, 204);
});

test('two resumes of the same upload at once: no 5xx, and the file ends whole and counted once', async () => {
  const { app } = await suite.ready();
  const caller = await signedInCaller(app);
  const bytes = wav(2 * 1024 * 1024);
  const { url } = await create(caller.authorization, {
    'upload-length': String(bytes.length),
    'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
  });
  const patch = () =>
    fetch(url, {
      method: 'PATCH',
      headers: tusHeaders(caller.authorization, {
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      }),
      body: bytes,
    });
  const answers = await Promise.all([patch(), patch()]);
  const statuses = answers.map((answer) => answer.status).sort();
  for (const status of statuses) assert.ok(status < 500, `status ${status}`);
  const files = await app.database.sql`SELECT file_size, file_hash FROM files WHERE user_id = ${caller.id}`;
  assert.ok(files.length <= 1);
  if (files.length === 0) {
    // The losing request cut the other short; the client resumes from the offset and finishes.
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(caller.authorization) });
    const offset = Number(head.headers.get('upload-offset'));
    const rest = await fetch(url, {
      method: 'PATCH',
      headers: tusHeaders(caller.authorization, {
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      }),
      body: bytes.subarray(offset),
    });
    assert.equal(rest.status, 204);
  }
  const [file] = await app.database.sql`SELECT file_size FROM files WHERE user_id = ${caller.id}`;
  assert.equal(Number(file?.file_size), bytes.length);
});

test("someone else's upload reads as missing; anonymous callers are refused", async () => {
  const { app, base } = await suite.ready();
  const owner = await signedInCaller(app);
  const other = await signedInCaller(app);
  const { url } = await create(owner.authorization, {
    'upload-length': '100',
    'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
  });
  for (const method of ['HEAD', 'PATCH', 'DELETE']) {
    const response = await fetch(url, {
      method,
      headers: tusHeaders(other.authorization, {
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      }),
      ...(method === 'PATCH' ? { body: Buffer.alloc(100) } : {}),
    });
    assert.equal(response.status, 404, method);
  }
  const anonymous = await fetch(`${base}/v1/uploads`, {
    method: 'POST',
    headers: { 'tus-resumable': '1.0.0', 'upload-length': '5' },
  });
  assert.equal(anonymous.status, 401);
});

test('multipart: a non-image is 415, an image over the limit is 413, neither leaves bytes behind', async () => {
  const { app, base, storage } = await suite.ready();
  const caller = await signedInCaller(app);
  const before = await storedKeys(storage);
  const send = (bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    return fetch(`${base}/v1/files?purpose=avatar`, {
      method: 'POST',
      headers: { authorization: caller.authorization },
      body: form,
    });
  };
  const sound = await send(wav(5000), 'me.png');
  assert.equal(sound.status, 415);
  assert.equal((await problem(sound)).code, 'FILE_TYPE_NOT_ALLOWED');
  const big = await send(png(2048, 2048), 'me.png');
  assert.equal(big.status, 413);
  assert.deepEqual(await storedKeys(storage), before);
});
