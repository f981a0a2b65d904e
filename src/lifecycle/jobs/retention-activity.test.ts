import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { createRetentionActivity, retentionActivity } from './retention-activity.ts';
import { daysAgo, difference, factory, progress, snapshot } from './retention-test-support.ts';

const database = useMigratedDatabase();
const run = (dryRun = false, job = retentionActivity, log?: (line: string) => void) =>
  runJob(job, { db: database.current.db, dataDir: '/nonexistent', dryRun, triggeredBy: 'manual', log });
const ids = (rows: Record<string, unknown>[]) => rows.map((row) => row.id as string).sort();

test('spec §18.1 activity logs: exactly the rows past 90 days go; nothing else changes; a second run does nothing', async () => {
  const { sql } = database.current;
  const attempt = factory('login_attempts');
  const typing = factory('typing_indicators');
  const presence = factory('user_presence');
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

  const gone = {
    login_attempts: [
      await attempt(sql, { attempted_at: daysAgo(91) }),
      await attempt(sql, { attempted_at: daysAgo(400), success: true }),
    ],
    typing_indicators: [
      await typing(sql, { started_at: daysAgo(0.01), expires_at: inSeconds(-60) }),
      // expires_at far in the future, but typing "started" 91 days ago
      await typing(sql, { started_at: daysAgo(91), expires_at: inSeconds(86_400) }),
    ],
    user_presence: [await presence(sql, { last_seen_at: daysAgo(91), status: 'online' })],
  };
  const kept = {
    login_attempts: [await attempt(sql, { attempted_at: daysAgo(89) }), await attempt(sql)],
    typing_indicators: [
      await typing(sql, { started_at: daysAgo(89), expires_at: inSeconds(60) }),
      await typing(sql, { expires_at: inSeconds(10) }),
    ],
    user_presence: [await presence(sql, { last_seen_at: daysAgo(89) }), await presence(sql)],
  };

  const before = await snapshot(sql);
  const dry = await run(true);
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  assert.deepEqual(dry.rowsByTable, { login_attempts: 2, typing_indicators: 2, user_presence: 1 });
  const afterDry = await snapshot(sql);
  assert.deepEqual(Object.keys(difference(before, afterDry)), ['job_runs'], 'a dry run changes nothing but job_runs');

  const first = await run();
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.deepEqual(first.rowsByTable, { login_attempts: 2, typing_indicators: 2, user_presence: 1 });
  const after = await snapshot(sql);
  const changes = difference(afterDry, after);
  assert.deepEqual(Object.keys(changes).sort(), ['job_runs', 'login_attempts', 'typing_indicators', 'user_presence']);
  for (const table of ['login_attempts', 'typing_indicators', 'user_presence'] as const) {
    assert.deepEqual(changes[table], { removed: ids(gone[table]), added: [], changed: {} }, table);
    const remaining = [...(after.get(table)?.keys() ?? [])].sort();
    assert.ok(
      ids(kept[table]).every((id) => remaining.includes(id)),
      `${table}: the rows inside the limit stay`,
    );
  }
  assert.equal(changes.job_runs?.added.length, 1);

  const second = await run();
  assert.deepEqual(second.rowsByTable, { login_attempts: 0, typing_indicators: 0, user_presence: 0 });
  assert.deepEqual(Object.keys(difference(after, await snapshot(sql))), ['job_runs']);
});

test('login attempts go in batches, one transaction each, across partitions', async () => {
  const { sql } = database.current;
  // Two old monthly partitions, as the partition job would have made them; the other rows sit in the default one.
  for (const days of [400, 800]) {
    const month = daysAgo(days).toISOString().slice(0, 7);
    const start = new Date(`${month}-01T00:00:00Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    await sql.unsafe(`CREATE TABLE login_attempts_${month.replace('-', '_')} PARTITION OF login_attempts
                      FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`);
  }
  for (const days of [91, 95, 120, 400, 800]) await factory('login_attempts')(sql, { attempted_at: daysAgo(days) });
  const lines: string[] = [];
  const result = await run(false, createRetentionActivity({ batchSize: 2 }), (line) => lines.push(line));
  assert.equal(result.status, 'succeeded', result.error ?? '');
  assert.equal(result.rowsByTable.login_attempts, 5);
  // one progress line per batch: 2, then 2 more, then the last one
  assert.deepEqual(progress(lines).login_attempts, [2, 4, 5]);
  const [left] =
    await sql`SELECT count(*)::int AS n FROM login_attempts WHERE attempted_at < NOW() - INTERVAL '90 days'`;
  assert.equal(left?.n, 0);
  const leaves = await sql`SELECT count(*)::int AS n FROM pg_partition_tree('login_attempts') WHERE isleaf`;
  assert.ok((leaves[0]?.n as number) >= 7, 'the batches crossed several partitions');
});
