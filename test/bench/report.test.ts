import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpResult } from '../../bench/http.ts';
import type { LatencySummary, Measurement } from '../../bench/measurement.ts';
import {
  chartRows,
  GENERATED_BEGIN,
  GENERATED_END,
  latencyChartSvg,
  markdownReport,
  replaceGeneratedSection,
  type BenchReport,
} from '../../bench/report.ts';

// --- a small XML well-formedness checker: no XML parser is among the dependencies ---------------------------------

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const NAME = '[A-Za-z_][\\w.:-]*';
const OPEN_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`, 'y');
const CLOSE_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (value: string) =>
  value.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, entity: string) =>
    entity.startsWith('#x')
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : (NAMED[entity] ?? ''),
  );

/** The root element of a well-formed XML document; throws on the first violation. */
function parseXml(text: string): XmlElement {
  const fail = (message: string, at: number): never => {
    throw new Error(`${message} at ${at}: ${JSON.stringify(text.slice(at, at + 60))}`);
  };
  const checkEntities = (value: string, at: number) => {
    if (ENTITY.test(value)) fail('bare & (not an entity)', at);
  };
  let index = 0;
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end === -1) fail('unterminated declaration', 0);
    index = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (index < text.length) {
    if (text.startsWith('<!--', index)) {
      const end = text.indexOf('-->', index);
      if (end === -1) fail('unterminated comment', index);
      index = end + 3;
    } else if (text.startsWith('</', index)) {
      CLOSE_TAG.lastIndex = index;
      const match = CLOSE_TAG.exec(text) ?? fail('bad closing tag', index);
      const open = stack.pop() ?? fail('closing tag without an open one', index);
      if (open.name !== match[1]) fail(`</${match[1]}> closes <${open.name}>`, index);
      index = CLOSE_TAG.lastIndex;
    } else if (text[index] === '<') {
      OPEN_TAG.lastIndex = index;
      const match = OPEN_TAG.exec(text) ?? fail('bad tag', index);
      const attributes: Record<string, string> = {};
      for (const [, name, double, single] of (match[2] ?? '').matchAll(ATTRIBUTE)) {
        if (name! in attributes) fail(`attribute ${name} twice`, index);
        const value = double ?? single ?? '';
        checkEntities(value, index);
        attributes[name!] = decode(value);
      }
      const element: XmlElement = { name: match[1]!, attributes, children: [] };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) fail('a second root element', index);
      else root = element;
      if (match[3] !== '/') stack.push(element);
      index = OPEN_TAG.lastIndex;
    } else {
      const end = text.indexOf('<', index);
      const content = text.slice(index, end === -1 ? undefined : end);
      if (stack.length === 0 && content.trim() !== '') fail('text outside the root element', index);
      checkEntities(content, index);
      index = end === -1 ? text.length : end;
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)!.name}> is never closed`, text.length);
  return root ?? fail('no root element', 0);
}

function* descendants(element: XmlElement): Generator<XmlElement> {
  for (const child of element.children) {
    yield child;
    yield* descendants(child);
  }
}

// --- fixtures -----------------------------------------------------------------------------------------------------

const latency = (p50: number, p95: number, p99: number): LatencySummary => ({ p50, p95, p99, max: p99 * 2 });
const measured = (throughput: number, summary: LatencySummary, errors = 0): Measurement => ({
  requests: Math.round(throughput * 10),
  errors,
  seconds: 10,
  throughput,
  latency: summary,
});

function report(): BenchReport {
  return {
    startedAt: '2025-01-02T03:04:05.000Z',
    data: { scale: 0.1, seed: 42, databaseSizeBytes: 3 * 1024 ** 3 },
    server: { version: 'PostgreSQL 15.8', settings: { shared_buffers: '128MB', synchronous_commit: 'on' } },
    machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 24 * 1024 ** 3, os: 'Linux 6.1 x64', node: 'v24.0.0' },
    method: { clients: 16, durationSeconds: 10, warmupSeconds: 2, poolSize: 10 },
    sql: [
      {
        name: 'auth.user_by_email',
        kind: 'read',
        description: 'log-in lookup',
        ours: measured(12345.6, latency(0.5, 2, 8)),
        raw: measured(24691.2, latency(0.3, 1, 4)),
      },
      {
        name: 'auth.user_by_username',
        kind: 'read',
        description: 'profile page',
        ours: measured(900, latency(4, 12, 20)),
        raw: null,
      },
      {
        name: 'chat.send_message',
        kind: 'write',
        description: 'a message',
        ours: measured(500, latency(3, 5, 60), 3),
        raw: measured(1000, latency(2, 4, 30)),
      },
    ],
    http: [
      {
        name: 'profiles.public_profile',
        route: 'GET /v1/users/{username}',
        description: 'a public profile',
        sqlWorkload: 'auth.user_by_username',
        measurement: measured(3000, latency(5, 9, 30), 2),
        errorsByCause: { '404': 2 },
      } satisfies HttpResult,
      {
        name: 'profiles.account',
        route: 'GET /v1/me',
        description: 'your account',
        connections: 32,
        measurement: measured(2500, latency(6, 12, 40)),
        pgbench: measured(10000, latency(1, 2, 4)),
        halfRate: measured(1250, latency(2, 5, 9)),
        errorsByCause: {},
      } satisfies HttpResult,
    ],
    pooler: [
      { name: 'pgbouncer transaction', clients: 200, serverPool: 20, measurement: measured(8000, latency(1, 3, 9)) },
    ],
    hitRatios: { indexHitRatio: 0.995, cacheHitRatio: 0.9 },
    notes: ['a note'],
  };
}

