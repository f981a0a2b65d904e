// The upload behaviour every storage backend must show; run once per backend by uploads.test.ts and
// uploads.s3.test.ts, so the S3 backend passes the very same tests as the local disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { useTestApp, testConfig, type TestApp } from '../../../test/helpers/app.ts';
import { signedInCaller } from '../../../test/helpers/callers.ts';
import { uploadStagingDir } from './files.module.ts';
import { openObjectStorage, type ObjectStorage } from './storage/object-storage.ts';
import { png, sha256, tusHeaders, tusMetadata, tusUpload, wav } from './uploads.test-support.ts';

export interface UploadSuite {
  readonly app: TestApp;
  readonly base: string;
  readonly storage: ObjectStorage;
  readonly dataDir: string;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function storedKeys(storage: ObjectStorage): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of storage.list('')) keys.push(key);
  return keys;
}

/** A listening app whose files go to the backend `env` chooses, in a data directory of its own. */
export function useUploadApp(env: () => Promise<Record<string, string>> = () => Promise.resolve({})): UploadContext {
  let dataDir = '';
  let fullEnv: Record<string, string> = {};
  const testApp = useTestApp({
    env: async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'veza-uploads-'));
      fullEnv = {
        VEZA_DATA_DIR: dataDir,
        VEZA_FILES_QUOTA_BYTES: String(64 * 1024 * 1024),
        VEZA_FILES_IMAGE_MAX_BYTES: String(1024 * 1024),
        ...(await env()),
      };
      return fullEnv;
    },
  });
  after(async () => {
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });
  let suite: Promise<UploadSuite> | undefined;
  // Built on first use: node:test may start a file's second before() hook before the first has finished.
  async function build(): Promise<UploadSuite> {
    for (;;) {
      try {
        const app = testApp.current;
        const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
        return { app, base: address, storage: openObjectStorage(testConfig(app.database.url, fullEnv).files), dataDir };
      } catch (error) {
        if (!String(error).includes('only available inside tests')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
  return {
    ready: () => (suite ??= build()),
  };
}

export interface UploadContext {
  ready(): Promise<UploadSuite>;
}

export function uploadContract(backend: 'local' | 's3', context: UploadContext): void {
  test(`${backend}: tus-js-client uploads 20 MB, cut off halfway and resumed; the file's SHA-256 matches`, async () => {
    const { app, base, storage, dataDir } = await context.ready();
    const caller = await signedInCaller(app);
    const bytes = wav(20 * 1024 * 1024);
    const result = await tusUpload(
      `${base}/v1/uploads`,
      caller.authorization,
      bytes,
      { filename: 'Master take.wav', purpose: 'track' },
      { cutAt: 10 * 1024 * 1024 },
    );
    // The second client started where the server said the first had stopped, not from zero.
    assert.ok(
      result.resumedFrom !== null && result.resumedFrom >= 10 * 1024 * 1024,
      `resumed from ${result.resumedFrom}`,
    );
    assert.ok(result.fileId);
    const [file] = await app.database.sql`SELECT * FROM files WHERE id = ${result.fileId}`;
    assert.equal(file?.user_id, caller.id);
    assert.equal(file?.file_hash, sha256(bytes));
    assert.equal(Number(file?.file_size), bytes.length);
    assert.equal(file?.mime_type, 'audio/wav');
    assert.equal(file?.original_filename, 'Master take.wav');
    assert.equal(file?.storage_provider, storage.provider);
    assert.equal(file?.bucket_name, storage.bucket);
    assert.match(String(file?.storage_path), new RegExp(`^users/${caller.id}/${result.fileId}/original\\.wav$`));
    assert.equal(sha256(await readAll(await storage.get(String(file?.storage_path)))), sha256(bytes));
    const [session] = await app.database.sql`SELECT * FROM file_uploads WHERE user_id = ${caller.id}`;
    assert.equal(session?.status, 'completed');
    assert.equal(Number(session?.bytes_uploaded), bytes.length);
    // Nothing left in staging once the file is stored.
    assert.deepEqual(await readdir(uploadStagingDir(dataDir)), []);
  });

  test(`${backend}: a multipart image upload becomes a file with the SHA-256 of its bytes`, async () => {
    const { app, base, storage } = await context.ready();
    const caller = await signedInCaller(app);
    const image = png(16, 16);
    const form = new FormData();
    form.append('file', new Blob([image], { type: 'text/plain' }), 'cover art.png');
    const response = await fetch(`${base}/v1/files?purpose=cover`, {
      method: 'POST',
      headers: { authorization: caller.authorization },
      body: form,
    });
    assert.equal(response.status, 201, await response.clone().text());
    const body = (await response.json()) as Record<string, unknown>;
    // The client called it text/plain; the bytes say PNG, and the bytes win.
    assert.equal(body.mime_type, 'image/png');
    assert.equal(body.file_hash, sha256(image));
    assert.equal(body.original_filename, 'cover art.png');
    const [file] = await app.database.sql`SELECT storage_path FROM files WHERE id = ${body.id as string}`;
    assert.deepEqual(await readAll(await storage.get(String(file?.storage_path))), image);
  });

  test(`${backend}: a chunk whose checksum does not match is refused (460) and not kept; the right one is`, async () => {
    const { app, base } = await context.ready();
    const caller = await signedInCaller(app);
    const bytes = wav(4096);
    const created = await fetch(`${base}/v1/uploads`, {
      method: 'POST',
      headers: tusHeaders(caller.authorization, {
        'upload-length': String(bytes.length),
        'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
      }),
    });
    assert.equal(created.status, 201);
    const url = `${base}${created.headers.get('location')}`;
    const patch = (checksum: string) =>
      fetch(url, {
        method: 'PATCH',
        headers: tusHeaders(caller.authorization, {
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'upload-checksum': checksum,
        }),
        body: bytes,
      });
    const wrong = await patch(`sha1 ${createHash('sha1').update('other bytes').digest('base64')}`);
    assert.equal(wrong.status, 460);
    assert.equal(((await wrong.json()) as { code: string }).code, 'CHECKSUM_MISMATCH');
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(caller.authorization) });
    assert.equal(head.headers.get('upload-offset'), '0');
    const right = await patch(`sha256 ${createHash('sha256').update(bytes).digest('base64')}`);
    assert.equal(right.status, 204);
    assert.ok(right.headers.get('veza-file-id'));
  });

  test(`${backend}: termination removes the upload, its row and its staged bytes`, async () => {
    const { app, base, dataDir } = await context.ready();
    const caller = await signedInCaller(app);
    const created = await fetch(`${base}/v1/uploads`, {
      method: 'POST',
      headers: tusHeaders(caller.authorization, {
        'upload-length': '100000',
        'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
        'content-type': 'application/offset+octet-stream',
      }),
      body: wav(100_000).subarray(0, 1000),
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('upload-offset'), '1000');
    const url = `${base}${created.headers.get('location')}`;
    const id = url.split('/').pop() as string;
    const [row] = await app.database.sql`SELECT bytes_uploaded, status FROM file_uploads WHERE id = ${id}`;
    assert.deepEqual([row?.status, Number(row?.bytes_uploaded)], ['uploading', 1000]);
    const deleted = await fetch(url, { method: 'DELETE', headers: tusHeaders(caller.authorization) });
    assert.equal(deleted.status, 204);
    assert.equal((await app.database.sql`SELECT 1 FROM file_uploads WHERE id = ${id}`).length, 0);
    assert.ok(!(await readdir(uploadStagingDir(dataDir))).some((name) => name.startsWith(id)));
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders(caller.authorization) });
    assert.equal(head.status, 404);
  });

  test(`${backend}: an expired upload answers 410 and accepts no more bytes`, async () => {
    const { app, base } = await context.ready();
    const caller = await signedInCaller(app);
    const created = await fetch(`${base}/v1/uploads`, {
      method: 'POST',
      headers: tusHeaders(caller.authorization, {
        'upload-length': '5000',
        'upload-metadata': tusMetadata({ filename: 'a.wav', purpose: 'track' }),
      }),
    });
    const url = `${base}${created.headers.get('location')}`;
    const id = url.split('/').pop() as string;
    await app.database.sql`UPDATE file_uploads SET expires_at = now() - interval '1 second' WHERE id = ${id}`;
    const patch = await fetch(url, {
      method: 'PATCH',
      headers: tusHeaders(caller.authorization, {
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      }),
      body: wav(5000),
    });
    assert.equal(patch.status, 410);
    assert.equal(((await patch.json()) as { code: string }).code, 'UPLOAD_EXPIRED');
    const [row] = await app.database.sql`SELECT bytes_uploaded FROM file_uploads WHERE id = ${id}`;
    assert.equal(Number(row?.bytes_uploaded), 0);
  });
}
