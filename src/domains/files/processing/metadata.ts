// Technical metadata of audio (music-metadata) and images (ffprobe), shaped for file_metadata.
import { parseFile, type IAudioMetadata } from 'music-metadata';
import { runTool } from './tools.ts';
import { PermanentProcessingError } from './processing.errors.ts';

export interface EmbeddedPicture {
  mimeType: string;
  data: Uint8Array;
}

export interface AudioMetadata {
  durationSeconds: number;
  /** kbps, as the spec's file_metadata.bitrate. */
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  codec: string | null;
  container: string | null;
  lossless: boolean | null;
  /** The parser found less data than the container's header announces (an upload cut off, a damaged copy). */
  truncated: boolean;
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  year: number | null;
  bpm: number | null;
  musicalKey: string | null;
  picture: EmbeddedPicture | null;
  /** Tags as found, for raw_metadata (pictures left out: they are stored as files of their own). */
  raw: Record<string, unknown>;
}

const clip = (value: string | undefined | null, length: number): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value.trim().slice(0, length);

export async function extractAudioMetadata(path: string): Promise<AudioMetadata> {
  let parsed: IAudioMetadata;
  try {
    parsed = await parseFile(path, { duration: true, skipCovers: false });
  } catch (error) {
    throw new PermanentProcessingError(
      'This file could not be read as audio: it looks damaged or is not the audio format it claims to be.',
      error,
    );
  }
  const { format, common } = parsed;
  const duration = format.duration;
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
    throw new PermanentProcessingError('This audio file has no playable length: it looks empty or damaged.');
  }
  const picture = common.picture?.[0];
  const bpm = common.bpm === undefined ? null : Math.round(common.bpm);
  return {
    durationSeconds: duration,
    bitrate: format.bitrate === undefined ? null : Math.round(format.bitrate / 1000),
    sampleRate: format.sampleRate ?? null,
    channels: format.numberOfChannels ?? null,
    codec: clip(format.codec, 50),
    container: clip(format.container, 50),
    lossless: format.lossless ?? null,
    // music-metadata also says "Data chunk size exceeds file size" of complete WAVs written by ffmpeg; only this
    // warning is given for a data chunk cut short (pipeline.test.ts holds both cases).
    truncated: parsed.quality.warnings.some((warning) =>
      /data chunk length exceeding file length/i.test(warning.message),
    ),
    title: clip(common.title, 255),
    artist: clip(common.artist, 255),
    album: clip(common.album, 255),
    genre: clip(common.genre?.[0], 100),
    year: common.year ?? null,
    bpm: bpm !== null && bpm > 0 && bpm < 1000 ? bpm : null,
    musicalKey: clip(common.key, 10),
    picture: picture === undefined ? null : { mimeType: picture.format.toLowerCase(), data: picture.data },
    raw: {
      format: { ...format },
      common: { ...common, picture: undefined },
      tagTypes: parsed.native === undefined ? [] : Object.keys(parsed.native),
    },
  };
}

export interface ImageMetadata {
  width: number;
  height: number;
  codec: string | null;
}

interface ProbeOutput {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
}

export async function extractImageMetadata(path: string, ffprobe: string, timeoutMs: number): Promise<ImageMetadata> {
  const result = await runTool(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-select_streams', 'v:0', '--', path],
    { timeoutMs },
  );
  if (result.spawnError !== null) throw new Error(`ffprobe could not start: ${result.spawnError.message}`);
  const stream =
    result.code === 0 ? (JSON.parse(result.stdout.toString('utf8')) as ProbeOutput).streams?.[0] : undefined;
  if (stream?.width === undefined || stream.height === undefined) {
    throw new PermanentProcessingError(
      'This file could not be read as an image: it looks damaged or is not the image format it claims to be.',
    );
  }
  return { width: stream.width, height: stream.height, codec: stream.codec_name ?? null };
}
