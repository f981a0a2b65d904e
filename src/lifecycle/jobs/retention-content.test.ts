import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { loadTableRegistry } from '../table-registry.ts';
import { contentRules, createRetentionContent, retentionContent, STORAGE_DELETIONS_DIR } from './retention-content.ts';
import { daysAgo, difference, factory, progress, snapshot, type TableDiff } from './retention-test-support.ts';

type Row = Record<string, unknown>;

const database = useMigratedDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'veza-retention-content-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const run = (dryRun = false, job = retentionContent, log?: (line: string) => void) =>
  runJob(job, { db: database.current.db, dataDir, dryRun, triggeredBy: 'manual', log });

const registry = loadTableRegistry();
const rules = contentRules(registry);
const limitOf = (table: string) => registry[table]?.retention.maxAgeDays ?? 0;
const AUDITED = new Set([
  'orders',
  'order_items',
  'transactions',
  'seller_payouts',
  'discount_codes',
  'moderation_reports',
  'moderation_actions',
]);

test('the job takes every registry rule it should, and no table another job enforces', () => {
  const byAction = (action: string) =>
    rules
      .filter((entry) => entry.action === action)
      .map((entry) => entry.table)
      .sort();
  assert.deepEqual(byAction('anonymise'), ['track_downloads']);
  const deleted = byAction('delete');
  for (const table of [
    'messages',
    'direct_messages',
    'files',
    'products',
    'courses',
    'orders',
    'notifications',
    'job_runs',
  ]) {
    assert.ok(deleted.includes(table), table);
  }
  for (const table of [
    'login_attempts',
    'refresh_tokens',
    'analytics_events',
    'playback_history',
    'audit_logs',
    'users',
  ]) {
    assert.ok(!deleted.includes(table), table);
  }
});

