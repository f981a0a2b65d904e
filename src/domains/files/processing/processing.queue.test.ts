import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { useMigratedDatabase } from '../../../../test/helpers/database.ts';
import { filesFactories } from '../../../../test/factories/files.ts';
import { LocalObjectStorage } from '../storage/object-storage.ts';
import { enqueueProcessing } from './index.ts';
import { writeEicarSignatureDatabase } from './media.test-support.ts';
import { startProcessingSender, startProcessingWorker, type ProcessingWorker } from './processing.queue.ts';

const database = useMigratedDatabase();
let workDir: string;
let storage: LocalObjectStorage;
let worker: ProcessingWorker | undefined;
const lines: string[] = [];

async function textFile(key: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const row = await filesFactories.files(database.current.sql, {
    mime_type: 'text/plain',
    original_filename: 'notes.txt',
    storage_path: key,
    storage_provider: 'local',
    file_size: 12,
    ...overrides,
  });
  return row.id as string;
}

/** Waits until the file has left processing (processed, failed or quarantined) and returns its row. */
async function settled(fileId: string, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await database.current.sql`
      SELECT is_processed, processing_error, virus_scan_result, metadata FROM files WHERE id = ${fileId}`;
    if (row && (row.is_processed || row.processing_error !== null)) return row;
    if (Date.now() > deadline) throw new Error(`file ${fileId} was not processed in time:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the processing queue (pg-boss)', () => {
  // Inside the suite: the file's database is created by a root hook, which runs first.
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'veza-queue-test-'));
    storage = new LocalObjectStorage(join(workDir, 'store'));
    worker = await startProcessingWorker({
      url: database.current.url,
      deps: {
        db: database.current.db,
        storage,
        tools: {
          scanner: {
            command: 'clamscan',
            databaseDir: await writeEicarSignatureDatabase(join(workDir, 'clamav')),
            timeoutMs: 60_000,
          },
          ffmpeg: 'ffmpeg',
          ffprobe: 'ffprobe',
          ffmpegTimeoutMs: 60_000,
          waveformBuckets: 1_800,
        },
      },
      retryDelaySeconds: 1,
      retryLimit: 2,
      pollingIntervalSeconds: 1,
      log: (line) => lines.push(line),
    });
  });
  after(async () => {
    await worker?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  test('enqueueProcessing hands a new file to the worker, however often it is called', async () => {
    await storage.put('uploads/queued.txt', Buffer.from('liner notes\n'));
    const fileId = await textFile('uploads/queued.txt');

    await Promise.all([enqueueProcessing(fileId), enqueueProcessing(fileId), enqueueProcessing(fileId)]);

    const row = await settled(fileId);
    assert.equal(row.is_processed, true);
    assert.equal(row.virus_scan_result, 'clean');
    assert.equal((row.metadata as { processing: { attempts: number } }).processing.attempts, 1);
  });

  test('a failure a retry might fix is retried with backoff, then given up with a sentence, never forever', async () => {
    // The row exists but its bytes never reached the store: every attempt fails the same way.
    const fileId = await textFile('uploads/never-stored.txt');

    await enqueueProcessing(fileId);

    const row = await settled(fileId);
    assert.equal(row.is_processed, false);
    assert.match(
      row.processing_error as string,
      /^Processing this file failed 3 times and was stopped; the last problem was: .*uploads\/never-stored\.txt/,
    );
    const attempts = lines.filter((line) => line.startsWith(`files.process ${fileId}: attempt`));
    assert.equal(attempts.length, 2, lines.join('\n'));
    assert.equal((row.metadata as { processing: { attempts: number; status: string } }).processing.status, 'failed');
  });

  test('the recovery sweep queues files whose request was lost, and a sender-only process reaches the worker', async () => {
    await storage.put('uploads/lost.txt', Buffer.from('lost request\n'));
    const lost = await textFile('uploads/lost.txt', { created_at: new Date(Date.now() - 3_600_000) });
    await storage.put('uploads/recent.txt', Buffer.from('recent upload\n'));
    const recent = await textFile('uploads/recent.txt');

    assert.equal(await worker?.recover(), 1);
    assert.equal((await settled(lost)).is_processed, true);

    const sender = await startProcessingSender(database.current.url, (line) => lines.push(line));
    try {
      await enqueueProcessing(recent);
      assert.equal((await settled(recent)).is_processed, true);
    } finally {
      await sender.stop();
    }
  });
});
