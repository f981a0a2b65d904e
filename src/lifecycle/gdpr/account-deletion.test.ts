import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Sql } from 'postgres';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { loadTableRegistry } from '../table-registry.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { accountsAnonymise } from '../jobs/accounts-anonymise.ts';
import { ERASURE_OVERRIDES, HIDE_BATCH_SIZE, loadAccountPlan, requestAccountDeletion } from './account-deletion.ts';
import { exportUserData, userExportDirectory } from './export.ts';

const database = useMigratedDatabase();
const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(`no factory for ${table}`);
  return factory;
};
const deletedAt = async (sql: Sql, table: string, id: unknown) =>
  (await sql`SELECT deleted_at FROM ${sql(table)} WHERE id = ${id as string}`)[0]?.deleted_at as Date | null;

describe('account deletion request (§19.3 step 1, ADR 0019)', () => {
  test('the plan decides every foreign key to users, from the registry and the key’s ON DELETE', async () => {
    const { sql, db } = database.current;
    const plan = await loadAccountPlan(db);
    const registry = loadTableRegistry();
    const [{ n } = { n: 0 }] = await sql`
      SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND confrelid = 'users'::regclass AND conparentid = 0`;
    assert.equal(plan.erasure.length, n, 'one step per foreign key to users');
    for (const step of plan.erasure) {
      const policy = registry[step.table]?.retention.policy;
      if (policy === 'legal_hold') assert.equal(step.action, 'keep', `${step.table}: legal hold (ADR 0005)`);
      if (policy === 'until_deleted_by_user') assert.equal(step.action, 'content', step.table);
      if (policy === 'until_account_deletion' && step.action !== 'keep') assert.equal(step.action, 'delete');
    }
    for (const key of Object.keys(ERASURE_OVERRIDES)) {
      assert.ok(
        plan.erasure.some((s) => `${s.table}.${s.column}` === key),
        `${key} is not a foreign key to users`,
      );
    }
    const decided = Object.fromEntries(plan.erasure.map((s) => [`${s.table}.${s.column}`, s.action]));
    assert.deepEqual(
      [
        decided['orders.user_id'],
        decided['transactions.user_id'],
        decided['follows.following_id'],
        decided['playback_history.user_id'],
        decided['messages.sender_id'],
        decided['user_profiles.user_id'],
        decided['moderation_reports.reporter_id'],
        decided['playlist_tracks.added_by'],
      ],
      ['keep', 'keep', 'delete', 'detach', 'content', 'delete', 'detach', 'keep'],
    );
  });

  test('soft delete: no login, tokens revoked, every kind of public content hidden at once; shared spaces stay', async () => {
    const { sql, db } = database.current;
    const user = await make('users')(sql);
    const other = await make('users')(sql);
    const plan = await loadAccountPlan(db);

    // One row of every content table through each of its user columns (a new content table is covered too).
    const content: { table: string; id: unknown }[] = [];
    for (const { table, column } of plan.content) {
      const row = await make(table)(sql, { [column]: user.id });
      content.push({ table, id: row.id });
    }
    const enrolment = await make('course_enrollments')(sql, { user_id: user.id });
    const certificate = await make('certificates')(sql, { enrollment_id: enrolment.id });
    const sharedGroup = await make('groups')(sql, { creator_id: user.id });
    await make('group_members')(sql, { group_id: sharedGroup.id, user_id: other.id, status: 'active' });
    const sharedRoom = await make('rooms')(sql, { creator_id: user.id });
    await make('room_members')(sql, { room_id: sharedRoom.id, user_id: other.id });
    // Migration 0053's triggers wrote the search documents of the group and of the profile (ADR 0087).
    const [groupDocument] = await sql`
      SELECT id FROM search_index WHERE entity_type = 'group' AND entity_id = ${sharedGroup.id as string}`;
    const [profileDocument] = await sql`
      SELECT id FROM search_index WHERE entity_type = 'user' AND entity_id = ${user.id as string}`;
    const earlier = new Date('2025-01-02T03:04:05Z');
    const deletedBefore = await make('posts')(sql, { user_id: user.id, deleted_at: earlier });
    const othersTrack = await make('tracks')(sql, { creator_id: other.id });
    const refresh = await make('refresh_tokens')(sql, { user_id: user.id });
    const reset = await make('password_reset_tokens')(sql, { user_id: user.id });
    const [before] = await sql`SELECT token_version FROM users WHERE id = ${user.id as string}`;

    const request = await requestAccountDeletion(db, user.id as string, { actorId: user.id as string });
    assert.equal(request.alreadyDeleted, false);
    const [after] = await sql`SELECT deleted_at, is_active, token_version FROM users WHERE id = ${user.id as string}`;
    assert.deepEqual(after?.deleted_at, request.deletedAt);
    assert.equal(after?.is_active, false);
    assert.equal(after?.token_version, (before?.token_version as number) + 1, 'issued JWTs stop working');
    const [token] = await sql`SELECT is_revoked, revoked_reason FROM refresh_tokens WHERE id = ${refresh.id as string}`;
    assert.deepEqual([token?.is_revoked, token?.revoked_reason], [true, 'account_deleted']);
    assert.equal(request.revokedRefreshTokens, 1);
    assert.equal((await sql`SELECT 1 FROM password_reset_tokens WHERE id = ${reset.id as string}`).length, 0);

    for (const { table, id } of content) {
      if (table === 'groups' || table === 'rooms') continue;
      assert.deepEqual(await deletedAt(sql, table, id), request.deletedAt, `${table} ${String(id)} is hidden`);
    }
    // A group or room with no other member is hidden; one others use stays, with its search document.
    for (const { table, id } of content.filter((c) => c.table === 'groups' || c.table === 'rooms')) {
      assert.deepEqual(await deletedAt(sql, table, id), request.deletedAt, `${table} used by nobody else`);
    }
    assert.equal(await deletedAt(sql, 'groups', sharedGroup.id), null);
    assert.equal(await deletedAt(sql, 'rooms', sharedRoom.id), null);
    assert.equal(await deletedAt(sql, 'search_index', groupDocument!.id), null);
    assert.deepEqual(await deletedAt(sql, 'search_index', profileDocument!.id), request.deletedAt);
    assert.deepEqual(await deletedAt(sql, 'certificates', certificate.id), request.deletedAt);
    assert.deepEqual(await deletedAt(sql, 'posts', deletedBefore.id), earlier, 'earlier deletions keep their date');
    assert.equal(await deletedAt(sql, 'tracks', othersTrack.id), null, 'others’ content untouched');

    const [audit] = await sql`
      SELECT user_id FROM audit_logs WHERE table_name = 'users' AND record_id = ${user.id as string} AND operation = 'UPDATE'`;
    assert.equal(audit?.user_id, user.id, 'the audit trail names the acting user');
  });

  test('idempotent: a second request changes nothing; unknown and malformed ids are refused', async () => {
    const { sql, db } = database.current;
    const user = await make('users')(sql);
    await make('tracks')(sql, { creator_id: user.id });
    const first = await requestAccountDeletion(db, user.id as string);
    const snapshot = async () =>
      sql`SELECT to_jsonb(u)::text AS u, (SELECT json_agg(t ORDER BY id)::text FROM tracks t) AS t,
                 (SELECT count(*) FROM audit_logs) AS audits
          FROM users u WHERE id = ${user.id as string}`;
    const before = await snapshot();
    const second = await requestAccountDeletion(db, user.id as string);
    assert.equal(second.alreadyDeleted, true);
    assert.deepEqual(second.deletedAt, first.deletedAt);
    assert.deepEqual(await snapshot(), before);

    await assert.rejects(
      requestAccountDeletion(db, '00000000-0000-4000-8000-000000000000'),
      /no user with id 00000000-0000-4000-8000-000000000000/,
    );
    await assert.rejects(requestAccountDeletion(db, 'bob'), /"bob" is not a user id/);
  });

  test('content is hidden in batches (counters stay right), and an interrupted request is completed by a second one or by the job', async () => {
    const { sql, db } = database.current;
    const user = await make('users')(sql);
    const room = await make('rooms')(sql);
    const many = HIDE_BATCH_SIZE * 2 + 500;
    await sql`
      INSERT INTO messages (room_id, sender_id, content)
      SELECT ${room.id as string}, ${user.id as string}, 'message ' || i FROM generate_series(1, ${many}) i`;
    const visible = async () =>
      (
        await sql`SELECT count(*)::int AS n FROM messages WHERE sender_id = ${user.id as string} AND deleted_at IS NULL`
      )[0]?.n;
    const request = await requestAccountDeletion(db, user.id as string);
    assert.equal(request.hidden.messages, many);
    assert.equal(await visible(), 0);
    const [counter] = await sql`SELECT message_count FROM rooms WHERE id = ${room.id as string}`;
    assert.equal(counter?.message_count, 0, 'the room’s counter followed every batch');

    // Interrupted after the account row was deleted, before its content was hidden (or content racing in).
    const late = await make('posts')(sql, { user_id: user.id });
    const again = await requestAccountDeletion(db, user.id as string);
    assert.equal(again.alreadyDeleted, true);
    assert.equal(again.hidden.posts, 1);
    assert.deepEqual(await deletedAt(sql, 'posts', late.id), request.deletedAt);

    const later = await make('tracks')(sql, { creator_id: user.id });
    const run = await runJob(accountsAnonymise, { db, dataDir: '/nonexistent', triggeredBy: 'manual' });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.rowsByTable.tracks, 1, 'the daily job completes it too');
    assert.deepEqual(await deletedAt(sql, 'tracks', later.id), request.deletedAt);
    assert.equal(run.rowsByTable.users ?? 0, 0, 'not anonymised before 30 days');
  });

  test('the deletion request removes the person’s export archives, and only theirs', async () => {
    const { sql, db } = database.current;
    const dataDir = await mkdtemp(join(tmpdir(), 'veza-deletion-test-'));
    try {
      const [leaving, staying] = [await make('users')(sql), await make('users')(sql)];
      const archive = await exportUserData(db, leaving.id as string, dataDir);
      await exportUserData(db, staying.id as string, dataDir);
      // A staging directory an interrupted export left behind holds their data as well.
      await mkdir(join(userExportDirectory(dataDir, leaving.id as string), '.staging-interrupted'));
      await writeFile(join(userExportDirectory(dataDir, leaving.id as string), '.staging-interrupted', 'x.csv'), 'x');
      assert.ok((await readdir(userExportDirectory(dataDir, leaving.id as string))).length === 2, archive.path);

      await requestAccountDeletion(db, leaving.id as string, { dataDir });
      assert.deepEqual(await readdir(join(dataDir, 'exports')), [staying.id], 'only the deleted account’s went');
      assert.equal((await readdir(userExportDirectory(dataDir, staying.id as string))).length, 1);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