test('spec §18.1: expired rows of every table go (with their cascades), RESTRICT rows stay, nothing else changes', async () => {
  const { sql } = database.current;
  const gone = new Map<string, Set<string>>();
  const expectGone = (table: string, row: Row) => {
    const ids = gone.get(table) ?? new Set<string>();
    ids.add(row.id as string);
    gone.set(table, ids);
    return row;
  };

  // Every `until_deleted_by_user` table: deleted 31 days ago goes, 29 days ago and not deleted stay.
  for (const { table, rule } of rules) {
    if (rule.policy !== 'until_deleted_by_user') continue;
    const make = factory(table);
    const days = limitOf(table);
    expectGone(table, await make(sql, { deleted_at: daysAgo(days + 1) }));
    await make(sql, { deleted_at: daysAgo(days - 1) });
    await make(sql);
  }
  // Every `fixed_period` delete table: one row past its clock's limit goes, one just inside stays.
  for (const { table, rule, action } of rules) {
    if (rule.policy !== 'fixed_period' || action !== 'delete' || rule.clock === null) continue;
    const make = factory(table);
    const days = limitOf(table);
    expectGone(table, await make(sql, { [rule.clock]: daysAgo(days + 1) }));
    await make(sql, { [rule.clock]: daysAgo(days - 1) });
  }

  // RESTRICT: a sold product, a file a live track plays, a file a buyer paid for, a course with a learner.
  const soldProduct = await factory('products')(sql, { deleted_at: daysAgo(40) });
  await factory('order_items')(sql, {
    product_id: soldProduct.id,
    product_name: 'Sold',
    seller_id: soldProduct.seller_id,
  });
  const playedFile = await factory('files')(sql, { deleted_at: daysAgo(40) });
  await factory('tracks')(sql, { file_id: playedFile.id });
  const purchasedFile = await factory('files')(sql, { deleted_at: daysAgo(40) });
  await factory('order_items')(sql, { download_file_ids: [purchasedFile.id] });
  const learntCourse = await factory('courses')(sql, { deleted_at: daysAgo(40) });
  await factory('course_enrollments')(sql, { course_id: learntCourse.id });
  // ...and a file freed in the same run: its track is purged first.
  const freedFile = expectGone('files', await factory('files')(sql, { deleted_at: daysAgo(40) }));
  const purgedTrack = expectGone(
    'tracks',
    await factory('tracks')(sql, { file_id: freedFile.id, deleted_at: daysAgo(40) }),
  );
  for (const days of [1, 400])
    expectGone(
      'playback_history',
      await factory('playback_history')(sql, { track_id: purgedTrack.id, played_at: daysAgo(days) }),
    );
  expectGone('track_analytics', await factory('track_analytics')(sql, { track_id: purgedTrack.id }));

  // A purged room takes its (live) messages and their reactions; a purged message leaves its reply, unlinked.
  const room = expectGone('rooms', await factory('rooms')(sql, { deleted_at: daysAgo(31) }));
  for (let i = 0; i < 3; i += 1) {
    const message = expectGone('messages', await factory('messages')(sql, { room_id: room.id }));
    expectGone('message_reactions', await factory('message_reactions')(sql, { message_id: message.id }));
  }
  const liveRoom = await factory('rooms')(sql);
  const deletedMessage = expectGone(
    'messages',
    await factory('messages')(sql, { room_id: liveRoom.id, is_deleted: true, deleted_at: daysAgo(31) }),
  );
  expectGone('message_reactions', await factory('message_reactions')(sql, { message_id: deletedMessage.id }));
  const reply = await factory('messages')(sql, { room_id: liveRoom.id, reply_to_id: deletedMessage.id });

  // A moderation report past 24 months, still referenced by a recent action (SET NULL).
  const oldReport = expectGone(
    'moderation_reports',
    await factory('moderation_reports')(sql, { created_at: daysAgo(731) }),
  );
  const action = await factory('moderation_actions')(sql, { report_id: oldReport.id });

  // Legal holds (7 years): an old order goes with its lines, which frees the product it sold.
  const hold = limitOf('orders');
  const oldOrder = expectGone('orders', await factory('orders')(sql, { created_at: daysAgo(hold + 1) }));
  const freedProduct = expectGone('products', await factory('products')(sql, { deleted_at: daysAgo(31) }));
  expectGone(
    'order_items',
    await factory('order_items')(sql, {
      order_id: oldOrder.id,
      product_id: freedProduct.id,
      product_name: 'Old',
      seller_id: freedProduct.seller_id,
      created_at: daysAgo(hold + 1),
    }),
  );
  await factory('orders')(sql, { created_at: daysAgo(hold - 1) });
  expectGone('transactions', await factory('transactions')(sql, { created_at: daysAgo(hold + 1) }));
  await factory('transactions')(sql, { created_at: daysAgo(hold - 1) });
  expectGone('seller_payouts', await factory('seller_payouts')(sql, { created_at: daysAgo(hold + 1) }));
  await factory('seller_payouts')(sql, { created_at: daysAgo(hold - 1) });
  const ended = { valid_from: daysAgo(hold + 100), valid_until: daysAgo(hold + 1) };
  expectGone('discount_codes', await factory('discount_codes')(sql, ended));
  await factory('discount_codes')(sql, { valid_from: daysAgo(hold + 100), valid_until: daysAgo(hold - 1) });
  // A code whose hold is over but with a redemption still under hold: deleting it would cascade into that record.
  const heldCode = await factory('discount_codes')(sql, ended);
  await factory('discount_code_usage')(sql, { discount_code_id: heldCode.id, used_at: daysAgo(hold - 1) });
  const liveCode = await factory('discount_codes')(sql);
  expectGone(
    'discount_code_usage',
    await factory('discount_code_usage')(sql, { discount_code_id: liveCode.id, used_at: daysAgo(hold + 1) }),
  );

  // Anonymised after 12 months: the download stays, counted, without its user.
  const oldDownload = await factory('track_downloads')(sql, { created_at: daysAgo(limitOf('track_downloads') + 1) });
  await factory('track_downloads')(sql, { created_at: daysAgo(limitOf('track_downloads') - 1) });

  const before = await snapshot(sql);
  const lines: string[] = [];
  const dry = await run(true, retentionContent, (line) => lines.push(line));
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  const afterDry = await snapshot(sql);
  assert.deepEqual(Object.keys(difference(before, afterDry)), ['job_runs'], 'a dry run changes nothing but job_runs');
  assert.deepEqual(readdirSync(dataDir), [], 'a dry run writes no file');

  const first = await run();
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.deepEqual(first.rowsByTable, dry.rowsByTable, 'the dry run reports what the run does');
  const changes = difference(afterDry, await snapshot(sql));

  // Exactly the expected rows are gone, in every table.
  const removed = Object.fromEntries(
    Object.entries(changes)
      .filter(([, diff]) => diff.removed.length > 0)
      .map(([table, diff]) => [table, diff.removed]),
  );
  const expected = Object.fromEntries([...gone].map(([table, ids]) => [table, [...ids].sort()]));
  assert.deepEqual(removed, expected);

  // A purged room's messages and a purged track's plays (partitioned) went in batches of their own, before them.
  assert.equal(first.rowsByTable.messages, gone.get('messages')?.size);
  assert.equal(first.rowsByTable.playback_history, 2);

  // RESTRICT rows stay, counted and logged with their reason.
  assert.equal(first.rowsByTable['products:kept'], 1);
  assert.equal(first.rowsByTable['files:kept'], 2);
  assert.equal(first.rowsByTable['courses:kept'], 1);
  assert.equal(first.rowsByTable['discount_codes:kept'], 1);
  for (const reason of [
    'order_items.product_id (fk_order_items_products',
    'tracks.file_id (fk_tracks_files_file',
    'order_items.download_file_ids',
    'course_enrollments.course_id',
    'discount_code_usage.discount_code_id rows still under',
  ]) {
    assert.ok(
      lines.some((line) => line.includes(reason)),
      `logged: ${reason}`,
    );
  }

  // What changed without going: the FKs' SET NULL, the anonymised download, counters kept exact by triggers,
  // the audit trail of audited tables, and the job's own run.
  const changed = (diff: TableDiff | undefined) => diff?.changed ?? {};
  assert.deepEqual(changed(changes.messages), {
    [reply.id as string]: ['reply_to_created_at', 'reply_to_id', 'updated_at'],
  });
  assert.deepEqual(changed(changes.moderation_actions), { [action.id as string]: ['report_id', 'updated_at'] });
  assert.deepEqual(changed(changes.track_downloads), { [oldDownload.id as string]: ['updated_at', 'user_id'] });
  assert.deepEqual(changed(changes.discount_codes), { [liveCode.id as string]: ['updated_at', 'usage_count'] });
  // update_product_review_stats() recomputes the reviewed product's stats on any delete of a review, even of a
  // soft-deleted one that no longer counted: the values stay, updated_at moves (migration 0016's trigger).
  const [purgedReview] = [...(gone.get('product_reviews') ?? [])];
  const reviewedProduct = afterDry.get('product_reviews')?.get(purgedReview ?? '')?.product_id as string;
  assert.deepEqual(changed(changes.products), { [reviewedProduct]: ['updated_at'] });
  const audit =
    await sql`SELECT table_name, operation, record_id FROM audit_logs WHERE id = ANY(${changes.audit_logs?.added ?? []}::uuid[])`;
  for (const entry of audit) {
    assert.ok(AUDITED.has(entry.table_name), entry.table_name);
    const diff = changes[entry.table_name as string];
    const expectedIds = entry.operation === 'DELETE' ? (diff?.removed ?? []) : Object.keys(diff?.changed ?? {});
    assert.ok(
      expectedIds.includes(entry.record_id as string),
      `${entry.operation} ${entry.table_name} ${entry.record_id}`,
    );
  }
  const touched = Object.keys(changes).filter(
    (table) => Object.keys(changes[table]?.changed ?? {}).length > 0 || (changes[table]?.added.length ?? 0) > 0,
  );
  assert.deepEqual(touched.sort(), [
    'audit_logs',
    'discount_codes',
    'job_runs',
    'messages',
    'moderation_actions',
    'products',
    'track_downloads',
  ]);

  // The storage objects of the purged files are listed for the sweeper.
  const [manifest] = readdirSync(join(dataDir, STORAGE_DELETIONS_DIR));
  const listed = readFileSync(join(dataDir, STORAGE_DELETIONS_DIR, manifest ?? ''), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
  assert.deepEqual(listed.map((entry) => entry.file_id).sort(), [...(gone.get('files') ?? [])].sort());
  assert.ok(listed.every((entry) => typeof entry.storage_path === 'string' && entry.storage_path !== ''));

  // A second run changes nothing; what RESTRICT keeps is still kept, and still counted.
  const afterFirst = await snapshot(sql);
  const second = await run();
  assert.equal(second.status, 'succeeded', second.error ?? '');
  for (const [table, rows] of Object.entries(second.rowsByTable)) {
    assert.equal(rows, table.endsWith(':kept') ? first.rowsByTable[table] : 0, table);
  }
  assert.deepEqual(Object.keys(difference(afterFirst, await snapshot(sql))), ['job_runs']);
});

test('content goes in batches, one transaction each, partitioned messages included', async () => {
  const { sql } = database.current;
  for (let i = 0; i < 5; i += 1) await factory('notifications')(sql, { created_at: daysAgo(100 + i) });
  for (let i = 0; i < 3; i += 1)
    await factory('messages')(sql, { deleted_at: daysAgo(31 + i), created_at: daysAgo(40 + i * 200) });
  const lines: string[] = [];
  const result = await run(false, createRetentionContent({ batchSize: 2 }), (line) => lines.push(line));
  assert.equal(result.status, 'succeeded', result.error ?? '');
  assert.deepEqual(progress(lines).notifications, [2, 4, 5]);
  assert.deepEqual(progress(lines).messages, [2, 3]);
});
