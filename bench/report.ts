// What `npm run bench` writes: the generated section of docs/benchmarks.md (markdown) and its latency chart (SVG,
// drawn here by hand: no dependency). Pure functions of a BenchReport, so the report can be regenerated and tested.
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import type { HttpResult } from './http.ts';
import type { LatencySummary, Measurement } from './measurement.ts';

/** Spec "Performance Targets" (MÉTRIQUES DE SUCCÈS): p95 < 10 ms, p99 < 50 ms, index hits > 99 %, cache > 95 %. */
export const TARGETS = { p95Ms: 10, p99Ms: 50, indexHitRatio: 0.99, cacheHitRatio: 0.95 } as const;

export const GENERATED_BEGIN = '<!-- bench:begin -->';
export const GENERATED_END = '<!-- bench:end -->';

/** One bench/workloads.ts workload, through our data layer and, when pgbench ran it, raw. */
export interface SqlResult {
  name: string;
  kind: 'read' | 'write';
  description: string;
  ours: Measurement;
  /** pgbench running the same SQL; null when it did not run. */
  raw: Measurement | null;
}

/** A run through a connection pooler: `clients` client connections over `serverPool` server connections. */
export interface PoolerResult {
  name: string;
  clients: number;
  serverPool: number;
  measurement: Measurement;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** Kernel name, release and architecture. */
  os: string;
  /** Node.js version of the benchmark process. */
  node: string;
}

export interface BenchReport {
  /** ISO 8601. */
  startedAt: string;
  data: { scale: number; seed: number; databaseSizeBytes: number };
  /** `version()` and the settings worth knowing (shared_buffers, max_connections, work_mem, synchronous_commit…). */
  server: { version: string; settings: Record<string, string> };
  machine: Machine;
  method: {
    /** Concurrent clients of the SQL workloads (ours and raw alike). */
    clients: number;
    /** Measured seconds per workload. */
    durationSeconds: number;
    warmupSeconds: number;
    /** Connections in our data layer's pool. */
    poolSize: number;
    /** When the HTTP side ran with other settings than the SQL side. */
    /** One count, or several ("10 and 32"). */
    httpConnections?: number | string;
    httpDurationSeconds?: number;
  };
  sql: SqlResult[];
  http: HttpResult[];
  pooler: PoolerResult[];
  /** Fractions from 0 to 1, from pg_statio_user_tables / pg_statio_user_indexes. */
  hitRatios: { indexHitRatio: number; cacheHitRatio: number };
  notes: string[];
}

/** The machine the benchmark runs on, for BenchReport.machine. */
export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
  };
}

// --- formatting -------------------------------------------------------------------------------------------------

