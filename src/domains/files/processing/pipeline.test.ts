import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { useMigratedDatabase } from '../../../../test/helpers/database.ts';
import { filesFactories } from '../../../../test/factories/files.ts';
import { filesPolicy } from '../files.policy.ts';
import { LocalObjectStorage } from '../storage/object-storage.ts';
import {
  EICAR,
  ffprobe,
  generatePng,
  generateStepWav,
  generateTaggedMp3,
  integratedLoudness,
  writeEicarSignatureDatabase,
} from './media.test-support.ts';
import { processFile, type ProcessingDeps } from './pipeline.ts';
import { processingState } from './processing.state.ts';
import { decodeWaveform } from './waveform.ts';

const database = useMigratedDatabase();
let workDir: string;
let storage: LocalObjectStorage;
let signatures: string;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'veza-pipeline-test-'));
  storage = new LocalObjectStorage(join(workDir, 'store'));
  signatures = await writeEicarSignatureDatabase(join(workDir, 'clamav'));
});
after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function deps(overrides: Partial<ProcessingDeps> = {}, scanner = 'clamscan'): ProcessingDeps {
  return {
    db: database.current.db,
    storage,
    tools: {
      scanner: { command: scanner, databaseDir: signatures, timeoutMs: 60_000 },
      ffmpeg: 'ffmpeg',
      ffprobe: 'ffprobe',
      ffmpegTimeoutMs: 120_000,
      waveformBuckets: 1_800,
    },
    ...overrides,
  };
}

/** Stores the local file's bytes as an upload would and inserts its `files` row. */
async function storedFile(
  path: string,
  mimeType: string,
  name: string,
): Promise<{ id: string; key: string; user_id: string }> {
  const key = `uploads/${createHash('sha256')
    .update(path + Math.random())
    .digest('hex')
    .slice(0, 24)}`;
  const stored = await storage.put(key, createReadStream(path));
  const row = await filesFactories.files(database.current.sql, {
    original_filename: name,
    mime_type: mimeType,
    file_size: stored.size,
    file_hash: stored.sha256,
    storage_path: key,
    storage_provider: 'local',
  });
  return { id: row.id as string, key, user_id: row.user_id as string };
}

async function fileRow(id: string) {
  const [row] = await database.current.sql`SELECT * FROM files WHERE id = ${id}`;
  assert.ok(row);
  return row;
}

async function conversions(id: string) {
  return database.current.sql`
    SELECT c.*, f.storage_path AS converted_path, f.mime_type AS converted_mime, f.metadata AS converted_metadata
    FROM file_conversions c LEFT JOIN files f ON f.id = c.converted_file_id
    WHERE c.source_file_id = ${id} ORDER BY c.target_quality`;
}

async function download(key: string, path: string): Promise<string> {
  await pipeline(await storage.get(key), createWriteStream(path));
  return path;
}

