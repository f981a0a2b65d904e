import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './problem.ts';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';

const row = (minute: number) => ({
  id: `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)),
});

test('a cursor round-trips the position of the last row', () => {
  const position = { createdAt: new Date('2026-11-24T10:00:00.123Z'), id: '8a1f6a52-3c0e-4b8e-9d1e-2a7c6f0b9e11' };
  assert.deepEqual(decodeCursor(encodeCursor(position)), position);
});

test('a page keeps `limit` rows and points after the last one only when more exist', () => {
  const rows = [row(5), row(4), row(3)];
  const page = toPage(rows, 2);
  assert.deepEqual(page.items, rows.slice(0, 2));
  assert.deepEqual(decodeCursor(page.next_cursor ?? ''), { createdAt: rows[1]?.created_at, id: rows[1]?.id });
  assert.equal(toPage(rows, 3).next_cursor, null);
});

test('a forged or damaged cursor is a 400 naming query.cursor', () => {
  for (const cursor of [
    '%%%',
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from('["yesterday","x"]').toString('base64url'),
  ]) {
    assert.throws(
      () => decodeCursor(cursor),
      (error: unknown) =>
        error instanceof ApiError && error.status === 400 && error.errors?.[0]?.field === 'query.cursor',
    );
  }
});
