// An S3-protocol server on loopback for the tests (s3rver keeps objects in a temporary directory), so the
// S3 backend is exercised over real HTTP with the real SDK rather than against a mock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3StorageOptions } from './object-storage.ts';

export interface LoopbackS3 {
  options: S3StorageOptions;
  close(): Promise<void>;
}

export async function startLoopbackS3(bucket = 'veza-test'): Promise<LoopbackS3> {
  const directory = await mkdtemp(join(tmpdir(), 'veza-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  return {
    options: {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      region: 'us-east-1',
      // s3rver's fixed development credentials.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
