// The files part of the benchmarks (issue 12 "Performance"), runnable on its own:
//
//   node bench/files.ts [--size-mb 32] [--readers 1,32] [--requests 32] [--range-kb 1024] [--runs 3]
//
// Against a real listening app (loopback HTTP, local storage, its own freshly migrated database):
// - upload throughput through tus (tus-js-client, 8 MiB chunks) against a plain stream copy of the same bytes on
//   the same disk;
// - range reads through GET /v1/files/{id}/content: first-byte latency and MB/s at each reader count, against
//   reading the same ranges of the stored file directly (a file handle per reader);
// - processing a track (the pipeline against the same commands by hand), then 64 KiB reads of its stream,
//   GET /v1/tracks/{id}/stream, against the rendition file read directly (issue 13, time to first byte).
// Prints a Markdown section for docs/benchmarks.md ("Files"); writes nothing else. DATABASE_URL names the server.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Agent, createServer, get } from 'node:http';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { buildApp } from '../src/app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../src/domains/auth/index.ts';
import { uploadStagingDir } from '../src/domains/files/files.module.ts';
import { generateStepWav, writeEicarSignatureDatabase } from '../src/domains/files/processing/media.test-support.ts';
import { processFile, type ProcessingDeps } from '../src/domains/files/processing/pipeline.ts';
import { audioRenditions } from '../src/domains/files/processing/transcoder.ts';
import { ANALYSIS_SAMPLE_RATE, parseEbur128 } from '../src/domains/files/processing/waveform.ts';
import { LocalObjectStorage } from '../src/domains/files/storage/object-storage.ts';
import { tusUpload, wav } from '../src/domains/files/uploads.test-support.ts';
import { filesFactories } from '../test/factories/files.ts';
import { streamingFactories } from '../test/factories/streaming.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { loadConstraintColumns } from '../src/platform/db/constraint-columns.ts';
import { ensureDatabase } from '../src/platform/db/database-server.ts';
import { listMigrationFiles, Migrator } from '../src/platform/db/migrations.ts';
import { openPool } from '../src/platform/db/pool.ts';
import { authFactories } from '../test/factories/auth.ts';
import { percentile } from './measurement.ts';

const { values: args } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '32' },
    readers: { type: 'string', default: '1,32' },
    requests: { type: 'string', default: '32' },
    'range-kb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    'processing-seconds': { type: 'string', default: '300' },
    database: { type: 'string', default: 'veza_bench_files' },
  },
});
const sizeBytes = Number(args['size-mb']) * 1024 * 1024;
const readerCounts = args.readers.split(',').map(Number);
const requestsPerReader = Number(args.requests);
const rangeBytes = Number(args['range-kb']) * 1024;
const runs = Number(args.runs);
const SECRET = 'bench-secret-of-the-files-benchmark-not-for-production';

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const mbps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);
const seconds = () => performance.now();

/** A deterministic sequence of range starts (xorshift), the same for the API and the direct reads. */
function rangeStarts(reader: number, count: number, size: number, length: number): number[] {
  let state = 0x9e3779b9 ^ (reader + 1);
  const starts: number[] = [];
  for (let i = 0; i < count; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    starts.push(((state >>> 0) % Math.max(1, Math.floor((size - length) / 4096))) * 4096);
  }
  return starts;
}

interface ReadResult {
  firstByteMs: number[];
  bytes: number;
  wallMs: number;
}

