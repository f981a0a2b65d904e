// Real processed audio for the track tests: ffmpeg makes the file, the files pipeline scans it (a real clamscan
// with a one-signature database), reads its tags, draws its waveform and converts it, exactly as after an upload.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { filesFactories } from '../../../test/factories/files.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { processFile } from '../files/processing/index.ts';
import {
  generatePng,
  generateStepWav,
  generateTaggedMp3,
  writeEicarSignatureDatabase,
} from '../files/processing/media.test-support.ts';
import type { ObjectStorage } from '../files/storage/object-storage.ts';

let workDir: Promise<string> | undefined;
const work = () => (workDir ??= mkdtemp(join(tmpdir(), 'veza-tracks-test-')));
let sequence = 0;

export interface ProcessedAudio {
  fileId: string;
  /** The stored bytes of the original upload. */
  bytes: Buffer;
  /** The renditions' file ids and bytes, by quality (`128k`, `256k`). */
  renditions: Map<string, { fileId: string; bytes: Buffer; mimeType: string }>;
}

/**
 * An uploaded audio file of `userId`, processed: `wav` is a tagless tone, `mp3` carries ID3 tags (Night Tide, Ana
 * Example, Harbour) and an embedded PNG cover.
 */
export async function processedAudio(
  testApp: TestApp,
  storage: ObjectStorage,
  userId: string,
  kind: 'wav' | 'mp3' = 'wav',
  seconds = 4,
): Promise<ProcessedAudio> {
  const dir = await work();
  sequence += 1;
  const source = join(dir, `source-${sequence}.${kind}`);
  if (kind === 'wav') await generateStepWav(source, seconds);
  else await generateTaggedMp3(source, join(dir, `cover-${sequence}.png`), seconds);
  const key = `users/${userId}/test-${sequence}-${Date.now()}/original.${kind}`;
  const stored = await storage.put(key, createReadStream(source));
  const row = await filesFactories.files(testApp.database.sql, {
    user_id: userId,
    original_filename: `Demo take ${sequence}.${kind}`,
    mime_type: kind === 'wav' ? 'audio/wav' : 'audio/mpeg',
    file_size: stored.size,
    file_hash: stored.sha256,
    storage_path: key,
    storage_provider: storage.provider,
    bucket_name: storage.bucket,
  });
  const fileId = String(row.id);
  const outcome = await processFile(
    {
      db: testApp.pool.db,
      storage,
      tools: {
        scanner: {
          command: 'clamscan',
          databaseDir: await writeEicarSignatureDatabase(join(dir, 'clamav')),
          timeoutMs: 60_000,
        },
        ffmpeg: 'ffmpeg',
        ffprobe: 'ffprobe',
        ffmpegTimeoutMs: 60_000,
        waveformBuckets: 200,
      },
    },
    fileId,
  );
  assert.equal(outcome, 'processed');
  const conversions = await testApp.database.sql`
    SELECT c.target_quality, f.id, f.storage_path, f.mime_type
    FROM file_conversions c JOIN files f ON f.id = c.converted_file_id
    WHERE c.source_file_id = ${fileId} AND c.target_format = 'aac' AND c.status = 'completed'`;
  const renditions = new Map<string, { fileId: string; bytes: Buffer; mimeType: string }>();
  for (const conversion of conversions)
    renditions.set(String(conversion.target_quality), {
      fileId: String(conversion.id),
      bytes: await buffer(await storage.get(String(conversion.storage_path))),
      mimeType: String(conversion.mime_type),
    });
  return { fileId, bytes: await readFile(source), renditions };
}

/** A clean image file of `userId` (a PNG drawn by ffmpeg), usable as cover art. */
export async function storedImage(testApp: TestApp, storage: ObjectStorage, userId: string): Promise<string> {
  const dir = await work();
  sequence += 1;
  const path = join(dir, `image-${sequence}.png`);
  await generatePng(path, 32, 32);
  const key = `users/${userId}/image-${sequence}-${Date.now()}/cover.png`;
  const stored = await storage.put(key, createReadStream(path));
  const row = await filesFactories.files(testApp.database.sql, {
    user_id: userId,
    original_filename: `cover-${sequence}.png`,
    mime_type: 'image/png',
    file_size: stored.size,
    file_hash: stored.sha256,
    storage_path: key,
    storage_provider: storage.provider,
    bucket_name: storage.bucket,
    virus_scanned: true,
    virus_scan_result: 'clean',
    is_processed: true,
    metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
  });
  return String(row.id);
}
