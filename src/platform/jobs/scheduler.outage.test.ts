import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import type { JobDefinition } from './job.ts';
import { startScheduler, throttledErrorLog } from './scheduler.ts';

const database = useMigratedDatabase();

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('the job scheduler when its connections die (ADR 0029)', () => {
  test('its connections killed twice: the process lives, the errors are logged, and jobs run again afterwards', async () => {
    const { url } = database.current;
    let runs = 0;
    const job: JobDefinition = {
      name: 'test.outage',
      description: 'counts its runs',
      defaultSchedule: '0 4 * * *',
      run() {
        return Promise.resolve();
      },
    };
    const lines: string[] = [];
    const scheduler = await startScheduler({
      url,
      jobs: [job],
      schedules: {},
      run: () => {
        runs += 1;
        return Promise.resolve();
      },
      log: (line) => lines.push(line),
    });
    const producer = new PgBoss({ connectionString: url, schema: 'pgboss' });
    producer.on('error', () => {});
    await producer.start();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (let round = 0; round < 2; round += 1) {
        // The workers poll every few seconds: wait until the scheduler holds connections again, then kill them.
        let killed = 0;
        for (let attempt = 0; attempt < 100 && killed === 0; attempt += 1) {
          const { rows } = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'veza-jobs'`,
          );
          killed = rows.length;
          if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(killed > 0, `round ${round + 1}: the scheduler had connections to kill`);
      }
      await producer.send('test.outage');
      assert.ok(await waitFor(() => runs === 1, 20_000), `the job did not run after the outage: ${lines.join('\n')}`);
      assert.ok(
        lines.some((line) => line.startsWith('job scheduler: ')),
        'the lost connections were reported, not thrown',
      );
    } finally {
      await admin.end();
      await producer.stop({ graceful: false });
      await scheduler.stop();
    }
  });

  test('errors are logged at once, then at most once per interval with a count of the ones left unsaid', () => {
    const lines: string[] = [];
    let now = 0;
    const report = throttledErrorLog(
      (line) => lines.push(line),
      30_000,
      () => now,
    );
    report(new Error('connect ECONNREFUSED'));
    for (now = 1_000; now < 30_000; now += 2_000) report(new Error('connect ECONNREFUSED'));
    now = 31_000;
    report(new Error('the database system is starting up'));
    assert.deepEqual(lines, [
      'job scheduler: connect ECONNREFUSED',
      'job scheduler: the database system is starting up (and 15 more error(s) since the last report)',
    ]);
  });
});
