// An S3-protocol server on loopback for the tests (s3rver keeps objects in a temporary directory), so the
// S3 backend is exercised over real HTTP with the real SDK rather than against a mock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3StorageOptions } from './object-storage.ts';

export interface LoopbackS3 {
  options: S3StorageOptions;
  /** The environment that points a Veza app at this server (VEZA_STORAGE=s3 and its VEZA_S3_* settings). */
  env: Record<string, string>;
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
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed development credentials.
  const credential = 'S3RVER';
  return {
    options: {
      endpoint,
      bucket,
      region: 'us-east-1',
      accessKeyId: credential,
      secretAccessKey: credential,
      forcePathStyle: true,
    },
    env: {
      VEZA_STORAGE: 's3',
      VEZA_S3_ENDPOINT: endpoint,
      VEZA_S3_BUCKET: bucket,
      VEZA_S3_ACCESS_KEY_ID: credential,
      VEZA_S3_SECRET_ACCESS_KEY: credential,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