/** The cells of the markdown table row whose first cell is `first`, and the header of that table. */
function rowOf(markdown: string, first: string): { header: string[]; cells: string[] } {
  const lines = markdown.split('\n');
  const split = (line: string) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
  const matches = lines.flatMap((line, index) => (line.startsWith('|') && split(line)[0] === first ? [index] : []));
  assert.equal(matches.length, 1, `one row for ${first}`);
  let headerIndex = matches[0]!;
  while (headerIndex > 0 && lines[headerIndex - 1]!.startsWith('|')) headerIndex -= 1;
  return { header: split(lines[headerIndex]!), cells: split(lines[matches[0]!]!) };
}

const cell = (row: { header: string[]; cells: string[] }, column: string) => {
  const index = row.header.indexOf(column);
  assert.notEqual(index, -1, `column ${column}`);
  return row.cells[index];
};

// --- the tests ----------------------------------------------------------------------------------------------------

test('the XML checker itself rejects what is not well-formed', () => {
  assert.throws(() => parseXml('<a><b></a>'), /closes/);
  assert.throws(() => parseXml('<a>x & y</a>'), /bare &/);
  assert.throws(() => parseXml('<a title="x"y="1"></a>'), /bad tag/);
  assert.throws(() => parseXml('<a></a><b/>'), /second root/);
  assert.throws(() => parseXml('<a>'), /never closed/);
  assert.equal(parseXml('<a t="&lt;&amp;"><b/></a>').attributes.t, '<&');
});

describe('latencyChartSvg', () => {
  const rows = [
    { name: 'fast <&> "query"', series: [{ label: 'ours', latency: latency(0.2, 0.5, 1) }] },
    {
      name: 'slow',
      series: [
        { label: 'ours', latency: latency(3, 12, 40) },
        { label: 'pgbench', latency: latency(2, 8, 30) },
      ],
    },
    { name: 'empty', series: [{ label: 'ours', latency: latency(Number.NaN, Number.NaN, Number.NaN) }] },
  ];

  test('is well-formed XML, names escaped, one bar per percentile and series', () => {
    const svg = latencyChartSvg(rows);
    const root = parseXml(svg);
    assert.equal(root.name, 'svg');
    assert.equal(root.attributes.width, '1000');
    assert.ok(svg.includes('fast &lt;&amp;&gt; &quot;query&quot;'));
    const bars = [...descendants(root)].filter((element) => element.attributes.class === 'bar');
    assert.equal(bars.length, 3 * 3, 'p50, p95 and p99 of three series with data; none for the empty one');
    assert.equal(bars.filter((bar) => bar.attributes['data-query'] === 'fast <&> "query"').length, 3);
  });

  test('a bar grows with its latency, and the targets sit at 10 and 50 ms in order', () => {
    const root = parseXml(latencyChartSvg(rows));
    const elements = [...descendants(root)];
    const width = (query: string, series: string, percentile: string) => {
      const bar = elements.find(
        (element) =>
          element.attributes['data-query'] === query &&
          element.attributes['data-series'] === series &&
          element.attributes['data-percentile'] === percentile,
      );
      assert.ok(bar, `${query} ${series} ${percentile}`);
      return Number(bar.attributes.width);
    };
    assert.ok(width('slow', 'ours', 'p99') > width('fast <&> "query"', 'ours', 'p99'));
    assert.ok(width('slow', 'ours', 'p50') < width('slow', 'ours', 'p95'));
    assert.ok(width('slow', 'ours', 'p95') < width('slow', 'ours', 'p99'));
    assert.ok(width('slow', 'pgbench', 'p99') < width('slow', 'ours', 'p99'));
    const targets = elements.filter((element) => element.attributes.class === 'target');
    assert.deepEqual(
      targets.map((line) => line.attributes['data-target']),
      ['p95 target', 'p99 target'],
    );
    assert.ok(Number(targets[0]!.attributes.x1) < Number(targets[1]!.attributes.x1));
  });

  test('grows in height with the rows', () => {
    const height = (svg: string) => Number(parseXml(svg).attributes.height);
    assert.ok(height(latencyChartSvg(rows)) > height(latencyChartSvg(rows.slice(0, 1))));
  });
});

