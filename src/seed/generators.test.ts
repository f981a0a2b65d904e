import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyLine } from './copy-text.ts';
import { periodsCovering, partitionName } from './partitions.ts';
import { distinctPicks } from './pick.ts';
import { ProgressReporter, summaryTable } from './progress.ts';
import { Rng, streamOf, uuidFor } from './random.ts';
import { Timeline } from './timeline.ts';
import { coprimeStride, Fanout, Timed } from './universe.ts';

test('COPY text escapes backslashes, tabs and newlines and writes NULL as \\N', () => {
  assert.equal(copyLine(['a\tb', 'c\nd', 'e\\f', null, true, 3, 'g\rh']), 'a\\tb\tc\\nd\te\\\\f\t\\N\tt\t3\tg\\rh\n');
});

test('ids are version-4 shaped and distinct within a stream', () => {
  const stream = streamOf('users.id');
  const ids = new Set<string>();
  for (let i = 0; i < 100_000; i++) ids.add(uuidFor(1, stream, i));
  assert.equal(ids.size, 100_000);
  assert.match(uuidFor(1, stream, 0), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(uuidFor(1, stream, 0), uuidFor(2, stream, 0));
});

test('the time line keeps entities and events in the year, in index order', () => {
  const time = new Timeline(new Date('2026-01-01T00:00:00Z'));
  let previous = -Infinity;
  for (let i = 0; i < 1000; i++) {
    const entity = time.entityTime(i / 1000);
    const event = time.eventTime(i / 1000);
    assert.ok(entity >= time.start && entity < time.anchor);
    assert.ok(event >= time.start && event < time.anchor);
    assert.ok(event > previous);
    previous = event;
    assert.ok(Math.abs(time.entityFraction(entity) - i / 1000) < 1e-9);
  }
  assert.ok(time.after(time.anchor + 5000, 0.5) < time.anchor, 'children of late parents stay before the anchor');
});

test('Timed picks only what existed; Fanout maps children to parents; strides give distinct members', () => {
  const timed = new Timed(Float64Array.from([30, 10, 20]));
  assert.deepEqual([...timed.byTime], [1, 2, 0]);
  assert.equal(timed.existing(15), 1);
  assert.equal(timed.pick(25, 0.99), 2);
  const fanout = new Fanout(Uint32Array.from([2, 0, 3]));
  assert.equal(fanout.total, 5);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((child) => fanout.parentOf(child)),
    [0, 0, 2, 2, 2],
  );
  const n = 60;
  const stride = coprimeStride(n, 0.37);
  assert.equal(new Set(Array.from({ length: n }, (_, j) => (5 + j * stride) % n)).size, n);
});

test('distinctPicks returns exactly k distinct acceptable values, probing when the draws repeat', () => {
  const rng = new Rng(3).reset(1, 1);
  const picks = distinctPicks(
    9,
    10,
    rng,
    () => 4,
    (value) => value !== 0,
  );
  assert.equal(new Set(picks).size, 9);
  assert.ok(!picks.includes(0));
  assert.throws(() => distinctPicks(3, 2, rng, () => 0), /cannot draw 3 distinct values out of 2/);
});

test('partition periods cover the year with the names ensure_range_partitions gives', () => {
  const months = periodsCovering(Date.parse('2025-03-15T00:00:00Z'), Date.parse('2026-03-15T00:00:00Z'), 'month');
  assert.equal(months.length, 13);
  assert.equal(partitionName('messages', months[0]?.from as Date, 'month'), 'messages_2025_03');
  const days = periodsCovering(Date.parse('2025-03-15T00:00:00Z'), Date.parse('2026-03-15T00:00:00Z'), 'day');
  assert.equal(days.length, 365);
  assert.equal(partitionName('analytics_events', days[364]?.from as Date, 'day'), 'analytics_events_2026_03_14');
});

test('progress: plain lines without a terminal, and a summary with rows/s', () => {
  let now = 0;
  const lines: string[] = [];
  const reporter = new ProgressReporter({ write: (text: string) => lines.push(text) }, () => now);
  reporter.tableStarted('users', 1000);
  now = 20_000;
  reporter.tableProgress('users', 500);
  now = 40_000;
  reporter.tableFinished('users', 1000);
  assert.deepEqual(lines, [
    'users: 1,000 rows\n',
    'users: loading, 500/1,000 rows, 25 rows/s\n',
    'users: done in 40s, 1,000/1,000 rows, 25 rows/s\n',
  ]);
  assert.match(summaryTable(reporter.timings, 50), /users\s+1,000\s+40\.0\s+25\n/);
});
