// What `veza seed` prints while it works: a progress bar per table (rows done / total, rows/s, time left) redrawn
// in place on a terminal, plain lines every few seconds otherwise (CI logs), and the summary table at the end.

export interface TableTiming {
  table: string;
  rows: number;
  seconds: number;
}

export interface SeedReporter {
  /** `total` null when unknown beforehand (tables computed in SQL). */
  tableStarted(table: string, total: number | null): void;
  tableProgress(table: string, rows: number): void;
  tableFinished(table: string, rows: number): void;
  /** A step that is not a table: partitions, triggers, counters, views. */
  step(message: string): void;
}

export interface ReporterOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 10_000;

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

function rate(rows: number, seconds: number): number {
  return seconds > 0 ? rows / seconds : 0;
}

/**
 * Progress bars on `output` (stderr in the CLI). `clock` returns milliseconds; tests pass their own. Keeps the
 * timing of every table for the summary.
 */
export class ProgressReporter implements SeedReporter {
  readonly timings: TableTiming[] = [];
  private readonly output: ReporterOutput;
  private readonly clock: () => number;
  private readonly tty: boolean;
  private current: { table: string; total: number | null; started: number; lastDraw: number } | null = null;

  constructor(output: ReporterOutput, clock: () => number = () => performance.now()) {
    this.output = output;
    this.clock = clock;
    this.tty = output.isTTY === true;
  }

  tableStarted(table: string, total: number | null): void {
    const now = this.clock();
    this.current = { table, total, started: now, lastDraw: now };
    if (this.tty) this.draw(0, false);
    else this.output.write(`${table}: ${total === null ? 'computing' : `${formatCount(total)} rows`}\n`);
  }

  tableProgress(table: string, rows: number): void {
    const current = this.current;
    if (!current || current.table !== table) return;
    const now = this.clock();
    if (now - current.lastDraw < (this.tty ? REDRAW_MS : PLAIN_EVERY_MS)) return;
    current.lastDraw = now;
    this.draw(rows, false);
  }

  tableFinished(table: string, rows: number): void {
    const current = this.current;
    const seconds = current && current.table === table ? (this.clock() - current.started) / 1000 : 0;
    this.timings.push({ table, rows, seconds });
    if (current && current.table === table) {
      current.total = current.total ?? rows;
      this.draw(rows, true);
    }
    this.current = null;
  }

  step(message: string): void {
    this.output.write(`${message}\n`);
  }

  private draw(rows: number, done: boolean): void {
    const current = this.current;
    if (!current) return;
    const seconds = (this.clock() - current.started) / 1000;
    const speed = rate(rows, seconds);
    const name = current.table.padEnd(26);
    const counts = current.total === null ? formatCount(rows) : `${formatCount(rows)}/${formatCount(current.total)}`;
    let line: string;
    if (this.tty) {
      const share = current.total ? Math.min(1, rows / current.total) : done ? 1 : 0;
      const filled = Math.round(share * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
      const left = current.total && speed > 0 && !done ? `  ETA ${formatDuration((current.total - rows) / speed)}` : '';
      const timing = done ? `  ${formatDuration(seconds)}` : left;
      line = `\r\x1b[2K${name} ${bar} ${String(Math.round(share * 100)).padStart(3)}%  ${counts}  ${formatCount(speed)} rows/s${timing}`;
      this.output.write(done ? `${line}\n` : line);
    } else {
      const status = done ? `done in ${formatDuration(seconds)}` : 'loading';
      this.output.write(`${current.table}: ${status}, ${counts} rows, ${formatCount(speed)} rows/s\n`);
    }
  }
}

/** The summary table: rows, seconds and rows/s per table, and the totals. */
export function summaryTable(timings: readonly TableTiming[], wallSeconds: number): string {
  const lines = [`${'table'.padEnd(26)} ${'rows'.padStart(14)} ${'seconds'.padStart(9)} ${'rows/s'.padStart(11)}`];
  let rows = 0;
  let seconds = 0;
  for (const timing of timings) {
    rows += timing.rows;
    seconds += timing.seconds;
    lines.push(
      `${timing.table.padEnd(26)} ${formatCount(timing.rows).padStart(14)} ${timing.seconds.toFixed(1).padStart(9)} ${formatCount(rate(timing.rows, timing.seconds)).padStart(11)}`,
    );
  }
  lines.push(
    `${'all tables'.padEnd(26)} ${formatCount(rows).padStart(14)} ${seconds.toFixed(1).padStart(9)} ${formatCount(rate(rows, seconds)).padStart(11)}`,
  );
  lines.push(
    `wall time ${formatDuration(wallSeconds)} (${wallSeconds.toFixed(1)} s), ${formatCount(rate(rows, wallSeconds))} rows/s overall`,
  );
  return lines.join('\n');
}