/** One GET of a range over a kept-alive connection: the time to the first body byte, and the bytes. */
function getRange(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
): Promise<{ firstByteMs: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const sent = seconds();
    let firstByteMs = -1;
    let bytes = 0;
    get(url, { agent, headers }, (response) => {
      if (response.statusCode !== 206) reject(new Error(`range read answered ${response.statusCode}`));
      response.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = seconds() - sent;
        bytes += chunk.length;
      });
      response.on('end', () => resolve({ firstByteMs, bytes }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** `readers` concurrent readers, each on its own kept-alive connection, reading their ranges one after another. */
async function readOverHttp(
  base: string,
  path: string,
  authorization: string | undefined,
  readers: number,
  size = sizeBytes,
  length = rangeBytes,
): Promise<ReadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: readers });
  const firstByteMs: number[] = [];
  let bytes = 0;
  const started = seconds();
  try {
    await Promise.all(
      Array.from({ length: readers }, async (_, reader) => {
        for (const start of rangeStarts(reader, requestsPerReader, size, length)) {
          const headers: Record<string, string> = { range: `bytes=${start}-${start + length - 1}` };
          if (authorization) headers.authorization = authorization;
          const result = await getRange(agent, new URL(path, base), headers);
          firstByteMs.push(result.firstByteMs);
          bytes += result.bytes;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { firstByteMs, bytes, wallMs: seconds() - started };
}

/**
 * The least an HTTP server on Node can do for the same request: parse the Range header, stream those bytes of
 * the file. What the API adds on top (authentication, the database lookup, the policy, headers) is the difference.
 */
async function bareRangeServer(path: string, size = sizeBytes): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    const start = Number(match?.[1] ?? 0);
    const end = Number(match?.[2] ?? size - 1);
    response.writeHead(206, {
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${size}`,
    });
    createReadStream(path, { start, end }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readDirectly(path: string, readers: number, size = sizeBytes, length = rangeBytes): Promise<ReadResult> {
  const firstByteMs: number[] = [];
  let bytes = 0;
  const started = seconds();
  await Promise.all(
    Array.from({ length: readers }, async (_, reader) => {
      for (const start of rangeStarts(reader, requestsPerReader, size, length)) {
        const sent = seconds();
        let first = true;
        for await (const chunk of createReadStream(path, { start, end: start + length - 1 })) {
          if (first) firstByteMs.push(seconds() - sent);
          first = false;
          bytes += (chunk as Buffer).length;
        }
      }
    }),
  );
  return { firstByteMs, bytes, wallMs: seconds() - started };
}

/** Runs a command to its end, its output discarded but stderr kept (the loudness summary is there). */
function command(program: string, commandArgs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(stderr));
  });
}

/**
 * The pipeline's external work done by hand, as a person with a shell would: the same ClamAV scan, the same
 * ffmpeg analysis (loudness and the decoded samples the waveform is made of) and the same two AAC renditions with
 * the same gain. Our overhead is everything processFile adds to that.
 */
async function processingByHand(source: string, signatures: string, workDir: string): Promise<number> {
  const started = seconds();
  await command('clamscan', ['--no-summary', '--stdout', `--database=${signatures}`, '--', source]);
  const analysis = await command('ffmpeg', [
    ...['-hide_banner', '-nostats', '-nostdin', '-i', source],
    ...['-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
    ...['-map', '0:a:0', '-ac', '2', '-ar', String(ANALYSIS_SAMPLE_RATE), '-f', 'f32le', 'pipe:1'],
  ]);
  const loudness = parseEbur128(analysis);
  for (const spec of audioRenditions) {
    await command('ffmpeg', [
      ...['-hide_banner', '-nostats', '-nostdin', '-v', 'error', '-y', '-i', source],
      ...spec.args({ loudness }),
      join(workDir, `by-hand-${spec.quality}.${spec.extension}`),
    ]);
  }
  return seconds() - started;
}

/** What a player asks for while it plays or seeks: 64 KiB ranges of the stream (issue 13, "time to first byte"). */
const STREAM_RANGE_BYTES = 64 * 1024;

/**
 * Time to first byte of GET /v1/tracks/{id}/stream (anonymous, a public track, the 256k rendition) against the same
 * ranges read from the rendition's file directly and through a bare Node server: what the track lookup, the
 * policy, the rendition choice and delivery add to a seek.
 */
async function streamReads(input: {
  sql: postgres.Sql;
  base: string;
  localRoot: string;
  ownerId: string;
  trackSeconds: number;
}): Promise<string[]> {
  const { sql, base, localRoot, ownerId, trackSeconds } = input;
  const [source] = await sql`
    SELECT f.id, r.storage_path, r.file_size
    FROM files f
    JOIN file_conversions c ON c.source_file_id = f.id AND c.target_quality = '256k' AND c.status = 'completed'
    JOIN files r ON r.id = c.converted_file_id
    WHERE f.user_id = ${ownerId} AND f.is_processed
    ORDER BY f.created_at DESC LIMIT 1`;
  if (!source) throw new Error('no processed audio file with a 256k rendition to stream');
  const track = await streamingFactories.tracks(sql, {
    creator_id: ownerId,
    file_id: source.id,
    duration: trackSeconds,
    visibility: 'public',
    published_at: new Date(),
  });
  const size = Number(source.file_size);
  const rendition = join(localRoot, String(source.storage_path));
  const streamUrl = `/v1/tracks/${track.id}/stream?quality=high`;
  const bare = await bareRangeServer(rendition, size);
  const lines = [
    `| Stream reads of ${STREAM_RANGE_BYTES / 1024} KiB of a ${trackSeconds}-second track's 256k rendition, ${requestsPerReader} per reader | first byte p50 ms | p95 ms | MB/s | first byte p50 vs direct |`,
    '|---|---:|---:|---:|---:|',
  ];
  try {
    await readOverHttp(base, streamUrl, undefined, 2, size, STREAM_RANGE_BYTES); // warm-up
    for (const readers of readerCounts) {
      const direct = await readDirectly(rendition, readers, size, STREAM_RANGE_BYTES);
      const directFirst = percentile(
        [...direct.firstByteMs].sort((a, b) => a - b),
        0.5,
      );
      const row = (name: string, result: ReadResult) => {
        const firstBytes = [...result.firstByteMs].sort((a, b) => a - b);
        const p50 = percentile(firstBytes, 0.5);
        return `| ${name}, ${readers} reader(s) | ${p50.toFixed(2)} | ${percentile(firstBytes, 0.95).toFixed(2)} | ${mbps(result.bytes, result.wallMs).toFixed(0)} | ${(p50 / directFirst).toFixed(1)} |`;
      };
      lines.push(
        row(
          'GET /v1/tracks/{id}/stream',
          await readOverHttp(base, streamUrl, undefined, readers, size, STREAM_RANGE_BYTES),
        ),
        row(
          'bare Node HTTP server, same ranges',
          await readOverHttp(bare.base, '/', undefined, readers, size, STREAM_RANGE_BYTES),
        ),
        row('direct file reads', direct),
      );
    }
  } finally {
    await bare.close();
  }
  return lines;
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${args.database}" WITH (FORCE)`);
  await admin.end();
  const url = await ensureDatabase(adminUrl, args.database);
  await new Migrator(url).migrate();

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-bench-files-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    VEZA_DATA_DIR: dataDir,
    VEZA_STORAGE: 'local',
    VEZA_JWT_SECRET: SECRET,
    VEZA_LOG_LEVEL: 'silent',
    VEZA_JOBS_ENABLED: 'false',
    VEZA_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const pool = openPool(url, config.db);
  const accessTokens = new AccessTokens(SECRET, 3600);
  const app = await buildApp({
    pool,
    config,
    accessTokens,
    authenticate: createAuthenticator(accessTokens, pool.db),
    latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
    constraintColumns: await loadConstraintColumns(pool.db),
    logLevel: 'silent',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const lines: string[] = [];
  try {
    const user = await authFactories.users(sql);
    const authorization = `Bearer ${(await accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' })).token}`;

    // --- upload throughput ---------------------------------------------------------------------------------------
    const source = join(dataDir, 'source.wav');
    const bytes = wav(sizeBytes);
    await writeFile(source, bytes);
    const tusMs: number[] = [];
    const copyMs: number[] = [];
    let fileId: string | null = null;
    for (let run = 0; run < runs; run += 1) {
      // Fresh noise each run: identical bytes could be stored once (ADR 0039) and skip the work measured.
      randomBytes(4096).copy(bytes, 44);
      const started = seconds();
      const result = await tusUpload(
        `${base}/v1/uploads`,
        authorization,
        bytes,
        { filename: 'bench.wav', purpose: 'track' },
        {
          chunkSize: 8 * 1024 * 1024,
        },
      );
      tusMs.push(seconds() - started);
      fileId = result.fileId;
      const copyStarted = seconds();
      const target = join(dataDir, `copy-${run}.wav`);
      await pipeline(createReadStream(source), createWriteStream(target));
      const handle = await open(target, 'r+');
      await handle.sync();
      await handle.close();
      copyMs.push(seconds() - copyStarted);
      await rm(target);
    }
    if (!fileId) throw new Error('the upload made no file');
    const tusRate = mbps(sizeBytes, median(tusMs));
    const copyRate = mbps(sizeBytes, median(copyMs));
    lines.push(
      `### Files`,
      '',
      `Measured by \`node bench/files.ts --size-mb ${args['size-mb']} --readers ${args.readers} --requests ${requestsPerReader} --range-kb ${args['range-kb']} --runs ${runs}\` ` +
        `(${new Date().toISOString().slice(0, 10)}; loopback HTTP, local storage, medians of ${runs} runs).`,
      '',
      '| Upload of ' + args['size-mb'] + ' MiB | ms | MB/s | ratio |',
      '|---|---:|---:|---:|',
      `| tus (tus-js-client, 8 MiB chunks) | ${median(tusMs).toFixed(0)} | ${tusRate.toFixed(1)} | ${(tusRate / copyRate).toFixed(2)} |`,
      `| plain stream copy + fsync | ${median(copyMs).toFixed(0)} | ${copyRate.toFixed(1)} | 1.00 |`,
      '',
    );

    // --- range reads ---------------------------------------------------------------------------------------------
    const [row] = await sql`SELECT storage_path FROM files WHERE id = ${fileId}`;
    const stored = join(config.files.localRoot, String(row?.storage_path));
    await sql`UPDATE files SET virus_scanned = true, virus_scan_result = 'clean' WHERE id = ${fileId}`;
    const contentUrl = `/v1/files/${fileId}/content`;
    const bare = await bareRangeServer(stored);
    await readOverHttp(base, contentUrl, authorization, 2); // warm the page cache, the JIT and the pool
    await readOverHttp(bare.base, '/', undefined, 2);
    lines.push(
      `| Range reads of ${args['range-kb']} KiB, ${requestsPerReader} per reader | first byte p50 ms | p95 ms | MB/s | MB/s vs direct |`,
      '|---|---:|---:|---:|---:|',
    );
    try {
      for (const readers of readerCounts) {
        const direct = await readDirectly(stored, readers);
        const directRate = mbps(direct.bytes, direct.wallMs);
        const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
        const row = (name: string, result: ReadResult) => {
          const rate = mbps(result.bytes, result.wallMs);
          const firstBytes = sorted(result.firstByteMs);
          return `| ${name}, ${readers} reader(s) | ${percentile(firstBytes, 0.5).toFixed(2)} | ${percentile(firstBytes, 0.95).toFixed(2)} | ${rate.toFixed(0)} | ${(rate / directRate).toFixed(2)} |`;
        };
        lines.push(
          row('GET /v1/files/{id}/content', await readOverHttp(base, contentUrl, authorization, readers)),
          row('bare Node HTTP server, same ranges', await readOverHttp(bare.base, '/', undefined, readers)),
          row('direct file reads', direct),
        );
      }
    } finally {
      await bare.close();
    }

    // --- processing overhead -------------------------------------------------------------------------------------
    const trackSeconds = Number(args['processing-seconds']);
    if (trackSeconds > 0) {
      const track = join(dataDir, 'track.wav');
      await generateStepWav(track, trackSeconds);
      const signatures = await writeEicarSignatureDatabase(join(dataDir, 'signatures'));
      const storage = new LocalObjectStorage(config.files.localRoot);
      const deps: ProcessingDeps = {
        db: pool.db,
        storage,
        tools: {
          scanner: { command: 'clamscan', databaseDir: signatures, timeoutMs: 600_000 },
          ffmpeg: 'ffmpeg',
          ffprobe: 'ffprobe',
          ffmpegTimeoutMs: 1_800_000,
          waveformBuckets: 1_800,
        },
      };
      const throughPipeline = async (): Promise<number> => {
        const key = `bench/track-${randomBytes(8).toString('hex')}.wav`;
        const stored = await storage.put(key, createReadStream(track));
        const file = await filesFactories.files(sql, {
          user_id: user.id,
          mime_type: 'audio/wav',
          file_size: stored.size,
          file_hash: stored.sha256,
          storage_path: key,
        });
        const started = seconds();
        const outcome = await processFile(deps, String(file.id));
        if (outcome !== 'processed') throw new Error(`the pipeline answered ${outcome}`);
        return seconds() - started;
      };
      // Alternated (hand, pipeline, pipeline, hand…) so that a drift in the machine's load weighs on both sides.
      const byHand: number[] = [];
      const pipelineRuns: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        if (run % 2 === 0) {
          byHand.push(await processingByHand(track, signatures, dataDir));
          pipelineRuns.push(await throughPipeline());
        } else {
          pipelineRuns.push(await throughPipeline());
          byHand.push(await processingByHand(track, signatures, dataDir));
        }
      }
      const pipelineMs = median(pipelineRuns);
      const byHandMs = median(byHand);
      lines.push(
        '',
        `| Processing a ${trackSeconds}-second WAV (scan, metadata, loudness, waveform, 2 AAC renditions) | s | ratio |`,
        '|---|---:|---:|',
        `| processFile | ${(pipelineMs / 1000).toFixed(1)} | ${(pipelineMs / byHandMs).toFixed(2)} |`,
        `| the same clamscan and ffmpeg commands by hand | ${(byHandMs / 1000).toFixed(1)} | 1.00 |`,
      );
      lines.push(
        '',
        ...(await streamReads({
          sql,
          base,
          localRoot: config.files.localRoot,
          ownerId: String(user.id),
          trackSeconds,
        })),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await sql.end();
    await app.close();
    await pool.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(uploadStagingDir(dataDir), { recursive: true, force: true });
    const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`DROP DATABASE IF EXISTS "${args.database}" WITH (FORCE)`);
    await cleanup.end();
  }
}

await main();