const DASH = '–';
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : DASH);
const perSecond = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : DASH);
const percent = (ratio: number) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(2)} %` : DASH);
const mark = (ok: boolean) => (ok ? '✓' : '✗');
/** NaN (no request completed) never meets a target. */
const meetsP95 = (latency: LatencySummary) => latency.p95 < TARGETS.p95Ms;
const meetsP99 = (latency: LatencySummary) => latency.p99 < TARGETS.p99Ms;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Our throughput over pgbench's for the same workload; null without a raw run. */
export function throughputRatio(result: SqlResult): number | null {
  if (!result.raw || result.raw.throughput <= 0) return null;
  return result.ours.throughput / result.raw.throughput;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A markdown table with its columns padded, so the source reads as a table too. */
function table(columns: { title: string; align: 'left' | 'right' | 'center' }[], rows: string[][]): string {
  const cells = [columns.map((column) => column.title), ...rows].map((row) => row.map(escapeCell));
  const widths = columns.map((_, index) => Math.max(3, ...cells.map((row) => [...(row[index] ?? '')].length)));
  const pad = (text: string, index: number) => {
    const width = widths[index] ?? 3;
    const fill = ' '.repeat(Math.max(0, width - [...text].length));
    return columns[index]?.align === 'right' ? fill + text : text + fill;
  };
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = columns.map((column, index) => {
    const width = widths[index] ?? 3;
    if (column.align === 'right') return `${'-'.repeat(width - 1)}:`;
    if (column.align === 'center') return `:${'-'.repeat(width - 2)}:`;
    return '-'.repeat(width);
  });
  return [line(cells[0] ?? []), `| ${rule.join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

const left = (title: string) => ({ title, align: 'left' as const });
const right = (title: string) => ({ title, align: 'right' as const });
const center = (title: string) => ({ title, align: 'center' as const });
const P95_TARGET = `p95 < ${TARGETS.p95Ms} ms`;
const P99_TARGET = `p99 < ${TARGETS.p99Ms} ms`;

// --- markdown ---------------------------------------------------------------------------------------------------

/** The domain of a `<domain>.<what>` name: the SQL tables are grouped by it. */
const domainOf = (name: string) => name.split('.')[0] ?? name;

function sqlTables(results: readonly SqlResult[]): string {
  if (results.length === 0) return '_Not run._';
  const groups = new Map<string, SqlResult[]>();
  for (const result of results) {
    const group = groups.get(domainOf(result.name)) ?? [];
    group.push(result);
    groups.set(domainOf(result.name), group);
  }
  const columns = [
    left('query'),
    left('kind'),
    right('p50 (ms)'),
    right('p95 (ms)'),
    right('p99 (ms)'),
    right('req/s'),
    right('raw p50'),
    right('raw p95'),
    right('raw p99'),
    right('raw req/s'),
    right('ours/raw'),
    center(P95_TARGET),
    center(P99_TARGET),
  ];
  const sections = [...groups].map(([domain, group]) => {
    const rows = group.map((result) => {
      const { ours, raw } = result;
      const ratio = throughputRatio(result);
      return [
        `\`${result.name}\``,
        result.kind,
        ms(ours.latency.p50),
        ms(ours.latency.p95),
        ms(ours.latency.p99),
        perSecond(ours.throughput),
        raw ? ms(raw.latency.p50) : DASH,
        raw ? ms(raw.latency.p95) : DASH,
        raw ? ms(raw.latency.p99) : DASH,
        raw ? perSecond(raw.throughput) : DASH,
        ratio === null ? DASH : ratio.toFixed(2),
        mark(meetsP95(ours.latency)),
        mark(meetsP99(ours.latency)),
      ];
    });
    const failed = group.filter((result) => result.ours.errors > 0 || (result.raw?.errors ?? 0) > 0);
    const errors =
      failed.length === 0
        ? ''
        : `\n\nFailed requests: ${failed
            .map((result) => `\`${result.name}\` ${result.ours.errors} (ours), ${result.raw?.errors ?? DASH} (raw)`)
            .join('; ')}.`;
    const descriptions = group.map((result) => `\`${result.name}\`: ${result.description}`).join('; ');
    return `#### ${domain}\n\n${table(columns, rows)}\n\n${descriptions}.${errors}`;
  });
  return sections.join('\n\n');
}

/**
 * The HTTP endpoints beside pgbench on their statements: `ratio` is the endpoint's throughput over pgbench's with
 * as many clients as it had connections; `p99 @ half (ms)` is its p99 when held at half its throughput.
 */
export function httpTable(results: readonly HttpResult[], sql: readonly SqlResult[]): string {
  if (results.length === 0) return '_Not run._';
  const columns = [
    left('endpoint'),
    left('route'),
    right('connections'),
    right('p50 (ms)'),
    right('p95 (ms)'),
    right('p99 (ms)'),
    right('req/s'),
    right('pgbench tps'),
    right('ratio'),
    right('p99 @ half (ms)'),
    right('errors'),
    left('SQL workload'),
    right('SQL p95 (ms)'),
    center(P95_TARGET),
    center(P99_TARGET),
  ];
  const rows = results.map((result) => {
    const { measurement: m } = result;
    const workload = result.sqlWorkload ? sql.find((candidate) => candidate.name === result.sqlWorkload) : undefined;
    const causes = Object.entries(result.errorsByCause ?? {})
      .map(([cause, count]) => `${cause}: ${count}`)
      .join(', ');
    return [
      `\`${result.name}\``,
      `\`${result.route}\``,
      result.connections === undefined ? DASH : String(result.connections),
      ms(m.latency.p50),
      ms(m.latency.p95),
      ms(m.latency.p99),
      perSecond(m.throughput),
      result.pgbench ? perSecond(result.pgbench.throughput) : DASH,
      result.pgbench && result.pgbench.throughput > 0 ? (m.throughput / result.pgbench.throughput).toFixed(2) : DASH,
      result.halfRate ? ms(result.halfRate.latency.p99) : DASH,
      m.errors === 0 ? '0' : `${m.errors}${causes ? ` (${causes})` : ''}`,
      result.sqlWorkload ? `\`${result.sqlWorkload}\`` : DASH,
      workload ? ms(workload.ours.latency.p95) : DASH,
      mark(meetsP95(m.latency)),
      mark(meetsP99(m.latency)),
    ];
  });
  const descriptions = results.map((result) => `\`${result.name}\`: ${result.description}`).join('; ');
  return `${table(columns, rows)}\n\n${descriptions}.`;
}

