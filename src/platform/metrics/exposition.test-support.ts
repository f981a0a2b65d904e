// A strict reader of the Prometheus text exposition format (version 0.0.4) for the tests: it throws on anything a
// Prometheus server would refuse or misread (a sample before its TYPE, a family split in two, a bad name or escape,
// buckets that are not cumulative or whose +Inf differs from _count), and returns the samples to assert on.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, line: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    const eq = text.indexOf('=', at);
    if (eq < 0) throw new Error(`bad labels in: ${line}`);
    const name = text.slice(at, eq);
    if (!LABEL_NAME.test(name) || name in labels) throw new Error(`bad or repeated label name "${name}" in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`unquoted label value in: ${line}`);
    let value = '';
    let index = eq + 2;
    for (;;) {
      const char = text[index];
      if (char === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (char === '"') break;
      if (char === '\\') {
        const next = text[index + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape in: ${line}`);
        index += 2;
        continue;
      }
      value += char;
      index += 1;
    }
    labels[name] = value;
    at = index + 1;
    if (text[at] === ',') at += 1;
    else if (at !== text.length) throw new Error(`bad label separator in: ${line}`);
  }
  return labels;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  const base = sampleName.replace(/_(bucket|sum|count)$/, '');
  const family = families.get(base);
  return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

/** Every family of the text, by name. */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue;
      const [, kind, name = '', rest = ''] = match;
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      let family = families.get(name);
      if (family && family !== current) throw new Error(`family ${name} declared twice`);
      if (!family) {
        if (current) closed.add(current.name);
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
        current = family;
      }
      if (kind === 'TYPE') {
        if (!TYPES.has(rest) || family.samples.length > 0) throw new Error(`bad or late TYPE in: ${line}`);
        family.type = rest as Family['type'];
      } else {
        family.help = rest;
      }
      continue;
    }
    const match = /^([^{\s]+)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!match) throw new Error(`unreadable sample: ${line}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    if (!NAME.test(name)) throw new Error(`bad sample name in: ${line}`);
    const family = familyOf(name, families);
    if (!family) throw new Error(`sample without a TYPE before it: ${line}`);
    if (family !== current || closed.has(family.name)) throw new Error(`family ${family.name} is not contiguous`);
    family.samples.push({ name, labels: parseLabels(labelText, line), value: parseValue(valueText, line) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    if (!count || !samples.some((s) => s.name === `${family.name}_sum`)) {
      throw new Error(`${family.name}${key} lacks _sum or _count`);
    }
    let previous = -Infinity;
    let previousCount = 0;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le ?? '', family.name);
      if (le <= previous || bucket.value < previousCount)
        throw new Error(`${family.name}${key}: buckets not cumulative`);
      previous = le;
      previousCount = bucket.value;
    }
    if (previous !== Infinity || previousCount !== count.value) {
      throw new Error(`${family.name}${key}: the +Inf bucket is not the count`);
    }
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none matches. */
export function valueOf(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = familyOf(name, families);
  const matching = (family?.samples ?? []).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${matching.length} samples`);
  return matching[0]?.value;
}

/** The sum of every sample named `name` whose labels include `labels` (0 when none). */
export function sumOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  return (family?.samples ?? [])
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((total, sample) => total + sample.value, 0);
}
