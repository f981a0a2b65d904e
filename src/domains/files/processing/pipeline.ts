// The processing of one stored file (issue 12 §4, ADRs 0040 and 0041): scan, metadata, waveform and loudness,
// renditions. Each step records its state on the file before the next starts and is skipped when a previous
// attempt finished it, so a retried job resumes instead of redoing. Failures that a retry cannot fix become a
// sentence in files.processing_error; any other error is thrown for the job queue to retry with backoff.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../../../platform/db/pool.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import { extractAudioMetadata, extractImageMetadata, type AudioMetadata } from './metadata.ts';
import { PermanentProcessingError } from './processing.errors.ts';
import { ProcessingRepository, type SourceFile } from './processing.repository.ts';
import { readProcessingRecord, type ProcessingRecord, type StepName } from './processing.state.ts';
import { scanFile, scanResultColumn, type ScannerConfig } from './scanner.ts';
import { audioRenditions, imageRenditions, transcode, type RenditionSpec } from './transcoder.ts';
import { analyseAudio, encodeWaveform, type Loudness } from './waveform.ts';

export interface ProcessingTools {
  scanner: ScannerConfig;
  /** null: not installed; conversions, waveforms and image dimensions are then skipped (noted on the file). */
  ffmpeg: string | null;
  ffprobe: string | null;
  /** Per ffmpeg run: a pathological file is stopped rather than holding the worker forever. */
  ffmpegTimeoutMs: number;
  waveformBuckets: number;
}

export interface ProcessingDeps {
  db: Database;
  storage: ObjectStorage;
  tools: ProcessingTools;
  log?: (line: string) => void;
  /** Called with each progress value written to a file_conversions row (tests follow it). */
  onConversionProgress?: (conversion: { format: string; quality: string; progress: number }) => void;
}

export type ProcessingOutcome = 'processed' | 'quarantined' | 'failed' | 'gone' | 'already-done';

/** Writes at most this often per conversion: ffmpeg reports twice a second, the row needs no more. */
const PROGRESS_STEP_PERCENT = 5;

class FileGone extends Error {}

