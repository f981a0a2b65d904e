// The pipeline over the S3 backend: the same processing, with the source read from and the renditions written to
// an S3-protocol server on loopback.
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { useMigratedDatabase } from '../../../../test/helpers/database.ts';
import { filesFactories } from '../../../../test/factories/files.ts';
import { startLoopbackS3, type LoopbackS3 } from '../storage/loopback-s3.test-support.ts';
import { S3ObjectStorage } from '../storage/object-storage.ts';
import { EICAR, ffprobe, generateStepWav, writeEicarSignatureDatabase } from './media.test-support.ts';
import { processFile, type ProcessingDeps } from './pipeline.ts';

const database = useMigratedDatabase();

describe('processing with the S3 backend', () => {
  let s3: LoopbackS3 | undefined;
  let storage: S3ObjectStorage;
  let workDir: string;
  let deps: () => ProcessingDeps;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'veza-processing-s3-'));
    s3 = await startLoopbackS3();
    storage = new S3ObjectStorage(s3.options);
    const signatures = await writeEicarSignatureDatabase(join(workDir, 'clamav'));
    deps = () => ({
      db: database.current.db,
      storage,
      tools: {
        scanner: { command: 'clamscan', databaseDir: signatures, timeoutMs: 60_000 },
        ffmpeg: 'ffmpeg',
        ffprobe: 'ffprobe',
        ffmpegTimeoutMs: 60_000,
        waveformBuckets: 1_800,
      },
    });
  });
  after(async () => {
    await s3?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  async function stored(path: string, mimeType: string, key: string): Promise<{ id: string; user_id: string }> {
    const put = await storage.put(key, createReadStream(path));
    const row = await filesFactories.files(database.current.sql, {
      mime_type: mimeType,
      file_size: put.size,
      storage_path: key,
      storage_provider: 's3',
      bucket_name: s3?.options.bucket,
    });
    return { id: row.id as string, user_id: row.user_id as string };
  }

  test('a WAV gets its renditions stored in the bucket beside the untouched original', async () => {
    const path = join(workDir, 'tone.wav');
    await generateStepWav(path, 12);
    const file = await stored(path, 'audio/wav', 'users/s3-owner/tone/original.wav');

    assert.equal(await processFile(deps(), file.id), 'processed');

    const rows = await database.current.sql`
      SELECT f.storage_path, f.storage_provider, f.bucket_name FROM file_conversions c
      JOIN files f ON f.id = c.converted_file_id WHERE c.source_file_id = ${file.id} ORDER BY c.target_quality`;
    assert.deepEqual(
      rows.map((row) => [row.storage_path, row.storage_provider, row.bucket_name]),
      ['aac-128k.m4a', 'aac-256k.m4a'].map((name) => [`users/${file.user_id}/${file.id}/${name}`, 's3', 'veza-test']),
    );
    const keys: string[] = [];
    for await (const key of storage.list(`users/${file.user_id}/${file.id}/`)) keys.push(key);
    assert.deepEqual(keys.sort(), rows.map((row) => row.storage_path as string).sort());
    const local = join(workDir, 'from-bucket.m4a');
    await pipeline(await storage.get(rows[0]?.storage_path as string), createWriteStream(local));
    const probe = await ffprobe(local);
    assert.equal(probe.streams[0]?.codec_name, 'aac');
    assert.ok(Math.abs(probe.durationSeconds - 12) < 0.2, `${probe.durationSeconds} s`);
    assert.equal((await storage.stat('users/s3-owner/tone/original.wav'))?.size, (await stat(path)).size);
  });

  test('the EICAR file read from the bucket is quarantined', async () => {
    const path = join(workDir, 'eicar.com');
    await writeFile(path, EICAR);
    const file = await stored(path, 'application/octet-stream', 'users/s3-owner/eicar/original.bin');

    assert.equal(await processFile(deps(), file.id), 'quarantined');
    const [row] = await database.current.sql`SELECT virus_scan_result FROM files WHERE id = ${file.id}`;
    assert.equal(row?.virus_scan_result, 'infected:Veza-Test.EICAR.UNOFFICIAL');
  });
});
