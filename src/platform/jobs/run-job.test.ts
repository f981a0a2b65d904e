import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import type { JobDefinition } from './job.ts';
import { runJob } from './run-job.ts';

const database = useMigratedDatabase();

const options = { dataDir: '/nonexistent', triggeredBy: 'manual' } as const;

/** A job that inserts one audit-free row per batch into a scratch table, so a test can see what stayed. */
function writer(batches: number, failAt?: number): JobDefinition {
  return {
    name: 'test.writer',
    description: 'writes one row per batch',
    defaultSchedule: '0 0 * * *',
    async run(context) {
      for (let batch = 1; batch <= batches; batch++) {
        await context.transaction(async (tx) => {
          await sql`INSERT INTO run_job_rows (batch) VALUES (${batch})`.execute(tx);
          if (batch === failAt) throw new Error(`batch ${batch} failed`);
        });
        context.count('run_job_rows', 1);
      }
    },
  };
}

test('a run is recorded with its rows per table; a failed batch keeps the batches before it', async () => {
  const { sql: fixture, db } = database.current;
  await fixture`DROP TABLE IF EXISTS run_job_rows`;
  await fixture`CREATE TABLE run_job_rows (batch int NOT NULL)`;

  const done = await runJob(writer(3), { db, ...options });
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(done.rowsByTable, { run_job_rows: 3 });

  const failed = await runJob(writer(3, 2), { db, ...options });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'batch 2 failed');
  const [recorded] = await fixture<{ status: string; rows_by_table: unknown; error_message: string }[]>`
    SELECT status, rows_by_table, error_message FROM job_runs WHERE id = ${failed.id}`;
  assert.deepEqual(recorded, { status: 'failed', rows_by_table: { run_job_rows: 1 }, error_message: 'batch 2 failed' });
  const rows = await fixture<{ batch: number }[]>`SELECT batch FROM run_job_rows ORDER BY batch`;
  assert.deepEqual(
    rows.map((row) => row.batch),
    [1, 1, 2, 3],
    'batch 1 of the failed run committed; its batch 2 rolled back alone',
  );
  await fixture`DROP TABLE run_job_rows`;
});

test('a dry run reports the same counts and leaves nothing, even after a batch of it failed', async () => {
  const { sql: fixture, db } = database.current;
  await fixture`DROP TABLE IF EXISTS run_job_rows`;
  await fixture`CREATE TABLE run_job_rows (batch int NOT NULL)`;

  const dry = await runJob(writer(3), { db, ...options, dryRun: true });
  assert.equal(dry.status, 'succeeded');
  assert.deepEqual(dry.rowsByTable, { run_job_rows: 3 });
  const failedDry = await runJob(writer(3, 2), { db, ...options, dryRun: true });
  assert.equal(failedDry.status, 'failed');
  const [left] = await fixture<{ n: number }[]>`SELECT count(*)::int AS n FROM run_job_rows`;
  assert.equal(left?.n, 0);
  const [run] = await fixture<{ dry_run: boolean }[]>`SELECT dry_run FROM job_runs WHERE id = ${dry.id}`;
  assert.equal(run?.dry_run, true);
  await fixture`DROP TABLE run_job_rows`;
});

test('the connection of a batch killed mid-transaction fails the run, not the process; the next run succeeds', async () => {
  const { sql: fixture, db } = database.current;
  const killer: JobDefinition = {
    name: 'test.killed',
    description: 'loses its connection in the middle of a batch',
    defaultSchedule: '0 0 * * *',
    async run(context) {
      await context.transaction(async (tx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
        await fixture`SELECT pg_terminate_backend(${rows[0]?.pid ?? 0})`;
        await sql`SELECT 1`.execute(tx);
      });
    },
  };
  const killed = await runJob(killer, { db, ...options });
  assert.equal(killed.status, 'failed');
  assert.match(killed.error ?? '', /ECONNRESET|terminat|connection/i);

  const next = await runJob(
    {
      ...killer,
      name: 'test.after',
      async run(context) {
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(context.db);
        context.count('nothing', rows[0]?.one ?? 0);
      },
    },
    { db, ...options },
  );
  assert.equal(next.status, 'succeeded');
  assert.deepEqual(next.rowsByTable, { nothing: 1 });
});
