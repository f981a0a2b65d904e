// One decoding pass over the audio that yields both its loudness (EBU R128, ffmpeg's ebur128 filter) and its
// waveform peaks (ADR 0041), so a long master is decoded once for analysis rather than twice.
import { runTool } from './tools.ts';
import { PermanentProcessingError } from './processing.errors.ts';

/** Analysis sample rate: high enough that short transients still show in the peaks. */
export const ANALYSIS_SAMPLE_RATE = 22_050;
/** Samples (of all channels) folded into one fine bin while decoding, so memory stays small for any duration. */
const FINE_BIN_SAMPLES = 512;

export interface Loudness {
  integratedLufs: number;
  truePeakDbtp: number;
  loudnessRangeLu: number;
  thresholdLufs: number;
}

export interface Waveform {
  /** Number of min/max pairs. */
  buckets: number;
  /** min0, max0, min1, max1 … each the sample value × 127, rounded (-127..127). */
  peaks: Int8Array;
}

export interface Analysis {
  decodedSeconds: number;
  loudness: Loudness | null;
  waveform: Waveform;
}

/** Rounds half away from zero, so a waveform's negative half mirrors its positive one exactly. */
const quantise = (value: number): number => Math.sign(value) * Math.round(Math.abs(value) * 127);

/** Folds a stream of float samples into fine min/max bins of FINE_BIN_SAMPLES samples each. */
export class PeakAccumulator {
  private mins: number[] = [];
  private maxs: number[] = [];
  private currentMin = Infinity;
  private currentMax = -Infinity;
  private inBin = 0;
  private carry = Buffer.alloc(0);
  samples = 0;

  push(chunk: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % 4);
    for (let offset = 0; offset < whole; offset += 4) this.sample(data.readFloatLE(offset));
    this.carry = Buffer.from(data.subarray(whole));
  }

  sample(value: number): void {
    const clamped = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
    if (clamped < this.currentMin) this.currentMin = clamped;
    if (clamped > this.currentMax) this.currentMax = clamped;
    this.samples += 1;
    this.inBin += 1;
    if (this.inBin === FINE_BIN_SAMPLES) this.closeBin();
  }

  private closeBin(): void {
    this.mins.push(this.currentMin);
    this.maxs.push(this.currentMax);
    this.currentMin = Infinity;
    this.currentMax = -Infinity;
    this.inBin = 0;
  }

  /** Merges the fine bins into `buckets` min/max pairs spread evenly over the whole duration. */
  finish(buckets: number): Waveform {
    if (this.inBin > 0) this.closeBin();
    const peaks = new Int8Array(buckets * 2);
    const bins = this.mins.length;
    if (bins === 0) return { buckets, peaks };
    for (let bucket = 0; bucket < buckets; bucket += 1) {
      const from = Math.floor((bucket * bins) / buckets);
      // A file shorter than `buckets` fine bins repeats a bin over neighbouring buckets rather than leaving gaps.
      const to = Math.max(from + 1, Math.floor(((bucket + 1) * bins) / buckets));
      let min = Infinity;
      let max = -Infinity;
      for (let bin = from; bin < to; bin += 1) {
        min = Math.min(min, this.mins[bin] ?? 0);
        max = Math.max(max, this.maxs[bin] ?? 0);
      }
      peaks[bucket * 2] = quantise(min);
      peaks[bucket * 2 + 1] = quantise(max);
    }
    return { buckets, peaks };
  }
}

/**
 * The summary ffmpeg's ebur128 filter prints when it ends (EBU R128 integrated loudness, loudness range, true
 * peak). null for silence, whose loudness and peak cannot be measured.
 */
export function parseEbur128(stderr: string): Loudness | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const number = (pattern: RegExp): number => Number(pattern.exec(summary)?.[1] ?? 'NaN');
  const loudness = {
    integratedLufs: number(/I:\s+(-?[\d.]+) LUFS/),
    truePeakDbtp: number(/Peak:\s+(-?[\d.]+) dBFS/),
    loudnessRangeLu: number(/LRA:\s+(-?[\d.]+) LU/),
    thresholdLufs: number(/Threshold:\s+(-?[\d.]+) LUFS/),
  };
  if (!Object.values(loudness).every(Number.isFinite)) return null;
  // ebur128 reports -70 LUFS, its floor, for silence: nothing to normalise.
  return loudness.integratedLufs <= -70 ? null : loudness;
}

export async function analyseAudio(
  path: string,
  options: { ffmpeg: string; buckets: number; timeoutMs: number; channels: number },
): Promise<Analysis> {
  // Peaks are taken over every channel's samples as they are: a downmix would add correlated channels together
  // and clip, or cancel opposite ones.
  const channels = Math.min(8, Math.max(1, options.channels));
  const accumulator = new PeakAccumulator();
  const result = await runTool(
    options.ffmpeg,
    [
      ...['-hide_banner', '-nostats', '-nostdin', '-i', path],
      // framelog=verbose keeps the ten lines a second of momentary loudness out of stderr; the summary stays.
      ...['-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
      ...['-map', '0:a:0', '-ac', String(channels), '-ar', String(ANALYSIS_SAMPLE_RATE), '-f', 'f32le', 'pipe:1'],
    ],
    { timeoutMs: options.timeoutMs, onStdout: (chunk) => accumulator.push(chunk) },
  );
  if (result.spawnError !== null) throw new Error(`ffmpeg could not start: ${result.spawnError.message}`);
  if (result.timedOut) throw new Error(`decoding the audio took longer than ${options.timeoutMs} ms`);
  if (result.code !== 0 || accumulator.samples === 0) {
    throw new PermanentProcessingError(
      'The audio in this file could not be decoded: it looks damaged or is not the format it claims to be.',
      new Error(result.stderr.slice(-2_000)),
    );
  }
  return {
    decodedSeconds: accumulator.samples / channels / ANALYSIS_SAMPLE_RATE,
    loudness: parseEbur128(result.stderr),
    waveform: accumulator.finish(options.buckets),
  };
}

/** Compact form kept in file_metadata.raw_metadata.waveform: 2 bytes per bucket, base64 (ADR 0041). */
export function encodeWaveform(waveform: Waveform): {
  version: 1;
  buckets: number;
  encoding: 'int8-minmax-base64';
  data: string;
} {
  return {
    version: 1,
    buckets: waveform.buckets,
    encoding: 'int8-minmax-base64',
    data: Buffer.from(waveform.peaks.buffer, waveform.peaks.byteOffset, waveform.peaks.byteLength).toString('base64'),
  };
}

export function decodeWaveform(encoded: { buckets: number; data: string }): Waveform {
  const bytes = Buffer.from(encoded.data, 'base64');
  return { buckets: encoded.buckets, peaks: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
