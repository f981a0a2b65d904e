import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockedUntil } from './login-throttle.ts';

const settings = { lockSeconds: 60, windowSeconds: 3600 };
const now = Date.parse('2026-01-01T12:00:00Z');
const count = (failures: number, secondsAgo: number) => ({ failures, latest: new Date(now - secondsAgo * 1000) });

test('below the threshold nothing is locked', () => {
  assert.equal(lockedUntil(count(4, 0), 5, settings, now), null);
  assert.equal(lockedUntil({ failures: 0, latest: null }, 5, settings, now), null);
});

test('at the threshold: locked for lockSeconds from the latest failure', () => {
  assert.deepEqual(lockedUntil(count(5, 10), 5, settings, now), new Date(now + 50_000));
  assert.equal(lockedUntil(count(5, 61), 5, settings, now), null, 'expired');
  assert.deepEqual(lockedUntil(count(9, 0), 5, settings, now), new Date(now + 60_000), 'same level until 2x');
});

test('every further threshold doubles the lock, never beyond the window', () => {
  assert.deepEqual(lockedUntil(count(10, 0), 5, settings, now), new Date(now + 120_000));
  assert.deepEqual(lockedUntil(count(15, 0), 5, settings, now), new Date(now + 240_000));
  assert.deepEqual(lockedUntil(count(40, 0), 5, settings, now), new Date(now + 3_600_000));
  assert.deepEqual(lockedUntil(count(500, 0), 5, settings, now), new Date(now + 3_600_000));
});
