// The embeddable player in a real browser (issue 13 §7 "done when"): Debian's Chromium, driven by playwright-core,
// opens /embed/tracks/{id} of a track whose audio went through the real processing pipeline (ffmpeg renditions,
// waveform), plays it past 2 s, seeks to the middle (a ranged request for a later offset reaches the stream
// route), and finds the waveform drawn on the canvas.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { allFactories } from '../factories/index.ts';
import { useTestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { processFile } from '../../src/domains/files/processing/index.ts';
import { LocalObjectStorage } from '../../src/domains/files/storage/object-storage.ts';

const run = promisify(execFile);
const workDir = await mkdtemp(join(tmpdir(), 'veza-embed-browser-'));
const dataDir = join(workDir, 'data');
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });
after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** What the test touches of the page's elements (the project compiles without the DOM library). */
interface AudioLike {
  currentTime: number;
  readonly seeking: boolean;
  readonly duration: number;
  play(): Promise<void>;
}
/** The page's global object, as seen from a function run in it. */
interface PageGlobal {
  document: { getElementById(id: string): unknown };
}
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Five minutes: a rendition of ~8 MB, so the middle is past what the browser buffers after 2 s of play. */
const SECONDS = 300;

/** A source an upload could be (an MP3 of a tone whose loudness steps up at the middle, over soft noise). */
async function generateSource(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `aevalsrc=0.7*sin(2*PI*440*t)*if(lt(t\\,${SECONDS / 2})\\,0.3\\,1):s=44100:d=${SECONDS}`],
    ...['-f', 'lavfi', '-i', `anoisesrc=c=pink:a=0.05:r=44100:d=${SECONDS}`],
    ...['-filter_complex', 'amix=inputs=2:normalize=0', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', path],
  ]);
}

/** A public, published track of a processed upload, as a creator would have made it (duration, waveform). */
async function processedTrack(): Promise<{ id: string }> {
  const { sql, db } = testApp.current.database;
  const storage = new LocalObjectStorage(join(dataDir, 'files'));
  const source = join(workDir, 'upload.mp3');
  await generateSource(source);
  const creator = await allFactories.users!(sql, { display_name: 'Embed Tester' });
  const key = `users/${String(creator.id)}/upload.mp3`;
  const stored = await storage.put(key, createReadStream(source));
  const file = await allFactories.files!(sql, {
    user_id: creator.id,
    original_filename: 'upload.mp3',
    mime_type: 'audio/mpeg',
    file_size: stored.size,
    file_hash: stored.sha256,
    storage_path: key,
    storage_provider: 'local',
    is_public: true,
  });
  const outcome = await processFile(
    {
      db,
      storage,
      tools: {
        scanner: { command: null, databaseDir: null, timeoutMs: 60_000 },
        ffmpeg: 'ffmpeg',
        ffprobe: 'ffprobe',
        ffmpegTimeoutMs: 300_000,
        waveformBuckets: 1_800,
      },
    },
    String(file.id),
  );
  assert.equal(outcome, 'processed');
  const [processed] = await sql<{ duration: number; waveform: unknown }[]>`
    SELECT m.duration, m.raw_metadata -> 'waveform' AS waveform
    FROM file_metadata m WHERE m.file_id = ${String(file.id)}`;
  assert.ok(processed?.waveform, 'processing made a waveform');
  const track = await allFactories.tracks!(sql, {
    creator_id: creator.id,
    file_id: file.id,
    title: 'Night <Tide>',
    duration: Math.round(processed.duration),
    waveform_data: processed.waveform,
    visibility: 'public',
    published_at: new Date(),
  });
  await allFactories.track_comments!(sql, { track_id: track.id, timestamp_seconds: 150, content: 'the drop' });
  return { id: String(track.id) };
}

test('the embed page plays, seeks with a ranged request, and draws the waveform in Chromium', async () => {
  const track = await processedTrack();
  const streamRequests: { range: string | undefined }[] = [];
  testApp.current.app.server.on('request', (request: IncomingMessage) => {
    if (request.url?.startsWith(`/v1/tracks/${track.id}/stream`)) streamRequests.push({ range: request.headers.range });
  });
  const baseUrl = await testApp.current.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  try {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    // The browser's own favicon probe is the one 404 expected: the page names no icon.
    page.on('response', (response) => {
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
        failures.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        failures.push(message.text());
    });
    await page.goto(`${baseUrl}/embed/tracks/${track.id}`);
    assert.equal(await page.locator('h1.title').textContent(), 'Night <Tide>');
    assert.equal(await page.locator('p.creator').textContent(), 'Embed Tester');

    await page.$eval('#audio', (element) => (element as unknown as AudioLike).play());
    // Functions, not strings: the page's CSP forbids evaluating strings, as it should.
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobal).document.getElementById('audio') as AudioLike).currentTime > 2,
      null,
      { timeout: 60_000 },
    );

    // The page itself may connect nowhere (CSP): the size is asked from here.
    const head = await testApp.current.app.inject({ method: 'HEAD', url: `/v1/tracks/${track.id}/stream` });
    const size = Number(head.headers['content-length']);
    assert.ok(size > 4_000_000, `a rendition of ${size} bytes`);
    const beforeSeek = streamRequests.length;
    const middle = await page.$eval('#audio', (element) => {
      const audio = element as unknown as AudioLike;
      audio.currentTime = audio.duration / 2;
      return audio.duration / 2;
    });
    await page.waitForFunction(
      (target) => {
        const audio = (globalThis as unknown as PageGlobal).document.getElementById('audio') as AudioLike;
        return !audio.seeking && audio.currentTime > target + 0.5;
      },
      middle,
      { timeout: 60_000 },
    );
    const laterRanges = streamRequests
      .slice(beforeSeek)
      .map((request) => /^bytes=(\d+)-/.exec(request.range ?? '')?.[1])
      .filter((start): start is string => start !== undefined)
      .map(Number)
      .filter((start) => start > size * 0.4);
    assert.ok(
      laterRanges.length > 0,
      `a ranged request near the middle, after the seek: ${JSON.stringify(streamRequests)}`,
    );

    const pixels = await page.$eval('#waveform', (element) => {
      const canvas = element as unknown as CanvasLike;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      let played = 0;
      let markers = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        drawn += 1;
        if (data[i] === 0xff && data[i + 1] === 0x55 && data[i + 2] === 0x00) played += 1;
        if (data[i] === 0x1d && data[i + 1] === 0x6f && data[i + 2] === 0xd8) markers += 1;
      }
      return { drawn, played, markers, total: data.length / 4 };
    });
    assert.ok(pixels.drawn > pixels.total / 10, `waveform drawn: ${JSON.stringify(pixels)}`);
    assert.ok(pixels.played > 0, 'the played half is drawn in the played colour');
    assert.ok(pixels.markers > 0, 'the comment marker is drawn');
    assert.deepEqual(failures, [], 'the page ran without script or CSP errors');
  } finally {
    await browser.close();
  }
});
