import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { retentionSessions } from './retention-sessions.ts';

const database = useMigratedDatabase();
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(table);
  return factory;
};

test('spec §18.1: tokens go 30 days after expiry, revocation or use; nothing else changes; a second run does nothing', async () => {
  const { sql, db } = database.current;
  const created = daysAgo(400);
  const refresh = make('refresh_tokens');
  const gone = [
    await refresh(sql, { created_at: created, expires_at: daysAgo(31) }),
    await refresh(sql, { created_at: created, expires_at: daysAgo(-10), is_revoked: true, revoked_at: daysAgo(31) }),
    await make('password_reset_tokens')(sql, { created_at: created, expires_at: daysAgo(45) }),
    await make('password_reset_tokens')(sql, {
      created_at: created,
      expires_at: daysAgo(-1),
      used: true,
      used_at: daysAgo(31),
    }),
    await make('email_verification_tokens')(sql, { created_at: created, expires_at: daysAgo(31) }),
    await make('email_verification_tokens')(sql, {
      created_at: created,
      expires_at: daysAgo(-1),
      verified: true,
      verified_at: daysAgo(40),
    }),
  ];
  const kept = [
    await refresh(sql, { created_at: created, expires_at: daysAgo(29) }),
    await refresh(sql, { created_at: created, expires_at: daysAgo(-10), is_revoked: true, revoked_at: daysAgo(5) }),
    await refresh(sql, { expires_at: daysAgo(-30) }),
    await make('password_reset_tokens')(sql, {
      created_at: created,
      expires_at: daysAgo(29),
      used: true,
      used_at: daysAgo(29),
    }),
    await make('email_verification_tokens')(sql, { expires_at: daysAgo(-1) }),
  ];
  const ids = async () =>
    (
      await sql`
      SELECT id FROM refresh_tokens UNION ALL SELECT id FROM password_reset_tokens
      UNION ALL SELECT id FROM email_verification_tokens`
    ).map((row) => row.id as string);

  const dry = await runJob(retentionSessions, { db, dataDir: '/nonexistent', dryRun: true, triggeredBy: 'manual' });
  assert.deepEqual(dry.rowsByTable, { refresh_tokens: 2, password_reset_tokens: 2, email_verification_tokens: 2 });
  assert.equal((await ids()).length, gone.length + kept.length, 'a dry run changes nothing');

  const first = await runJob(retentionSessions, { db, dataDir: '/nonexistent', triggeredBy: 'manual' });
  assert.equal(first.status, 'succeeded');
  assert.deepEqual(first.rowsByTable, { refresh_tokens: 2, password_reset_tokens: 2, email_verification_tokens: 2 });
  assert.deepEqual((await ids()).sort(), kept.map((row) => row.id as string).sort());

  const second = await runJob(retentionSessions, { db, dataDir: '/nonexistent', triggeredBy: 'manual' });
  assert.deepEqual(second.rowsByTable, { refresh_tokens: 0, password_reset_tokens: 0, email_verification_tokens: 0 });

  const runs =
    await sql`SELECT status, dry_run, rows_by_table, finished_at FROM job_runs WHERE job_name = 'retention.sessions' ORDER BY started_at`;
  assert.deepEqual(
    runs.map((run) => [run.status, run.dry_run, run.rows_by_table.refresh_tokens, run.finished_at instanceof Date]),
    [
      ['succeeded', true, 2, true],
      ['succeeded', false, 2, true],
      ['succeeded', false, 0, true],
    ],
  );
});
