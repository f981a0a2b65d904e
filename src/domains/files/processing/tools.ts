// Running the external programs of the pipeline (ffmpeg, ffprobe, clamscan) without ever letting one of them
// take the worker down: every failure, missing binary and overrun becomes a value, never an uncaught error.
import { spawn } from 'node:child_process';

export interface ToolResult {
  /** null when the program did not start (missing binary) or was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT for a missing binary). */
  spawnError: NodeJS.ErrnoException | null;
  timedOut: boolean;
}

export interface ToolOptions {
  timeoutMs: number;
  /** Receives stdout as it arrives (ffmpeg's -progress lines); when given, stdout is not buffered. */
  onStdout?: (chunk: Buffer) => void;
  /** Stderr beyond this many characters is dropped from the start: the end holds the reason for a failure. */
  maxStderrChars?: number;
}

export function runTool(command: string, args: string[], options: ToolOptions): Promise<ToolResult> {
  const maxStderr = options.maxStderrChars ?? 64_000;
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.onStdout) options.onStdout(chunk);
      else stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > maxStderr) stderr = stderr.slice(-maxStderr);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr, spawnError, timedOut });
    });
  });
}

/** Whether `command` can be started here (`-version` is understood by ffmpeg, ffprobe and clamscan alike). */
export async function toolAvailable(command: string): Promise<boolean> {
  const result = await runTool(command, ['--version'], { timeoutMs: 10_000 });
  if (result.spawnError === null && result.code === 0) return true;
  const fallback = await runTool(command, ['-version'], { timeoutMs: 10_000 });
  return fallback.spawnError === null && fallback.code === 0;
}

/**
 * Follows ffmpeg's `-progress` output (key=value lines, one block per update ending in `progress=continue|end`)
 * and reports the share of `durationSeconds` written so far, as a whole percentage. Chunks may split lines.
 */
export class FfmpegProgress {
  private buffer = '';
  private readonly durationUs: number;
  private readonly report: (percent: number) => void;
  private last = -1;

  constructor(durationSeconds: number, report: (percent: number) => void) {
    this.durationUs = durationSeconds * 1_000_000;
    this.report = report;
  }

  push(chunk: Buffer | string): void {
    this.buffer += chunk.toString();
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      this.line(this.buffer.slice(0, newline).trim());
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf('\n');
    }
  }

  private line(line: string): void {
    const [key, value] = line.split('=', 2);
    if (value === undefined) return;
    // out_time_us is the position of the output in microseconds (out_time_ms is, despite its name, also in µs).
    if ((key === 'out_time_us' || key === 'out_time_ms') && this.durationUs > 0) {
      const position = Number(value);
      if (!Number.isFinite(position) || position < 0) return;
      // 100 is kept for `progress=end`: a rendition is not done until ffmpeg says so.
      this.emit(Math.min(99, Math.floor((position / this.durationUs) * 100)));
    } else if (key === 'progress' && value === 'end') {
      this.emit(100);
    }
  }

  private emit(percent: number): void {
    if (percent <= this.last) return;
    this.last = percent;
    this.report(percent);
  }
}