describe('markdownReport', () => {
  test('one row per workload, with the targets checked on our p95 and p99', () => {
    const markdown = markdownReport(report(), 'benchmarks/latency.svg');
    const fast = rowOf(markdown, '`auth.user_by_email`');
    assert.equal(cell(fast, 'kind'), 'read');
    assert.equal(cell(fast, 'p95 (ms)'), '2.00');
    assert.equal(cell(fast, 'req/s'), '12,346');
    assert.equal(cell(fast, 'raw req/s'), '24,691');
    assert.equal(cell(fast, 'ours/raw'), '0.50');
    assert.equal(cell(fast, 'p95 < 10 ms'), '✓');
    assert.equal(cell(fast, 'p99 < 50 ms'), '✓');

    const slowP95 = rowOf(markdown, '`auth.user_by_username`');
    assert.equal(cell(slowP95, 'p95 < 10 ms'), '✗');
    assert.equal(cell(slowP95, 'p99 < 50 ms'), '✓');
    assert.equal(cell(slowP95, 'raw p95'), '–');
    assert.equal(cell(slowP95, 'ours/raw'), '–');

    const slowP99 = rowOf(markdown, '`chat.send_message`');
    assert.equal(cell(slowP99, 'kind'), 'write');
    assert.equal(cell(slowP99, 'p95 < 10 ms'), '✓');
    assert.equal(cell(slowP99, 'p99 < 50 ms'), '✗');
    assert.match(markdown, /Failed requests: `chat\.send_message` 3 \(ours\), 0 \(raw\)/);
  });

  test('HTTP, pooler, hit ratios, chart and notes', () => {
    const markdown = markdownReport(report(), 'benchmarks/latency.svg');
    const http = rowOf(markdown, '`profiles.public_profile`');
    assert.equal(cell(http, 'errors'), '2 (404: 2)');
    assert.equal(cell(http, 'SQL p95 (ms)'), '12.00');
    assert.equal(cell(http, 'p95 < 10 ms'), '✓');
    assert.equal(cell(http, 'ratio'), '–', 'no pgbench run, no ratio');
    const account = rowOf(markdown, '`profiles.account`');
    assert.equal(cell(account, 'connections'), '32');
    assert.equal(cell(account, 'pgbench tps'), '10,000');
    assert.equal(cell(account, 'ratio'), '0.25');
    assert.equal(cell(account, 'p99 @ half (ms)'), '9.00');
    assert.equal(cell(rowOf(markdown, 'pgbouncer transaction'), 'server pool'), '20');
    assert.equal(cell(rowOf(markdown, 'index hit ratio'), 'met'), '✓');
    assert.equal(cell(rowOf(markdown, 'cache hit ratio'), 'measured'), '90.00 %');
    assert.equal(cell(rowOf(markdown, 'cache hit ratio'), 'met'), '✗');
    assert.ok(markdown.includes('![Latency percentiles per query, ms](benchmarks/latency.svg)'));
    assert.ok(markdown.includes('- a note'));
    assert.ok(markdown.includes('3.0 GiB'));
    assert.ok(!markdownReport(report()).includes('!['), 'no chart without a path');
  });

  test('chartRows puts the HTTP endpoint beside the SQL it issues', () => {
    const rows = chartRows(report());
    assert.deepEqual(
      rows.find((row) => row.name === 'auth.user_by_username')?.series.map((series) => series.label),
      ['ours', 'http'],
    );
    assert.deepEqual(
      rows.find((row) => row.name === 'profiles.account (GET /v1/me)')?.series.map((series) => series.label),
      ['http @32', 'pgbench @32'],
      'an endpoint without a SQL workload gets a row of its own, beside pgbench on its statements',
    );
    assert.equal(rows.length, 4);
    parseXml(latencyChartSvg(rows));
  });
});

describe('replaceGeneratedSection', () => {
  const document = [
    '# Benchmarks',
    '',
    'Hand-written introduction.',
    '',
    GENERATED_BEGIN,
    'old figures',
    GENERATED_END,
    '',
    'Hand-written conclusion.',
    '',
  ].join('\n');

  test('replaces only what lies between the markers', () => {
    const replaced = replaceGeneratedSection(document, '## New figures\n');
    assert.equal(
      replaced,
      document.replace(`${GENERATED_BEGIN}\nold figures\n`, `${GENERATED_BEGIN}\n## New figures\n`),
    );
    assert.equal(replaceGeneratedSection(replaced, '## New figures\n'), replaced, 'idempotent');
  });

  test('appends a marked section to a document without one', () => {
    assert.equal(
      replaceGeneratedSection('# Benchmarks\n\nIntro.\n', 'figures'),
      `# Benchmarks\n\nIntro.\n\n${GENERATED_BEGIN}\nfigures\n${GENERATED_END}\n`,
    );
    assert.equal(replaceGeneratedSection('', 'figures'), `${GENERATED_BEGIN}\nfigures\n${GENERATED_END}\n`);
  });

  test('refuses a broken pair of markers', () => {
    assert.throws(() => replaceGeneratedSection(`${GENERATED_END}\n${GENERATED_BEGIN}\n`, 'x'), /broken/);
    assert.throws(() => replaceGeneratedSection(`${GENERATED_BEGIN}\n`, 'x'), /broken/);
  });
});
