// Small generated media and a ClamAV signature database for the pipeline's tests (and the bench): everything is
// made here by ffmpeg, nothing is downloaded.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The standard anti-virus test file (eicar.org): harmless, and detected by every scanner as if it were a virus. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/**
 * A signature directory holding one body-based (.ndb) signature for the EICAR string, so a real clamscan can run
 * here although this machine cannot download ClamAV's definitions. ClamAV reports it as `<name>.UNOFFICIAL`.
 */
export async function writeEicarSignatureDatabase(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const hex = Buffer.from(EICAR, 'latin1').toString('hex');
  await writeFile(join(dir, 'veza-test.ndb'), `Veza-Test.EICAR:0:*:${hex}\n`);
  return dir;
}

/**
 * A 16-bit stereo WAV whose first half plays a 440 Hz tone at 0.8 of full scale and whose second half plays it at
 * 0.2, so its waveform has a known shape.
 */
export async function generateStepWav(path: string, seconds: number): Promise<void> {
  const half = seconds / 2;
  const expression = `0.8*sin(2*PI*440*t)*if(lt(t\\,${half})\\,1\\,0.25)`;
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `aevalsrc=${expression}|${expression}:s=44100:d=${seconds}`],
    ...['-c:a', 'pcm_s16le', path],
  ]);
}

/** An MP3 with ID3 tags and a PNG cover embedded. */
export async function generateTaggedMp3(path: string, coverPath: string, seconds: number): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x64:rate=1',
    '-frames:v',
    '1',
    coverPath,
  ]);
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=44100:duration=${seconds}`, '-i', coverPath],
    ...['-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '128k', '-c:v', 'png', '-id3v2_version', '3'],
    ...['-metadata', 'title=Night Tide', '-metadata', 'artist=Ana Example', '-metadata', 'album=Harbour'],
    ...[
      '-metadata:s:v',
      'title=Album cover',
      '-metadata:s:v',
      'comment=Cover (front)',
      '-disposition:v',
      'attached_pic',
    ],
    path,
  ]);
}

export async function generatePng(path: string, width: number, height: number): Promise<void> {
  await run('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=1`],
    ...['-frames:v', '1', path],
  ]);
}

export interface ProbedStream {
  codec_name?: string;
  codec_type?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
}

export async function ffprobe(
  path: string,
): Promise<{ durationSeconds: number; bitRate: number; streams: ProbedStream[] }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ]);
  const parsed = JSON.parse(stdout) as { format: { duration?: string; bit_rate?: string }; streams: ProbedStream[] };
  return {
    durationSeconds: Number(parsed.format.duration ?? 'NaN'),
    bitRate: Number(parsed.format.bit_rate ?? 'NaN'),
    streams: parsed.streams,
  };
}

/** Integrated loudness (LUFS) of a whole file, as ffmpeg's EBU R128 meter reads it. */
export async function integratedLoudness(path: string): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-i',
    path,
    '-af',
    'ebur128=framelog=verbose',
    '-f',
    'null',
    '-',
  ]);
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(stderr.slice(stderr.lastIndexOf('Summary:')))?.[1] ?? 'NaN');
}
