import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../platform/config/config.ts';
import {
  LocalObjectStorage,
  ObjectNotFoundError,
  S3ObjectStorage,
  openObjectStorage,
  type ObjectStorage,
} from './object-storage.ts';
import { startLoopbackS3, type LoopbackS3 } from './loopback-s3.test-support.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keys(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of storage.list(prefix)) found.push(key);
  return found.sort();
}

/** The same behaviour is required of every backend: the upload and delivery code cannot tell them apart. */
function contract(name: string, open: () => ObjectStorage): void {
  describe(`${name} object storage`, () => {
    test('put reports size and SHA-256 of what was stored; get returns the same bytes', async () => {
      const storage = open();
      const bytes = randomBytes(70_001);
      const written = await storage.put(
        'ab/cd/object-1',
        Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
      );
      assert.deepEqual(written, { size: bytes.length, sha256: sha256(bytes) });
      assert.deepEqual(await readAll(await storage.get('ab/cd/object-1')), bytes);
      const info = await storage.stat('ab/cd/object-1');
      assert.equal(info?.size, bytes.length);
      assert.ok(info.modifiedAt instanceof Date);
    });

    test('a range is inclusive of both ends', async () => {
      const storage = open();
      const bytes = randomBytes(4096);
      await storage.put('range/object', bytes);
      assert.deepEqual(
        await readAll(await storage.get('range/object', { start: 10, end: 19 })),
        bytes.subarray(10, 20),
      );
      assert.deepEqual(
        await readAll(await storage.get('range/object', { start: 4095, end: 4095 })),
        bytes.subarray(4095),
      );
      await assert.rejects(storage.get('range/object', { start: 5, end: 4 }), RangeError);
    });

    test('a missing object: stat is null, get rejects as not found, delete succeeds', async () => {
      const storage = open();
      assert.equal(await storage.stat('missing/object'), null);
      await assert.rejects(storage.get('missing/object'), ObjectNotFoundError);
      await storage.delete('missing/object');
      await storage.put('gone/object', Buffer.from('x'));
      await storage.delete('gone/object');
      await storage.delete('gone/object');
      assert.equal(await storage.stat('gone/object'), null);
    });

    test('list yields every key under a prefix and nothing else', async () => {
      const storage = open();
      await storage.put('list-a/1', Buffer.from('1'));
      await storage.put('list-a/sub/2', Buffer.from('2'));
      await storage.put('list-b/3', Buffer.from('3'));
      assert.deepEqual(await keys(storage, 'list-a/'), ['list-a/1', 'list-a/sub/2']);
    });

    test('keys that could escape the storage root are refused before touching anything', async () => {
      const storage = open();
      for (const key of ['../etc/passwd', 'a/../../b', '/absolute', 'a//b', '.hidden', 'a\\b', '']) {
        await assert.rejects(storage.put(key, Buffer.from('x')), /Invalid storage key/, key);
        await assert.rejects(storage.get(key), /Invalid storage key/, key);
      }
    });

    test('a body that fails midway leaves no object behind', async () => {
      const storage = open();
      const failing = new Readable({
        read() {
          this.push(randomBytes(1024));
          this.destroy(new Error('client went away'));
        },
      });
      await assert.rejects(storage.put('failed/object', failing), /client went away/);
      assert.equal(await storage.stat('failed/object'), null);
      assert.deepEqual(await keys(storage, 'failed/'), []);
    });
  });
}

let localRoot: string;
let s3: LoopbackS3;

before(async () => {
  localRoot = await mkdtemp(join(tmpdir(), 'veza-files-'));
  s3 = await startLoopbackS3();
});
after(async () => {
  await rm(localRoot, { recursive: true, force: true });
  await s3.close();
});

contract('local', () => new LocalObjectStorage(localRoot));
contract('S3', () => new S3ObjectStorage(s3.options, 5 * 1024 * 1024));

test('local: an interrupted put leaves no temporary file in the directory', async () => {
  const storage = new LocalObjectStorage(localRoot);
  const failing = new Readable({
    read() {
      this.destroy(new Error('cut'));
    },
  });
  await assert.rejects(storage.put('tmpcheck/object', failing));
  assert.deepEqual(await readdir(join(localRoot, 'tmpcheck')), []);
});

test('S3: a body larger than one part goes up as a multipart upload and reads back whole', async () => {
  const storage = new S3ObjectStorage(s3.options, 5 * 1024 * 1024);
  const bytes = randomBytes(12 * 1024 * 1024 + 17);
  let parts = 0;
  storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UploadPartCommand') parts += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countParts' },
  );
  const written = await storage.put('multipart/big', Readable.from([bytes]));
  assert.equal(parts, 3);
  assert.deepEqual(written, { size: bytes.length, sha256: sha256(bytes) });
  assert.equal(sha256(await readAll(await storage.get('multipart/big'))), sha256(bytes));
});

test('configuration picks the backend: local under the data directory by default, S3 when asked', () => {
  const local = openObjectStorage(loadConfig({ VEZA_DATA_DIR: '/srv/veza' }).files);
  assert.ok(local instanceof LocalObjectStorage);
  assert.equal(local.root, '/srv/veza/files');
  assert.equal(local.bucket, null);
  const remote = openObjectStorage(
    loadConfig({ VEZA_STORAGE: 's3', VEZA_S3_BUCKET: 'masters', VEZA_S3_ENDPOINT: 'http://127.0.0.1:9000' }).files,
  );
  assert.ok(remote instanceof S3ObjectStorage);
  assert.equal(remote.provider, 's3');
  assert.equal(remote.bucket, 'masters');
  assert.throws(() => loadConfig({ VEZA_STORAGE: 's3' }), /VEZA_S3_BUCKET/);
  assert.throws(() => loadConfig({ VEZA_STORAGE: 'ftp' }), /VEZA_STORAGE must be one of local, s3/);
  assert.throws(() => loadConfig({ VEZA_S3_ACCESS_KEY_ID: 'id' }), /set together/);
});
