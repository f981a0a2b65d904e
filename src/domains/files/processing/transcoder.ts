// ffmpeg renditions (ADR 0041): loudness-normalised AAC for streaming, WebP thumbnails for images. The source is
// only ever read; every output goes to a new file.
import { FfmpegProgress, runTool } from './tools.ts';
import type { Loudness } from './waveform.ts';

export interface RenditionSpec {
  /** file_conversions.target_format */
  format: 'aac' | 'webp';
  /** file_conversions.target_quality: the bitrate or the bounding box, e.g. `128k`, `320px`. */
  quality: string;
  mimeType: string;
  extension: string;
  args(input: RenditionInput): string[];
}

export interface RenditionInput {
  loudness: Loudness | null;
}

/** Streaming loudness target: -14 LUFS integrated, true peaks kept 1 dB below full scale (ADR 0041). */
export const LOUDNESS_TARGET = { integratedLufs: -14, truePeakDbtp: -1 } as const;

/**
 * The one gain (dB) that brings the measured track to the target, lowered when the loudest true peak would
 * otherwise pass the ceiling: a quiet, dynamic master then stays a little quieter than the target rather than being
 * compressed, so normalising never changes the music's dynamics.
 */
export function normalisationGainDb(measured: Loudness | null): number | null {
  if (measured === null) return null;
  const gain = Math.min(
    LOUDNESS_TARGET.integratedLufs - measured.integratedLufs,
    LOUDNESS_TARGET.truePeakDbtp - measured.truePeakDbtp,
  );
  return Math.round(gain * 100) / 100;
}

const aac = (kbps: number): RenditionSpec => ({
  format: 'aac',
  quality: `${kbps}k`,
  mimeType: 'audio/mp4',
  extension: 'm4a',
  args: ({ loudness }) => {
    const gain = normalisationGainDb(loudness);
    return [
      ...['-map', '0:a:0', '-vn'],
      ...(gain === null ? [] : ['-af', `volume=${gain}dB`]),
      ...['-ar', '44100', '-c:a', 'aac', '-b:a', `${kbps}k`, '-movflags', '+faststart', '-f', 'mp4'],
    ];
  },
});

const thumbnail = (pixels: number): RenditionSpec => ({
  format: 'webp',
  quality: `${pixels}px`,
  mimeType: 'image/webp',
  extension: 'webp',
  args: () => [
    ...['-map', '0:v:0', '-frames:v', '1'],
    ...['-vf', `scale=w=${pixels}:h=${pixels}:force_original_aspect_ratio=decrease`],
    ...['-c:v', 'libwebp', '-quality', '80', '-f', 'webp'],
  ],
});

export const audioRenditions: RenditionSpec[] = [aac(128), aac(256)];
export const imageRenditions: RenditionSpec[] = [thumbnail(320), thumbnail(1280)];

export async function transcode(
  input: string,
  output: string,
  spec: RenditionSpec,
  options: {
    ffmpeg: string;
    timeoutMs: number;
    durationSeconds: number;
    loudness: Loudness | null;
    onProgress: (percent: number) => void;
  },
): Promise<void> {
  const progress = new FfmpegProgress(options.durationSeconds, options.onProgress);
  const result = await runTool(
    options.ffmpeg,
    [
      ...['-hide_banner', '-nostats', '-nostdin', '-v', 'error', '-y', '-progress', 'pipe:1', '-i', input],
      ...spec.args({ loudness: options.loudness }),
      output,
    ],
    { timeoutMs: options.timeoutMs, onStdout: (chunk) => progress.push(chunk) },
  );
  if (result.spawnError !== null) throw new Error(`ffmpeg could not start: ${result.spawnError.message}`);
  if (result.timedOut)
    throw new Error(`the ${spec.quality} ${spec.format} conversion took longer than ${options.timeoutMs} ms`);
  if (result.code !== 0) {
    throw new Error(
      `ffmpeg failed on the ${spec.quality} ${spec.format} conversion: ${result.stderr.trim().split('\n').at(-1) ?? ''}`,
    );
  }
  // Images have no duration to measure progress against; their single frame is done when ffmpeg is.
  options.onProgress(100);
}
