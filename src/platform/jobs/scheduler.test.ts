import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PgBoss } from 'pg-boss';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import type { JobDefinition } from './job.ts';
import { runJob } from './run-job.ts';
import { startScheduler } from './scheduler.ts';

const database = useMigratedDatabase();

test('two instances share the schedule, and never run the same job at the same time', async () => {
  const { sql, url, db } = database.current;
  const intervals: Array<[number, number]> = [];
  let running = 0;
  const slowJob: JobDefinition = {
    name: 'test.slow',
    description: 'takes a while',
    defaultSchedule: '0 4 * * *',
    async run(context) {
      const start = Date.now();
      running += 1;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      intervals.push([start, Date.now()]);
      context.count('nothing', 1);
    },
  };
  const start = () =>
    startScheduler({
      url,
      jobs: [slowJob],
      schedules: { 'test.slow': '30 2 * * *' },
      run: (job) => runJob(job, { db, dataDir: '/nonexistent', triggeredBy: 'schedule' }),
      log: () => {},
    });
  const [first, second] = [await start(), await start()];
  const producer = new PgBoss({ connectionString: url, schema: 'pgboss' });
  await producer.start();
  try {
    const [schedule] = await sql`SELECT cron, timezone FROM pgboss.schedule WHERE name = 'test.slow'`;
    assert.deepEqual(
      [schedule?.cron, schedule?.timezone],
      ['30 2 * * *', 'UTC'],
      'the configured cron is stored in the database',
    );

    const waitFor = async (done: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await producer.send('test.slow');
    await waitFor(() => running === 1);
    // While one run is active, the queue accepts one more waiting run and drops the rest.
    for (let i = 0; i < 5; i += 1) await producer.send('test.slow');
    await waitFor(() => intervals.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    assert.equal(intervals.length, 2, 'one active run, one waiting, the other sends dropped');
    const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i += 1) {
      assert.ok((sorted[i]?.[0] ?? 0) >= (sorted[i - 1]?.[1] ?? 0), 'two runs overlapped');
    }
    const [recorded] =
      await sql`SELECT count(*)::int AS n FROM job_runs WHERE job_name = 'test.slow' AND triggered_by = 'schedule'`;
    assert.equal(recorded?.n, intervals.length);
  } finally {
    await producer.stop({ graceful: false });
    await first.stop();
    await second.stop();
  }
});
