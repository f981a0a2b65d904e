// Wrong room passwords (ADR 0056): a burst of parallel guesses meets the limit exactly, two instances sharing Redis
// meet one limit, the right password starts the count again, and the lock lapses.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import {
  memoryRoomPasswordAttempts,
  redisRoomPasswordAttempts,
  type RoomPasswordAttempts,
} from './room-password-attempts.ts';

const REDIS_URL = process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const limits = { threshold: 5, lockMs: 60_000 };

async function allowedOf(attempts: RoomPasswordAttempts[], tries: number, user: string, room: string) {
  const waits = await Promise.all(
    Array.from({ length: tries }, (_, i) => attempts[i % attempts.length]!.begin(user, room)),
  );
  return { allowed: waits.filter((wait) => wait === 0).length, waits };
}

test('in memory: 40 parallel guesses, 5 go through; the others wait out the lock, which then lapses', async () => {
  let now = 1_000_000;
  const attempts = memoryRoomPasswordAttempts(limits, () => now);
  const { allowed, waits } = await allowedOf([attempts], 40, 'u', 'r');
  assert.equal(allowed, 5);
  assert.ok(waits.every((wait) => wait === 0 || wait === 60));
  assert.equal(await attempts.begin('u', 'other room'), 0, 'per room');
  now += 59_000;
  assert.equal(await attempts.begin('u', 'r'), 1);
  now += 1_000;
  assert.equal(await attempts.begin('u', 'r'), 0, 'lapsed');
});

test('in memory: the right password starts the count again', async () => {
  const attempts = memoryRoomPasswordAttempts(limits, () => 0);
  for (let i = 0; i < 4; i++) assert.equal(await attempts.begin('u', 'r'), 0);
  await attempts.succeeded('u', 'r');
  assert.equal((await allowedOf([attempts], 10, 'u', 'r')).allowed, 5);
});

test('in Redis: two instances share one limit under parallel guesses; success resets; the lock lapses', async (t) => {
  const prefix = `veza-test:${randomUUID()}:`;
  const short = { threshold: 5, lockMs: 1_500 };
  const [one, two] = [
    redisRoomPasswordAttempts(REDIS_URL, prefix, short),
    redisRoomPasswordAttempts(REDIS_URL, prefix, short),
  ];
  t.after(() => Promise.all([one.close(), two.close()]));

  const { allowed, waits } = await allowedOf([one, two], 40, 'u', 'r');
  assert.equal(allowed, 5, 'one count across both instances');
  assert.ok(
    waits.every((wait) => wait === 0 || (wait >= 1 && wait <= 2)),
    String(waits),
  );

  await one.succeeded('u', 'r');
  assert.equal(await two.begin('u', 'r'), 0, 'the right password on one instance frees the other');

  for (let i = 0; i < 5; i++) await one.begin('u', 'r2');
  assert.ok((await two.begin('u', 'r2')) > 0);
  await new Promise((resolve) => setTimeout(resolve, 1_600));
  assert.equal(await two.begin('u', 'r2'), 0, 'lapsed');
});

test('in Redis: an unreachable server refuses the attempt with a 503 problem, never lets it through', async (t) => {
  const attempts = redisRoomPasswordAttempts('redis://127.0.0.1:1', 'veza-test:');
  t.after(() => attempts.close());
  await assert.rejects(attempts.begin('u', 'r'), { name: 'ApiError', status: 503, code: 'SERVICE_UNAVAILABLE' });
});