function poolerTable(results: readonly PoolerResult[]): string {
  if (results.length === 0) return '_Not run._';
  const columns = [
    left('setup'),
    right('clients'),
    right('server pool'),
    right('p50 (ms)'),
    right('p95 (ms)'),
    right('p99 (ms)'),
    right('req/s'),
    right('errors'),
  ];
  const rows = results.map((result) => [
    result.name,
    String(result.clients),
    String(result.serverPool),
    ms(result.measurement.latency.p50),
    ms(result.measurement.latency.p95),
    ms(result.measurement.latency.p99),
    perSecond(result.measurement.throughput),
    String(result.measurement.errors),
  ]);
  return table(columns, rows);
}

function hitRatioTable(ratios: BenchReport['hitRatios']): string {
  const row = (name: string, value: number, target: number) => [
    name,
    percent(value),
    `> ${target * 100} %`,
    mark(value > target),
  ];
  return table(
    [left('ratio'), right('measured'), right('target'), center('met')],
    [
      row('index hit ratio', ratios.indexHitRatio, TARGETS.indexHitRatio),
      row('cache hit ratio', ratios.cacheHitRatio, TARGETS.cacheHitRatio),
    ],
  );
}

function methodParagraph(report: BenchReport): string {
  const { method } = report;
  const httpConnections = method.httpConnections ?? method.clients;
  const httpDuration = method.httpDurationSeconds ?? method.durationSeconds;
  return [
    `Each SQL workload of \`bench/workloads.ts\` ran for ${method.durationSeconds} s after ${method.warmupSeconds} s`,
    `of warm-up, with ${method.clients} concurrent clients: "ours" through the service's own data layer (a pool of`,
    `${method.poolSize} connections), "raw" as pgbench running the same SQL. A request is one execution of a`,
    'workload (one transaction when it has several statements). Latencies are nearest-rank percentiles of every',
    'request completed in the measured window, in milliseconds; throughput is completed requests per measured',
    `second. The HTTP endpoints were loaded one at a time by autocannon (${httpConnections} keep-alive connections,`,
    `${httpDuration} s after the same warm-up) against \`veza serve\` in its own process on a read-only`,
    "connection; a non-2xx answer counts as an error, never as a latency. Targets are the specification's",
    `"Performance Targets": p95 < ${TARGETS.p95Ms} ms and p99 < ${TARGETS.p99Ms} ms per query, index hit ratio`,
    `> ${TARGETS.indexHitRatio * 100} %, cache hit ratio > ${TARGETS.cacheHitRatio * 100} %.`,
  ].join(' ');
}

function machineList(report: BenchReport): string {
  const { machine, server, data } = report;
  const settings = Object.entries(server.settings).map(([name, value]) => `  - \`${name}\` = ${value}`);
  return [
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- memory: ${formatBytes(machine.memoryBytes)}`,
    `- OS: ${machine.os}; Node.js ${machine.node}`,
    `- PostgreSQL: ${server.version}`,
    ...(settings.length > 0 ? ['- settings:', ...settings] : []),
    `- data: \`veza seed --scale ${data.scale} --seed ${data.seed}\`, database size ${formatBytes(data.databaseSizeBytes)}`,
  ].join('\n');
}

/**
 * The generated part of docs/benchmarks.md (see replaceGeneratedSection): method, machine, one table per domain of
 * SQL workloads, the HTTP and pooler tables, hit ratios and, when `chartPath` is given, the chart (a path relative
 * to the document).
 */