describe('processing a 5-minute WAV (issue 12 done-when)', () => {
  test('becomes a clean processed file with its duration, a waveform and two playable loudness-normalised renditions', async () => {
    const source = join(workDir, 'five-minutes.wav');
    await generateStepWav(source, 300);
    const file = await storedFile(source, 'audio/wav', 'Five minutes.wav');
    const before = createHash('sha256')
      .update(await readFile(source))
      .digest('hex');
    const progress: { quality: string; progress: number }[] = [];

    const outcome = await processFile(deps({ onConversionProgress: (update) => progress.push(update) }), file.id);

    const row = await fileRow(file.id);
    assert.equal(outcome, 'processed', row.processing_error as string);
    assert.equal(row.is_processed, true);
    assert.equal(row.processing_error, null);
    assert.equal(row.virus_scanned, true);
    assert.equal(row.virus_scan_result, 'clean');
    const state = processingState(row as never);
    assert.deepEqual(state.steps, { scan: 'done', metadata: 'done', waveform: 'done', renditions: 'done' });
    assert.equal(state.status, 'processed');

    const [metadata] = await database.current.sql`SELECT * FROM file_metadata WHERE file_id = ${file.id}`;
    assert.ok(metadata);
    assert.equal(metadata.duration, 300);
    assert.equal(metadata.sample_rate, 44_100);
    assert.equal(metadata.channels, 2);
    assert.equal(metadata.bitrate, 1_411);
    const raw = metadata.raw_metadata as {
      waveform: { buckets: number; data: string };
      loudness: { integratedLufs: number };
      decodedSeconds: number;
    };
    assert.ok(Math.abs(raw.decodedSeconds - 300) < 0.05, `decoded ${raw.decodedSeconds} s`);

    // The waveform follows the signal: 0.8 of full scale for the first half, a quarter of that for the second.
    const waveform = decodeWaveform(raw.waveform);
    assert.equal(waveform.buckets, 1_800);
    assert.equal(waveform.peaks.length, 3_600);
    const bucket = (index: number) => [waveform.peaks[index * 2], waveform.peaks[index * 2 + 1]];
    const near = (index: number, peak: number) => {
      const [min, max] = bucket(index);
      assert.ok(
        Math.abs((max ?? 0) - peak) <= 2 && Math.abs((min ?? 0) + peak) <= 2,
        `bucket ${index}: ${min}..${max}`,
      );
    };
    for (const index of [0, 450, 895]) near(index, 102);
    for (const index of [905, 1_350, 1_799]) near(index, 25);

    const rows = await conversions(file.id);
    assert.deepEqual(
      rows.map((c) => [c.target_format, c.target_quality, c.status, c.progress]),
      [
        ['aac', '128k', 'completed', 100],
        ['aac', '256k', 'completed', 100],
      ],
    );
    for (const conversion of rows) {
      assert.equal(conversion.converted_mime, 'audio/mp4');
      assert.deepEqual(conversion.converted_metadata, { derivedFrom: file.id, kind: 'rendition' });
      const local = await download(
        conversion.converted_path as string,
        join(workDir, `rendition-${conversion.target_quality}.m4a`),
      );
      const probe = await ffprobe(local);
      assert.equal(probe.streams.length, 1);
      assert.equal(probe.streams[0]?.codec_name, 'aac');
      assert.equal(probe.streams[0]?.channels, 2);
      assert.ok(Math.abs(probe.durationSeconds - 300) < 0.5, `rendition lasts ${probe.durationSeconds} s`);
      const kbps = probe.bitRate / 1000;
      const target = Number.parseInt(conversion.target_quality as string, 10);
      assert.ok(
        kbps > target * 0.7 && kbps < target * 1.15,
        `${conversion.target_quality} rendition runs at ${kbps} kbps`,
      );
    }
    // The source was measured, and the stream brought to the -14 LUFS target.
    assert.ok(raw.loudness.integratedLufs > -14 + 3, `the source measured ${raw.loudness.integratedLufs} LUFS`);
    const streamed = await integratedLoudness(join(workDir, 'rendition-128k.m4a'));
    assert.ok(Math.abs(streamed - -14) < 1.5, `the 128k rendition measures ${streamed} LUFS`);

    // Progress came from ffmpeg while it worked: increasing values between 0 and 100 for each rendition.
    for (const quality of ['128k', '256k']) {
      const values = progress.filter((update) => update.quality === quality).map((update) => update.progress);
      assert.ok(
        values.some((value) => value > 0 && value < 100),
        `${quality}: ${values.join(',')}`,
      );
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
      );
      assert.equal(values.at(-1), 100);
    }

    // The lossless master is untouched.
    const master = createHash('sha256')
      .update(await readFile(await download(file.key, join(workDir, 'master.wav'))))
      .digest('hex');
    assert.equal(master, before);

    // A second run (a duplicate job) changes nothing.
    assert.equal(await processFile(deps(), file.id), 'already-done');
    assert.equal((await conversions(file.id)).length, 2);
  });
});

describe('the virus scan', () => {
  test('the EICAR file is quarantined by a real clamscan run and never served, not even to its owner', async () => {
    const path = join(workDir, 'eicar.txt');
    await writeFile(path, EICAR);
    const file = await storedFile(path, 'text/plain', 'notes.txt');

    assert.equal(await processFile(deps(), file.id), 'quarantined');

    const row = await fileRow(file.id);
    assert.equal(row.virus_scanned, true);
    assert.equal(row.virus_scan_result, 'infected:Veza-Test.EICAR.UNOFFICIAL');
    assert.ok(row.virus_scanned_at instanceof Date);
    assert.equal(row.is_processed, false);
    assert.match(
      row.processing_error as string,
      /^This file was quarantined: the virus scanner found Veza-Test\.EICAR/,
    );
    const state = processingState(row as never);
    assert.equal(state.status, 'quarantined');
    assert.equal(state.scan, 'infected');
    const owner = { userId: file.user_id } as never;
    assert.equal(filesPolicy.mayRead(owner, row as never, { production: false }).allowed, false);
    assert.equal(filesPolicy.mayRead(null, { ...row, is_public: true } as never, { production: false }).allowed, false);
  });

  test('without a scanner installed the file is marked unscanned and the rest of the pipeline still runs', async () => {
    const path = join(workDir, 'readme.txt');
    await writeFile(path, 'liner notes\n');
    const file = await storedFile(path, 'text/plain', 'readme.txt');

    assert.equal(await processFile(deps({}, 'veza-no-such-clamscan'), file.id), 'processed');

    const row = await fileRow(file.id);
    assert.equal(row.virus_scanned, false);
    assert.equal(row.virus_scan_result, 'unscanned');
    assert.equal(row.is_processed, true);
    const state = processingState(row as never);
    assert.deepEqual(state.steps, { scan: 'done', metadata: 'skipped', waveform: 'skipped', renditions: 'skipped' });
    assert.ok(state.notes?.includes('the virus scanner veza-no-such-clamscan is not installed'));
  });
});

