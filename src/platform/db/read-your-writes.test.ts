import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { MemoryWriteMarks, RedisWriteMarks, type WriteMarks } from './read-your-writes.ts';
import { parseLsn, replicaName } from './replica-set.ts';

const REDIS_URL = process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

test('LSNs compare as numbers, across the 32-bit boundary; replica names carry no credentials', () => {
  assert.equal(parseLsn('0/16B3748'), 0x16b3748n);
  assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
  assert.ok(parseLsn('A/1') > parseLsn('9/FFFFFFFF'));
  assert.throws(() => parseLsn('16B3748'), /not an LSN/);
  assert.equal(replicaName('postgres://reader:secret@replica.example:6432/veza'), 'replica.example:6432/veza');
  assert.equal(replicaName('postgres://reader@replica.example/veza'), 'replica.example:5432/veza');
});

async function marksKeepTheLargest(marks: WriteMarks): Promise<void> {
  const user = randomUUID();
  assert.equal(await marks.lastWrite(user), undefined);
  await marks.record(user, parseLsn('1/10'));
  // Two writes answered out of order: the earlier position arriving last must not lower the mark.
  await marks.record(user, parseLsn('0/FFFFFFF0'));
  assert.equal(await marks.lastWrite(user), parseLsn('1/10'));
  await marks.record(user, parseLsn('A/0'));
  assert.equal(await marks.lastWrite(user), parseLsn('A/0'));
  assert.equal(await marks.lastWrite(randomUUID()), undefined, 'marks are per caller');
}

test('in-memory marks keep the largest position, and expire', async () => {
  let now = 1_000_000;
  const marks = new MemoryWriteMarks(70, () => now);
  await marksKeepTheLargest(marks);
  const user = randomUUID();
  await marks.record(user, 5n);
  now += 69_999;
  assert.equal(await marks.lastWrite(user), 5n);
  now += 1;
  assert.equal(await marks.lastWrite(user), undefined);
});

test('Redis marks keep the largest position whatever the order, shared by every instance, and expire', async () => {
  const prefix = `veza-test:last-write:${randomUUID()}:`;
  const first = new RedisWriteMarks(REDIS_URL, 1, prefix);
  const second = new RedisWriteMarks(REDIS_URL, 1, prefix);
  try {
    await marksKeepTheLargest(first);
    const user = randomUUID();
    await first.record(user, parseLsn('2/0'));
    assert.equal(await second.lastWrite(user), parseLsn('2/0'), 'another instance sees the mark');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal(await second.lastWrite(user), undefined);
  } finally {
    await first.close();
    await second.close();
  }
});

test('read replica settings: defaults, and refused without DATABASE_URL, with bad URLs, or workers without Redis', () => {
  assert.deepEqual(loadConfig({}).readReplicas, { urls: [], maxLagSeconds: 10, checkIntervalMs: 1000 });
  const replica = 'postgres://reader:secret@replica.example/veza';
  assert.throws(() => loadConfig({ VEZA_DATABASE_READ_URLS: replica }), /VEZA_DATABASE_READ_URLS needs DATABASE_URL/);
  const primary = { DATABASE_URL: 'postgres://u@primary.example/veza' };
  assert.throws(
    () => loadConfig({ ...primary, VEZA_DATABASE_READ_URLS: 'mysql://reader:secret@x/veza' }),
    (error: Error) =>
      /must be comma-separated postgres:\/\/ URLs/.test(error.message) && !error.message.includes('secret'),
  );
  assert.throws(
    () => loadConfig({ ...primary, VEZA_DATABASE_READ_URLS: replica, VEZA_WORKERS: '2' }),
    /needs VEZA_REDIS_URL when VEZA_WORKERS > 1/,
  );
  assert.throws(
    () => loadConfig({ ...primary, VEZA_DATABASE_READ_URLS: replica, VEZA_REPLICA_MAX_LAG_SECONDS: '0' }),
    /VEZA_REPLICA_MAX_LAG_SECONDS/,
  );
  assert.deepEqual(
    loadConfig({ ...primary, VEZA_DATABASE_READ_URLS: replica, VEZA_WORKERS: '2', VEZA_REDIS_URL: 'redis://c:6379' })
      .readReplicas?.urls,
    [replica],
  );
});
