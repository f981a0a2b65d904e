// The pure parts of exports and dashboards (issue 18 §8; ADR 0094): CSV quoting and formula neutralising, PDF text,
// and the cross-widget layout rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { layoutProblems } from './dashboards.service.ts';
import { suppressed } from './reports.content.ts';
import { renderCsv, renderPdf, type ReportTable } from './reports.render.ts';

const table: ReportTable = {
  title: 'T',
  notes: [],
  columns: ['day', 'title', 'plays'],
  rows: [
    ['2026-03-01', 'Plain, "quoted"\nand multi-line', 12],
    ['2026-03-02', '=HYPERLINK("http://evil")', null],
    ['2026-03-03', '-5 dB', 0],
  ],
};

test('CSV: RFC 4180 quoting, suppressed cells spelled out, formulas neutralised', () => {
  const csv = renderCsv(table).toString('utf8');
  assert.ok(csv.endsWith('\r\n'));
  const records: string[][] = parse(csv);
  assert.deepEqual(records, [
    ['day', 'title', 'plays'],
    ['2026-03-01', 'Plain, "quoted"\nand multi-line', '12'],
    ['2026-03-02', `'=HYPERLINK("http://evil")`, 'suppressed'],
    ['2026-03-03', "'-5 dB", '0'],
  ]);
});

test('PDF: a valid document, the same bytes for the same table and time', async () => {
  const at = new Date('2026-04-01T00:00:00Z');
  const many = { ...table, rows: Array.from({ length: 120 }, (_, i) => [`day ${i}`, 'x', i]) };
  const [a, b] = await Promise.all([renderPdf(many, at), renderPdf(many, at)]);
  assert.equal(a.subarray(0, 5).toString(), '%PDF-');
  assert.ok(a.equals(b));
  assert.ok((a.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length >= 2, 'long tables run over pages');
});

test('suppression: fewer than k people is null, k and more is the value', () => {
  assert.equal(suppressed(12, 4, 5), null);
  assert.equal(suppressed(12, 5, 5), 12);
  assert.equal(suppressed('1.00', 9, 10), null);
});

test('layout rules across widgets: touching edges are fine, overlaps and the grid edge are not', () => {
  const w = (id: string, x: number, y: number, width: number, height: number) => ({
    id,
    kind: 'plays' as const,
    chart: 'bar' as const,
    period: '7d' as const,
    x,
    y,
    w: width,
    h: height,
  });
  assert.deepEqual(
    layoutProblems({ version: 1, widgets: [w('a', 0, 0, 6, 2), w('b', 6, 0, 6, 2), w('c', 0, 2, 12, 1)] }, 'creator'),
    [],
  );
  assert.deepEqual(
    layoutProblems({ version: 1, widgets: [w('a', 0, 0, 6, 2), w('b', 5, 1, 7, 2)] }, 'creator').map((p) => p.rule),
    ['noOverlap'],
  );
  assert.deepEqual(
    layoutProblems({ version: 1, widgets: [w('a', 11, 0, 2, 1)] }, 'admin').map((p) => p.field),
    ['body.layout.widgets.0.w'],
  );
});