describe('files the pipeline cannot read end with a sentence, not a crash', () => {
  test('random bytes announced as MP3', async () => {
    const path = join(workDir, 'noise.mp3');
    await writeFile(path, Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 251)));
    const file = await storedFile(path, 'audio/mpeg', 'noise.mp3');

    assert.equal(await processFile(deps(), file.id), 'failed');

    const row = await fileRow(file.id);
    assert.equal(row.is_processed, false);
    assert.match(
      row.processing_error as string,
      /^This (file could not be read as audio|audio file has no playable length)/,
    );
    assert.equal(processingState(row as never).steps.metadata, 'failed');
    assert.equal((await conversions(file.id)).length, 0);
    assert.equal(await processFile(deps(), file.id), 'already-done', 'a failed file is not retried forever');
  });

  test('a WAV cut off halfway says how much of it could be played', async () => {
    const path = join(workDir, 'cut.wav');
    await generateStepWav(path, 20);
    await truncate(path, 44 + 44_100 * 4 * 8);
    const file = await storedFile(path, 'audio/wav', 'cut.wav');

    assert.equal(await processFile(deps(), file.id), 'failed');

    const row = await fileRow(file.id);
    assert.equal(
      row.processing_error,
      'This audio file is truncated: it stops after 0:08, before the end its header announces.',
    );
  });
});

describe('metadata and thumbnails', () => {
  test('an MP3 gives its tags, and its embedded cover becomes an image file of its own', async () => {
    const path = join(workDir, 'tagged.mp3');
    await generateTaggedMp3(path, join(workDir, 'cover.png'), 4);
    const file = await storedFile(path, 'audio/mpeg', 'tagged.mp3');

    assert.equal(await processFile(deps(), file.id), 'processed');

    const [metadata] = await database.current.sql`SELECT * FROM file_metadata WHERE file_id = ${file.id}`;
    assert.ok(metadata);
    assert.deepEqual([metadata.title, metadata.artist, metadata.album], ['Night Tide', 'Ana Example', 'Harbour']);
    assert.equal(metadata.codec, 'MPEG 1 Layer 3');
    const coverId = (metadata.raw_metadata as { coverFileId: string }).coverFileId;
    const cover = await fileRow(coverId);
    assert.equal(cover.mime_type, 'image/png');
    assert.equal(cover.user_id, file.user_id);
    assert.deepEqual(cover.metadata, { derivedFrom: file.id, kind: 'cover' });
    const expected = await readFile(join(workDir, 'cover.png'));
    assert.equal(cover.file_hash, createHash('sha256').update(expected).digest('hex'));
    assert.equal((await fileRow(file.id)).thumbnail_url, cover.url);
    // Listed with the renditions, so deleting the track finds its cover too.
    const rows = await conversions(file.id);
    assert.deepEqual(
      rows.map((c) => [c.target_format, c.target_quality, c.status]),
      [
        ['aac', '128k', 'completed'],
        ['aac', '256k', 'completed'],
        ['png', 'embedded-cover', 'completed'],
      ],
    );
    assert.equal(rows[2]?.converted_file_id, coverId);
  });

  test('an image gets its dimensions and two WebP thumbnails that keep its shape', async () => {
    const path = join(workDir, 'photo.png');
    await generatePng(path, 1600, 1200);
    const file = await storedFile(path, 'image/png', 'photo.png');

    assert.equal(await processFile(deps(), file.id), 'processed');

    const [metadata] = await database.current.sql`SELECT width, height FROM file_metadata WHERE file_id = ${file.id}`;
    assert.deepEqual({ ...metadata }, { width: 1600, height: 1200 });
    const rows = await conversions(file.id);
    const sizes: string[] = [];
    for (const conversion of rows) {
      assert.equal(conversion.status, 'completed');
      const probe = await ffprobe(
        await download(conversion.converted_path as string, join(workDir, `thumb-${conversion.target_quality}.webp`)),
      );
      sizes.push(
        `${conversion.target_quality}:${probe.streams[0]?.codec_name}:${probe.streams[0]?.width}x${probe.streams[0]?.height}`,
      );
    }
    assert.deepEqual(sizes, ['1280px:webp:1280x960', '320px:webp:320x240']);
    assert.ok(((await fileRow(file.id)).thumbnail_url as string).endsWith('/content'));
  });
});

describe('a file deleted while it is processed', () => {
  test('stops the run and takes what was already derived from it along', async () => {
    const path = join(workDir, 'short.wav');
    await generateStepWav(path, 30);
    const file = await storedFile(path, 'audio/wav', 'short.wav');
    let deleted = false;

    const outcome = await processFile(
      deps({
        onConversionProgress: () => {
          if (deleted) return;
          deleted = true;
          void database.current.sql`UPDATE files SET deleted_at = NOW() WHERE id = ${file.id}`.execute();
        },
      }),
      file.id,
    );

    assert.equal(outcome, 'gone', (await fileRow(file.id)).processing_error as string);
    const derived = await database.current.sql`
      SELECT deleted_at FROM files WHERE metadata->>'derivedFrom' = ${file.id}`;
    assert.ok(derived.length >= 1, 'the first rendition was stored before the deletion was seen');
    assert.ok(derived.every((row) => row.deleted_at !== null));
    assert.equal((await fileRow(file.id)).is_processed, false);
  });
});