export async function processFile(deps: ProcessingDeps, fileId: string): Promise<ProcessingOutcome> {
  const repository = new ProcessingRepository(deps.db);
  const log = deps.log ?? (() => {});
  const file = await repository.findFile(fileId);
  if (!file || file.deleted_at !== null) return 'gone';
  const record = readProcessingRecord(file.metadata);
  if (record.status === 'processed' || record.status === 'quarantined' || record.status === 'failed')
    return 'already-done';

  record.status = 'processing';
  record.attempts += 1;
  record.notes = [];
  await repository.saveRecord(fileId, record);

  const workDir = await mkdtemp(join(tmpdir(), 'veza-processing-'));
  try {
    const local = join(workDir, 'source');
    await pipeline(await deps.storage.get(file.storage_path), createWriteStream(local));
    const run = new Run(deps, repository, file, record, local, workDir, log);
    return await run.all();
  } catch (error) {
    if (error instanceof FileGone) {
      const removed = await repository.softDeleteDerived(fileId);
      log(`files.process ${fileId}: deleted while processing; ${removed} derived file(s) deleted with it`);
      return 'gone';
    }
    if (error instanceof PermanentProcessingError) {
      for (const step of Object.keys(record.steps) as StepName[]) {
        if (record.steps[step] === 'running') record.steps[step] = 'failed';
      }
      record.status = 'failed';
      await repository.markFailed(fileId, record, error.message);
      log(`files.process ${fileId}: failed: ${error.message}`);
      return 'failed';
    }
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Records the end of a file whose job will not be retried again: the owner reads that processing gave up, not a
 * stack trace. Called by the queue on the last attempt.
 */
export async function recordGiveUp(db: Database, fileId: string, attempts: number, reason: string): Promise<void> {
  const repository = new ProcessingRepository(db);
  const file = await repository.findFile(fileId);
  if (!file || file.deleted_at !== null) return;
  const record = readProcessingRecord(file.metadata);
  for (const step of Object.keys(record.steps) as StepName[]) {
    if (record.steps[step] === 'running') record.steps[step] = 'failed';
  }
  record.status = 'failed';
  await repository.markFailed(
    fileId,
    record,
    `Processing this file failed ${attempts} times and was stopped; the last problem was: ${reason.slice(0, 300)}`,
  );
}

class Run {
  private readonly deps: ProcessingDeps;
  private readonly repository: ProcessingRepository;
  private file: SourceFile;
  private readonly record: ProcessingRecord;
  private readonly local: string;
  private readonly workDir: string;
  private readonly log: (line: string) => void;
  private thumbnailUrl: string | null = null;

  constructor(
    deps: ProcessingDeps,
    repository: ProcessingRepository,
    file: SourceFile,
    record: ProcessingRecord,
    local: string,
    workDir: string,
    log: (line: string) => void,
  ) {
    this.deps = deps;
    this.repository = repository;
    this.file = file;
    this.record = record;
    this.local = local;
    this.workDir = workDir;
    this.log = log;
  }

  /** Next to the original under F1's layout (ADR 0038), so every byte of one upload shares one prefix. */
  private get derivedPrefix(): string {
    return `users/${this.file.user_id}/${this.file.id}`;
  }

  private get kind(): 'audio' | 'image' | 'other' {
    if (this.file.mime_type.startsWith('audio/')) return 'audio';
    if (this.file.mime_type.startsWith('image/')) return 'image';
    return 'other';
  }

  async all(): Promise<ProcessingOutcome> {
    if (!(await this.step('scan', () => this.scan()))) return 'quarantined';
    const found: { audio: AudioMetadata | null } = { audio: null };
    await this.step('metadata', async () => {
      found.audio = await this.metadata();
    });
    await this.step('waveform', () => this.waveform(found.audio));
    await this.step('renditions', () => this.renditions());
    await this.ensureStillThere();
    this.record.status = 'processed';
    await this.repository.markProcessed(this.file.id, this.record, this.thumbnailUrl);
    return 'processed';
  }

  /** Runs one step unless an earlier attempt finished it; false when the step stopped the pipeline. */
  private async step(name: StepName, work: () => Promise<boolean | void>): Promise<boolean> {
    const status = this.record.steps[name];
    if (status === 'done' || status === 'skipped') return true;
    await this.ensureStillThere();
    this.record.steps[name] = 'running';
    await this.repository.saveRecord(this.file.id, this.record);
    const result = await work();
    if (result === false) return false;
    if (this.record.steps[name] === 'running') this.record.steps[name] = 'done';
    await this.repository.saveRecord(this.file.id, this.record);
    return true;
  }

  private skip(name: StepName, note: string): void {
    this.record.steps[name] = 'skipped';
    this.record.notes = [...(this.record.notes ?? []), note];
  }

  private async ensureStillThere(): Promise<void> {
    const current = await this.repository.findFile(this.file.id);
    if (!current || current.deleted_at !== null) throw new FileGone();
    this.file = current;
  }

  private async scan(): Promise<boolean> {
    const result = await scanFile(this.local, this.deps.tools.scanner);
    if (result.verdict === 'error') throw new Error(result.reason);
    await this.repository.saveScan(this.file.id, scanResultColumn(result), result.verdict !== 'unscanned');
    if (result.verdict === 'unscanned') this.record.notes = [...(this.record.notes ?? []), result.reason];
    if (result.verdict !== 'infected') return true;
    // Quarantine (ADR 0040): no step reads the bytes further, and delivery refuses them to everyone.
    this.record.steps.scan = 'done';
    for (const step of ['metadata', 'waveform', 'renditions'] as const) this.record.steps[step] = 'skipped';
    this.record.status = 'quarantined';
    await this.repository.markFailed(
      this.file.id,
      this.record,
      `This file was quarantined: the virus scanner found ${result.signature} in it, so it will not be served to anyone.`,
    );
    this.log(`files.process ${this.file.id}: quarantined (${result.signature})`);
    return false;
  }

  private async metadata(): Promise<AudioMetadata | null> {
    if (this.kind === 'audio') {
      const audio = await extractAudioMetadata(this.local);
      const coverFileId = audio.picture === null ? null : await this.saveCover(audio);
      await this.repository.saveMetadata(
        this.file.id,
        {
          title: audio.title,
          artist: audio.artist,
          album: audio.album,
          genre: audio.genre,
          year: audio.year,
          duration: Math.round(audio.durationSeconds),
          bitrate: audio.bitrate,
          sample_rate: audio.sampleRate,
          channels: audio.channels,
          codec: audio.codec,
          audio_codec: audio.codec,
          format: audio.container,
          bpm: audio.bpm,
          musical_key: audio.musicalKey,
        },
        {
          audio: audio.raw,
          durationSeconds: audio.durationSeconds,
          lossless: audio.lossless,
          truncated: audio.truncated,
          coverFileId,
        },
      );
      return audio;
    }
    if (this.kind === 'image') {
      if (this.deps.tools.ffprobe === null) {
        this.skip('metadata', 'ffprobe is not installed: image dimensions were not read');
        return null;
      }
      const image = await extractImageMetadata(this.local, this.deps.tools.ffprobe, this.deps.tools.ffmpegTimeoutMs);
      await this.repository.saveMetadata(
        this.file.id,
        { width: image.width, height: image.height, codec: image.codec, format: image.codec },
        { image: { ...image } },
      );
      return null;
    }
    this.skip('metadata', `no metadata is extracted from ${this.file.mime_type} files`);
    return null;
  }

  /** Embedded cover art becomes an image file of its own, so covers are served and cached like any image. */
  private async saveCover(audio: AudioMetadata): Promise<string | null> {
    const picture = audio.picture;
    if (picture === null || !/^image\/(jpeg|png|webp|gif)$/.test(picture.mimeType)) return null;
    const extension = picture.mimeType.slice('image/'.length).replace('jpeg', 'jpg');
    const key = `${this.derivedPrefix}/cover.${extension}`;
    // Listed with the renditions, so everything made from a file is found (and deleted) the same way.
    const conversion = await this.repository.startConversion(this.file.id, extension, 'embedded-cover');
    const stored = await this.deps.storage.put(key, Buffer.from(picture.data), { contentType: picture.mimeType });
    const cover = await this.repository.upsertDerivedFile(this.file, {
      kind: 'cover',
      key,
      filename: `cover.${extension}`,
      originalFilename: `${stem(this.file.original_filename)} (cover).${extension}`.slice(0, 255),
      mimeType: picture.mimeType,
      size: stored.size,
      sha256: stored.sha256,
    });
    await this.repository.completeConversion(conversion.id, cover.id);
    this.thumbnailUrl = cover.url;
    return cover.id;
  }

  private async waveform(audio: AudioMetadata | null): Promise<void> {
    if (this.kind !== 'audio') return this.skip('waveform', 'only audio has a waveform');
    if (this.deps.tools.ffmpeg === null) return this.skip('waveform', 'ffmpeg is not installed: no waveform');
    const stored = audio === null ? await this.storedAudio() : null;
    const declared = audio?.durationSeconds ?? stored?.durationSeconds ?? null;
    const analysis = await analyseAudio(this.local, {
      ffmpeg: this.deps.tools.ffmpeg,
      buckets: this.deps.tools.waveformBuckets,
      timeoutMs: this.deps.tools.ffmpegTimeoutMs,
      channels: audio?.channels ?? stored?.channels ?? 2,
    });
    // A header promising more than the data holds: a cut-off upload or a damaged file.
    const cutOff = audio?.truncated ?? stored?.truncated ?? false;
    if (cutOff || (declared !== null && analysis.decodedSeconds < declared * 0.98 - 0.5)) {
      throw new PermanentProcessingError(
        `This audio file is truncated: it stops after ${clock(analysis.decodedSeconds)}, before the end its header announces.`,
      );
    }
    await this.repository.saveMetadata(
      this.file.id,
      {},
      {
        waveform: encodeWaveform(analysis.waveform),
        loudness: analysis.loudness,
        decodedSeconds: analysis.decodedSeconds,
      },
    );
  }

  /** What the metadata step of an earlier attempt found, for a run that resumes after it. */
  private async storedAudio(): Promise<{
    durationSeconds: number | null;
    channels: number | null;
    truncated: boolean;
  }> {
    const raw = await this.repository.findRawMetadata(this.file.id);
    const format = (raw?.audio as { format?: { numberOfChannels?: unknown } } | undefined)?.format;
    return {
      durationSeconds: typeof raw?.durationSeconds === 'number' ? raw.durationSeconds : null,
      channels: typeof format?.numberOfChannels === 'number' ? format.numberOfChannels : null,
      truncated: raw?.truncated === true,
    };
  }

  private async renditions(): Promise<void> {
    if (this.kind === 'other') return this.skip('renditions', `no renditions are made of ${this.file.mime_type} files`);
    if (this.deps.tools.ffmpeg === null) return this.skip('renditions', 'ffmpeg is not installed: no renditions');
    const raw = await this.repository.findRawMetadata(this.file.id);
    const loudness = (raw?.loudness as Loudness | null | undefined) ?? null;
    const duration = typeof raw?.decodedSeconds === 'number' ? raw.decodedSeconds : 0;
    const specs = this.kind === 'audio' ? audioRenditions : imageRenditions;
    for (const spec of specs) {
      await this.ensureStillThere();
      const url = await this.rendition(spec, loudness, duration);
      if (this.kind === 'image' && this.thumbnailUrl === null && url !== null) this.thumbnailUrl = url;
    }
  }

  private async rendition(spec: RenditionSpec, loudness: Loudness | null, duration: number): Promise<string | null> {
    const conversion = await this.repository.startConversion(this.file.id, spec.format, spec.quality);
    if (conversion.done) return null;
    const name = `${spec.format}-${spec.quality}.${spec.extension}`;
    const output = join(this.workDir, name);
    let written = 0;
    let pending = Promise.resolve();
    try {
      await transcode(this.local, output, spec, {
        ffmpeg: this.deps.tools.ffmpeg ?? 'ffmpeg',
        timeoutMs: this.deps.tools.ffmpegTimeoutMs,
        durationSeconds: duration,
        loudness,
        onProgress: (percent) => {
          if (percent < 100 && percent - written < PROGRESS_STEP_PERCENT) return;
          written = percent;
          // Updates are chained so they land in order; the final 100 is written by completeConversion.
          pending = pending.then(async () => {
            if (percent < 100) await this.repository.setConversionProgress(conversion.id, percent);
            this.deps.onConversionProgress?.({ format: spec.format, quality: spec.quality, progress: percent });
          });
        },
      });
      await pending;
    } catch (error) {
      await pending.catch(() => {});
      await this.repository.failConversion(conversion.id, error instanceof Error ? error.message : String(error));
      throw error;
    }
    const key = `${this.derivedPrefix}/${name}`;
    const stored = await this.deps.storage.put(key, createReadStream(output), { contentType: spec.mimeType });
    if (stored.size !== (await stat(output)).size) throw new Error(`storing ${name} wrote a different size`);
    const derived = await this.repository.upsertDerivedFile(this.file, {
      kind: this.kind === 'audio' ? 'rendition' : 'thumbnail',
      key,
      filename: name,
      originalFilename: `${stem(this.file.original_filename)} (${spec.quality}).${spec.extension}`.slice(0, 255),
      mimeType: spec.mimeType,
      size: stored.size,
      sha256: stored.sha256,
    });
    await this.repository.completeConversion(conversion.id, derived.id);
    return derived.url;
  }
}

function stem(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return (dot > 0 ? filename.slice(0, dot) : filename).slice(0, 200);
}

function clock(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
