// The admin views (issue 18 §15; ADR 0096): job runs and retention runs with filters and pages, pending GDPR exports
// and deletions as the lifecycle jobs see them, and the account list searched by name or email.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { account, caller } from './configs.test-support.ts';

const testApp = useTestApp();

async function asAdmin() {
  const t = testApp.current;
  return caller(t.app, await account(t.database.sql, t.accessTokens, 'admin'));
}

test('job runs newest first, filtered by job and status, paged; retention runs are the retention jobs only', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const runs: [string, string, string][] = [
    ['retention.sessions', 'succeeded', '2026-01-01T03:00:00Z'],
    ['gdpr.exports', 'failed', '2026-01-01T04:00:00Z'],
    ['accounts.anonymise', 'succeeded', '2026-01-01T05:00:00Z'],
    ['retention.content', 'running', '2026-01-01T06:00:00Z'],
    ['partitions.maintain', 'succeeded', '2026-01-01T07:00:00Z'],
  ];
  for (const [job, status, at] of runs) {
    await sql`
      INSERT INTO job_runs (job_name, triggered_by, status, started_at, finished_at, created_at, rows_by_table, error_message)
      VALUES (${job}, 'schedule', ${status}, ${at}, ${status === 'running' ? null : at}, ${at},
              ${sql.json({ sessions: 3 })}, ${status === 'failed' ? 'disk full' : null})`;
  }
  const as = await asAdmin();
  type Page = {
    items: { job_name: string; status: string; rows_by_table: unknown; error_message: string | null }[];
    next_cursor: string | null;
  };
  const all = (await as('GET', '/v1/admin/job-runs')).json<Page>();
  assert.deepEqual(
    all.items.map((run) => run.job_name),
    ['partitions.maintain', 'retention.content', 'accounts.anonymise', 'gdpr.exports', 'retention.sessions'],
  );
  assert.deepEqual(all.items[3], {
    ...all.items[3],
    status: 'failed',
    rows_by_table: { sessions: 3 },
    error_message: 'disk full',
  });
  const failed = (await as('GET', '/v1/admin/job-runs?status=failed')).json<Page>();
  assert.deepEqual(
    failed.items.map((run) => run.job_name),
    ['gdpr.exports'],
  );
  const named = (await as('GET', '/v1/admin/job-runs?job_name=retention.sessions')).json<Page>();
  assert.deepEqual(
    named.items.map((run) => run.job_name),
    ['retention.sessions'],
  );
  const retention = (await as('GET', '/v1/admin/retention-runs')).json<Page>();
  assert.deepEqual(
    retention.items.map((run) => run.job_name),
    ['retention.content', 'accounts.anonymise', 'retention.sessions'],
  );
  const first = (await as('GET', '/v1/admin/job-runs?limit=2')).json<Page>();
  assert.equal(first.items.length, 2);
  const second = (await as('GET', `/v1/admin/job-runs?limit=2&cursor=${first.next_cursor}`)).json<Page>();
  assert.deepEqual(
    second.items.map((run) => run.job_name),
    ['accounts.anonymise', 'gdpr.exports'],
  );
  assert.equal((await as('GET', '/v1/admin/job-runs?cursor=bogus')).statusCode, 400);
  assert.equal((await as('GET', '/v1/admin/job-runs?status=exploded')).statusCode, 400);
});

test('pending GDPR exports and deletions: what the gdpr.exports and accounts.anonymise jobs have left to do', async () => {
  const t = testApp.current;
  const { sql, accessTokens } = { sql: t.database.sql, accessTokens: t.accessTokens };
  const waiting = await account(sql, accessTokens, 'user', { export_requested_at: new Date('2026-02-01T00:00:00Z') });
  const again = await account(sql, accessTokens, 'user', {
    export_requested_at: new Date('2026-02-03T00:00:00Z'),
    exported_at: new Date('2026-01-15T00:00:00Z'),
  });
  await account(sql, accessTokens, 'user', {
    export_requested_at: new Date('2026-01-01T00:00:00Z'),
    exported_at: new Date('2026-01-02T00:00:00Z'),
  });
  const leaving = await account(sql, accessTokens, 'user', { deleted_at: new Date('2026-03-01T12:00:00Z') });
  const gone = await account(sql, accessTokens, 'user', { deleted_at: new Date('2025-01-01T00:00:00Z') });
  await sql`UPDATE users SET email = 'deleted_' || id::text || '@anonymized.local' WHERE id = ${gone.id}`;
  const as = await asAdmin();
  const exports = (await as('GET', '/v1/admin/gdpr/exports')).json<{ total: number; items: { user_id: string }[] }>();
  assert.equal(exports.total, 2);
  assert.deepEqual(
    exports.items.map((item) => item.user_id),
    [waiting.id, again.id],
  );
  assert.equal((await as('GET', '/v1/admin/gdpr/exports?limit=1')).json<{ items: unknown[] }>().items.length, 1);
  const deletions = (await as('GET', '/v1/admin/gdpr/deletions')).json<{
    total: number;
    items: { user_id: string; deleted_at: string; anonymise_after: string }[];
  }>();
  assert.equal(deletions.total, 1);
  assert.deepEqual(deletions.items, [
    {
      ...deletions.items[0],
      user_id: leaving.id,
      deleted_at: '2026-03-01T12:00:00.000Z',
      anonymise_after: '2026-03-31T12:00:00.000Z',
    },
  ]);
  assert.equal((await as('GET', '/v1/admin/gdpr/deletions?limit=501')).statusCode, 400);
});

test('the account list: search by username, email or display name, filters by role and ban, wildcards taken literally', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const as = await asAdmin();
  const zoe = await account(sql, t.accessTokens, 'creator', { username: 'zoe_beats', display_name: 'Zoé Martin' });
  const banned = await account(sql, t.accessTokens, 'user', { email: 'spam.bot@zmail.test', is_banned: true });
  const percent = await account(sql, t.accessTokens, 'user', { display_name: '100% Pure' });
  type Page = { items: { id: string; role: string; is_banned: boolean; email: string }[] };
  const ids = async (query: string) =>
    (await as('GET', `/v1/admin/users?${query}`)).json<Page>().items.map((u) => u.id);
  assert.deepEqual(await ids('q=ZOE_B'), [zoe.id]);
  assert.deepEqual(await ids('q=zoé'), [zoe.id]);
  assert.deepEqual(await ids('q=spam.bot%40zmail'), [banned.id]);
  assert.deepEqual(await ids('q=spam&banned=true'), [banned.id]);
  assert.deepEqual(await ids('q=spam&banned=false'), []);
  assert.deepEqual(await ids('q=zoe&role=creator'), [zoe.id]);
  assert.deepEqual(await ids('q=zoe&role=user'), []);
  assert.deepEqual(await ids('q=100%25'), [percent.id]);
  // "%" and "_" match themselves only: "_" would otherwise match every username with a character there.
  assert.ok(!(await ids('q=%25')).includes(zoe.id));
  const listed = (await as('GET', `/v1/admin/users?q=spam`)).json<Page>().items[0];
  assert.deepEqual({ role: listed?.role, is_banned: listed?.is_banned }, { role: 'user', is_banned: true });
  await sql`UPDATE users SET deleted_at = now() WHERE id = ${percent.id}`;
  assert.deepEqual(await ids('q=100%25'), []);
  assert.deepEqual(await ids('q=100%25&include_deleted=true'), [percent.id]);
  assert.equal((await as('GET', '/v1/admin/users?role=root')).statusCode, 400);
  assert.equal((await as('GET', `/v1/admin/users?q=${'x'.repeat(101)}`)).statusCode, 400);
});
