import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './problem.ts';
import { decodeCursor, encodeCursor, POSITION_STAMP, toPage } from './pagination.ts';

const row = (micros: number) => ({
  id: `00000000-0000-4000-8000-${String(micros).padStart(12, '0')}`,
  [POSITION_STAMP]: `2026-01-01T00:00:00.123${String(micros).padStart(3, '0')}Z`,
  name: `row ${micros}`,
});

test('a cursor round-trips the position of the last row, microseconds included', () => {
  const position = { createdAt: '2026-11-24T10:00:00.123457Z', id: '8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11' };
  assert.deepEqual(decodeCursor(encodeCursor(position)), position);
});

test('a page keeps `limit` rows without their stamps, and points after the last one only when more exist', () => {
  const rows = [row(5), row(4), row(3)];
  const page = toPage(rows, 2);
  assert.deepEqual(
    page.items,
    rows.slice(0, 2).map(({ id, name }) => ({ id, name })),
  );
  assert.deepEqual(decodeCursor(page.next_cursor ?? ''), { createdAt: '2026-01-01T00:00:00.123004Z', id: rows[1]?.id });
  assert.equal(toPage(rows, 3).next_cursor, null);
});

test('a cursor issued with millisecond stamps (before microseconds) is still read', () => {
  const legacy = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.123Z', row(1).id])).toString('base64url');
  assert.equal(decodeCursor(legacy).createdAt, '2026-01-01T00:00:00.123Z');
});

test('a forged or damaged cursor is a 400 naming query.cursor', () => {
  for (const cursor of [
    '%%%',
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from('["yesterday","8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11"]').toString('base64url'),
    // Text PostgreSQL would cast, but not a stamp this API issues: it must never reach the SQL.
    Buffer.from('["now","8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11"]').toString('base64url'),
    Buffer.from('["2026-01-01T00:00:00.1234567Z","8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11"]').toString('base64url'),
    Buffer.from('["2026-02-31T00:00:00Z","8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11"]').toString('base64url'),
  ]) {
    assert.throws(
      () => decodeCursor(cursor),
      (error: unknown) =>
        error instanceof ApiError && error.status === 400 && error.errors?.[0]?.field === 'query.cursor',
    );
  }
});