export function markdownReport(report: BenchReport, chartPath?: string): string {
  const parts = [
    `## Benchmark results, ${report.startedAt}`,
    '_Generated by `npm run bench`; edits between the markers are overwritten._',
    `### Method\n\n${methodParagraph(report)}`,
    `### Machine and server\n\n${machineList(report)}`,
    `### SQL workloads\n\n${sqlTables(report.sql)}`,
    `### HTTP endpoints\n\n${httpTable(report.http, report.sql)}`,
    `### Connection pooler\n\n${poolerTable(report.pooler)}`,
    `### Index and cache hit ratios\n\n${hitRatioTable(report.hitRatios)}`,
  ];
  if (chartPath) parts.push(`### Latency chart\n\n![Latency percentiles per query, ms](${chartPath})`);
  if (report.notes.length > 0) parts.push(`### Notes\n\n${report.notes.map((note) => `- ${note}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

/**
 * `document` with what lies between the bench markers replaced by `generated`; the marked section is appended
 * when the document has none. Everything outside the markers is kept byte for byte.
 */
export function replaceGeneratedSection(document: string, generated: string): string {
  const body = `\n${generated.trim()}\n`;
  const begin = document.indexOf(GENERATED_BEGIN);
  const end = document.indexOf(GENERATED_END);
  if (begin === -1 && end === -1) {
    const before = document.trimEnd();
    return `${before}${before ? '\n\n' : ''}${GENERATED_BEGIN}${body}${GENERATED_END}\n`;
  }
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(
      `the document has a broken generated section: ${GENERATED_BEGIN} must come before ${GENERATED_END}`,
    );
  }
  return document.slice(0, begin + GENERATED_BEGIN.length) + body + document.slice(end);
}

// --- chart ------------------------------------------------------------------------------------------------------

export interface ChartRow {
  /** The query (workload or endpoint) name. */
  name: string;
  /** One bar group per side measured: "ours", "pgbench", "http"… */
  series: { label: string; latency: LatencySummary }[];
}

/**
 * The chart rows of a report: each SQL workload with ours and pgbench, plus the HTTP endpoint that issues its SQL;
 * the other HTTP endpoints on rows of their own.
 */
export function chartRows(report: BenchReport): ChartRow[] {
  const rows: ChartRow[] = report.sql.map((result) => ({
    name: result.name,
    series: [
      { label: 'ours', latency: result.ours.latency },
      ...(result.raw ? [{ label: 'pgbench', latency: result.raw.latency }] : []),
    ],
  }));
  for (const result of report.http) {
    const row = rows.find((candidate) => candidate.name === result.sqlWorkload);
    // With several connection counts, one series per count, named after it.
    const at = result.connections === undefined ? '' : ` @${result.connections}`;
    const series = [
      { label: `http${at}`, latency: result.measurement.latency },
      ...(result.pgbench ? [{ label: `pgbench${at}`, latency: result.pgbench.latency }] : []),
    ];
    const own = `${result.name} (${result.route})`;
    const target = row ?? rows.find((candidate) => candidate.name === own);
    if (target) target.series.push(...series);
    else rows.push({ name: own, series });
  }
  return rows;
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const PALETTE = ['#2563eb', '#16a34a', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const PERCENTILES = [
  { key: 'p99', opacity: 0.3 },
  { key: 'p95', opacity: 0.6 },
  { key: 'p50', opacity: 1 },
] as const;

const CHART = {
  width: 1000,
  plotLeft: 110,
  plotRight: 760,
  valuesLeft: 772,
  plotTop: 100,
  groupHeader: 18,
  barRow: 16,
  barHeight: 12,
  groupGap: 8,
  axisSpace: 44,
} as const;

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * An SVG of latency percentiles per query: per query a group of horizontal bars, one per series, each overlaying
 * p99 (light), p95 and p50 (dark) from the left edge; a logarithmic x axis in ms with the p95 (10 ms) and p99
 * (50 ms) targets as vertical lines. 1000 px wide, as tall as the rows need.
 */
export function latencyChartSvg(rows: readonly ChartRow[]): string {
  const values = rows.flatMap((row) =>
    row.series.flatMap((series) => [series.latency.p50, series.latency.p95, series.latency.p99]),
  );
  const positive = values.filter((value) => Number.isFinite(value) && value > 0);
  const lowest = positive.length > 0 ? Math.min(...positive) : 1;
  const highest = positive.length > 0 ? Math.max(...positive) : 1;
  const from = Math.min(0.1, 10 ** Math.floor(Math.log10(lowest)));
  const to = Math.max(100, 10 ** Math.ceil(Math.log10(highest)));
  const x = (value: number) => {
    const clamped = Math.min(to, Math.max(from, value));
    const share = (Math.log10(clamped) - Math.log10(from)) / (Math.log10(to) - Math.log10(from));
    return CHART.plotLeft + share * (CHART.plotRight - CHART.plotLeft);
  };

  const labels = [...new Set(rows.flatMap((row) => row.series.map((series) => series.label)))];
  const colour = (label: string) => PALETTE[labels.indexOf(label) % PALETTE.length] ?? '#4b5563';

  const body: string[] = [];
  let y = CHART.plotTop;
  for (const row of rows) {
    body.push(
      `<text x="10" y="${y + 13}" class="query">${escapeXml(row.name)}</text>`,
      `<line x1="10" y1="${y + 16.5}" x2="${CHART.width - 10}" y2="${y + 16.5}" class="separator"/>`,
    );
    y += CHART.groupHeader;
    for (const series of row.series) {
      const { latency } = series;
      body.push(
        `<text x="${CHART.plotLeft - 8}" y="${y + 10}" text-anchor="end" class="series">${escapeXml(series.label)}</text>`,
      );
      for (const { key, opacity } of PERCENTILES) {
        const value = latency[key];
        if (!Number.isFinite(value) || value <= 0) continue;
        const width = Math.max(1, round(x(value) - CHART.plotLeft));
        body.push(
          `<rect class="bar" data-query="${escapeXml(row.name)}" data-series="${escapeXml(series.label)}" ` +
            `data-percentile="${key}" x="${CHART.plotLeft}" y="${y}" width="${width}" height="${CHART.barHeight}" ` +
            `fill="${colour(series.label)}" fill-opacity="${opacity}">` +
            `<title>${escapeXml(`${row.name}, ${series.label}: ${key} ${ms(value)} ms`)}</title></rect>`,
        );
      }
      const text = Number.isFinite(latency.p50)
        ? `p50 ${ms(latency.p50)}  p95 ${ms(latency.p95)}  p99 ${ms(latency.p99)}`
        : 'no data';
      body.push(`<text x="${CHART.valuesLeft}" y="${y + 10}" class="values">${escapeXml(text)}</text>`);
      y += CHART.barRow;
    }
    y += CHART.groupGap;
  }
  const plotBottom = Math.max(y, CHART.plotTop + 20);
  const height = plotBottom + CHART.axisSpace;

  const grid: string[] = [];
  for (let decade = from; decade <= to * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const value = Number((decade * step).toPrecision(1));
      if (value > to * 1.0001) break;
      const position = round(x(value));
      grid.push(
        `<line x1="${position}" y1="${CHART.plotTop}" x2="${position}" y2="${plotBottom}" ` +
          `class="${step === 1 ? 'grid major' : 'grid'}"/>`,
        `<text x="${position}" y="${CHART.plotTop - 6}" text-anchor="middle" class="tick">${value}</text>`,
        `<text x="${position}" y="${plotBottom + 16}" text-anchor="middle" class="tick">${value}</text>`,
      );
    }
  }
  const target = (value: number, name: string, colourCode: string) => {
    const position = round(x(value));
    return [
      `<line class="target" data-target="${name}" x1="${position}" y1="${CHART.plotTop}" x2="${position}" ` +
        `y2="${plotBottom}" stroke="${colourCode}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${position}" y="${CHART.plotTop - 20}" text-anchor="middle" class="target-label" fill="${colourCode}">` +
        `${escapeXml(`${value} ms (${name})`)}</text>`,
    ];
  };

  const legend: string[] = [];
  let legendX = 10;
  for (const label of labels) {
    legend.push(
      `<rect x="${legendX}" y="36" width="12" height="12" fill="${colour(label)}"/>`,
      `<text x="${legendX + 16}" y="46" class="legend">${escapeXml(label)}</text>`,
    );
    legendX += 28 + 7 * label.length;
  }
  legend.push(
    `<text x="${legendX + 10}" y="46" class="legend">overlaid bars from 0: p50 (dark), p95, p99 (light)</text>`,
  );

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${height}" ` +
      `viewBox="0 0 ${CHART.width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    '<style>' +
      '.query{font-weight:600;font-size:12px;fill:#111827}.series,.legend{fill:#374151}' +
      '.values{font-family:ui-monospace,monospace;fill:#374151}.tick{fill:#4b5563}' +
      '.grid{stroke:#e5e7eb;stroke-width:1}.grid.major{stroke:#d1d5db}.separator{stroke:#f3f4f6}' +
      '.target-label{font-weight:600}' +
      '</style>',
    `<rect width="${CHART.width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="600" fill="#111827">Latency per query (ms, log scale)</text>`,
    ...legend,
    ...grid,
    ...body,
    ...target(TARGETS.p95Ms, 'p95 target', '#d97706'),
    ...target(TARGETS.p99Ms, 'p99 target', '#dc2626'),
    `<line x1="${CHART.plotLeft}" y1="${plotBottom}" x2="${CHART.plotRight}" y2="${plotBottom}" stroke="#6b7280"/>`,
    `<text x="${(CHART.plotLeft + CHART.plotRight) / 2}" y="${plotBottom + 34}" text-anchor="middle" class="tick">` +
      'latency, ms (log scale)</text>',
    '</svg>',
    '',
  ].join('\n');
}
