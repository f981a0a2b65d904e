// Statistics exports end to end (issue 18 §8; ADR 0094): a request is pending, the job makes the file, its figures
// are those of the aggregates with small cells suppressed, only the requester downloads it, and expiry deletes it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { storageForDataDir } from '../files/index.ts';
import { REPORT_TTL_DAYS } from './reports.jobs.ts';
import {
  administrator,
  as,
  expireReports,
  generateReports,
  person,
  TEST_DATA_DIR,
  track,
  type Person,
  type ReportView,
} from './reports.test-support.ts';

const testApp = useTestApp();
const NOW = new Date('2026-04-01T10:00:00Z');

async function requestReport(t: TestApp, who: Person, body: Record<string, unknown>) {
  return as(t, who)('POST', '/v1/analytics/reports', { period_start: '2026-03-01', period_end: '2026-03-31', ...body });
}

async function download(t: TestApp, who: Person | null, report: ReportView) {
  return as(t, who)('GET', `/v1/analytics/reports/${report.id}/download`);
}

/** A creator with two tracks and a month of aggregates, and another creator whose figures must never show. */
async function creatorWithFigures(t: TestApp) {
  const creator = await person(t);
  const a = await track(t, creator.id, { title: 'Aube claire' });
  const b = await track(t, creator.id, { title: 'Brume' });
  const stranger = await track(t, (await person(t)).id, { title: 'Not yours' });
  const add = (values: Record<string, unknown>) => allFactories.track_analytics!(t.database.sql, values);
  // 7 listeners: every figure printed.
  await add({
    track_id: a.id,
    day: '2026-03-02',
    play_count: 12,
    unique_listeners: 7,
    total_played_seconds: 1500,
    completion_percentage_sum: 900,
    like_count: 6,
    share_count: 0,
    download_count: 5,
  });
  // 3 listeners: the plays, listeners, seconds and completion of that day would describe 3 people.
  await add({
    track_id: a.id,
    day: '2026-03-03',
    play_count: 4,
    unique_listeners: 3,
    total_played_seconds: 400,
    completion_percentage_sum: 200,
    like_count: 0,
    share_count: 0,
    download_count: 0,
  });
  // 5 listeners (k itself: printed), but 2 likes: 2 people.
  await add({
    track_id: b.id,
    day: '2026-03-02',
    play_count: 9,
    unique_listeners: 5,
    total_played_seconds: 800,
    completion_percentage_sum: 450,
    like_count: 2,
    share_count: 5,
    download_count: 0,
  });
  // Outside the period.
  await add({ track_id: b.id, day: '2026-04-02', play_count: 50, unique_listeners: 40 });
  await add({ track_id: stranger.id, day: '2026-03-02', play_count: 77, unique_listeners: 70 });
  return { creator, a, b };
}

test('a CSV report goes pending → completed and holds exactly the creator’s figures, small cells suppressed', async () => {
  const t = testApp.current;
  const { creator, a, b } = await creatorWithFigures(t);
  const asked = await requestReport(t, creator, { report_type: 'track_performance', format: 'csv' });
  assert.equal(asked.statusCode, 202, asked.body);
  const pending = asked.json<ReportView>();
  assert.equal(pending.status, 'pending');
  assert.equal(pending.download_url, null);
  assert.equal((await download(t, creator, pending)).statusCode, 409, 'no file before the job ran');

  const run = await generateReports(t, NOW);
  assert.equal(run.rowsByTable.reports, 1);
  const done = (await as(t, creator)('GET', `/v1/analytics/reports/${pending.id}`)).json<ReportView>();
  assert.equal(done.status, 'completed');
  assert.equal(done.generated_at, NOW.toISOString());
  assert.equal(done.expires_at, new Date(NOW.getTime() + REPORT_TTL_DAYS * 86_400_000).toISOString());
  assert.equal(done.download_url, `/v1/analytics/reports/${pending.id}/download`);

  const file = await download(t, creator, done);
  assert.equal(file.statusCode, 200, file.body);
  assert.match(String(file.headers['content-type']), /^text\/csv/);
  assert.match(
    String(file.headers['content-disposition']),
    /attachment; filename="track-performance-2026-03-01-2026-03-31\.csv"/,
  );
  assert.match(String(file.headers['cache-control']), /private|no-store/);
  const rows = parse<Record<string, string>>(file.body, { columns: true });
  assert.deepEqual(rows, [
    {
      day: '2026-03-02',
      track_id: a.id,
      track_title: 'Aube claire',
      plays: '12',
      unique_listeners: '7',
      played_seconds: '1500',
      avg_completion_percent: '75.00',
      likes: '6',
      shares: '0',
      downloads: '5',
    },
    {
      day: '2026-03-02',
      track_id: b.id,
      track_title: 'Brume',
      plays: '9',
      unique_listeners: '5',
      played_seconds: '800',
      avg_completion_percent: '50.00',
      likes: 'suppressed',
      shares: '5',
      downloads: '0',
    },
    {
      day: '2026-03-03',
      track_id: a.id,
      track_title: 'Aube claire',
      plays: 'suppressed',
      unique_listeners: 'suppressed',
      played_seconds: 'suppressed',
      avg_completion_percent: 'suppressed',
      likes: '0',
      shares: '0',
      downloads: '0',
    },
  ]);

  // The file is a private file of the requester's, not a public one.
  const [stored] = await t.database.sql`
    SELECT f.user_id, f.is_public, f.mime_type FROM reports r JOIN files f ON f.id = r.file_id WHERE r.id = ${done.id}`;
  assert.deepEqual({ ...stored }, { user_id: creator.id, is_public: false, mime_type: 'text/csv' });

  // Nobody else downloads it, nor sees it: another user, an administrator, a visitor.
  assert.equal((await download(t, await person(t), done)).statusCode, 404);
  assert.equal((await download(t, await administrator(t), done)).statusCode, 404);
  assert.equal((await download(t, null, done)).statusCode, 401);
  const others = (await as(t, await person(t))('GET', '/v1/analytics/reports')).json<{ items: unknown[] }>();
  assert.deepEqual(others.items, []);

  // A second run finds nothing to do.
  assert.equal((await generateReports(t, NOW)).rowsByTable.reports ?? 0, 0);
});

test('a PDF report reads back (pdftotext) with the same figures and the suppression rule printed', async () => {
  const t = testApp.current;
  const { creator } = await creatorWithFigures(t);
  const asked = (
    await requestReport(t, creator, { report_type: 'track_performance', format: 'pdf', title: 'March export' })
  ).json<ReportView>();
  await generateReports(t, NOW);
  const file = await download(t, creator, asked);
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'application/pdf');
  const dir = await mkdtemp(join(tmpdir(), 'veza-report-pdf-'));
  try {
    await writeFile(join(dir, 'r.pdf'), file.rawPayload);
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', join(dir, 'r.pdf'), '-']);
    assert.match(stdout, /March export/);
    assert.match(stdout, /Period: 2026-03-01 to 2026-03-31/);
    assert.match(stdout, /fewer than 5 distinct listeners read "suppressed"/);
    const line = (day: string, title: string) =>
      stdout
        .split('\n')
        .find((l) => l.includes(day) && l.includes(title))
        ?.replace(/\s+/g, ' ') ?? '';
    assert.match(line('2026-03-02', 'Aube claire'), / 12 7 1500 75\.00 6 0 5$/);
    assert.match(line('2026-03-03', 'Aube claire'), / suppressed suppressed suppressed suppressed 0 0 0$/);
    assert.doesNotMatch(stdout, /Not yours/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('expiry deletes the file (row and bytes) and the report answers 410; deleting a report deletes its file', async () => {
  const t = testApp.current;
  const { creator } = await creatorWithFigures(t);
  const first = (
    await requestReport(t, creator, { report_type: 'track_performance', format: 'csv' })
  ).json<ReportView>();
  const second = (
    await requestReport(t, creator, { report_type: 'track_performance', format: 'pdf' })
  ).json<ReportView>();
  await generateReports(t, NOW);
  const fileOf = async (id: string) =>
    (
      await t.database
        .sql`SELECT f.id, f.storage_path FROM reports r JOIN files f ON f.id = r.file_id WHERE r.id = ${id}`
    )[0];
  const storage = storageForDataDir(TEST_DATA_DIR);
  const stored = await fileOf(first.id);
  assert.ok(stored && (await storage.stat(String(stored.storage_path))), 'the bytes are stored');

  const expiresAt = new Date(NOW.getTime() + REPORT_TTL_DAYS * 86_400_000);
  // A second before the expiry nothing happens.
  assert.equal((await expireReports(t, new Date(expiresAt.getTime() - 1000))).rowsByTable.reports ?? 0, 0);
  assert.equal((await download(t, creator, first)).statusCode, 200);
  const [due] = await t.database.sql`
    SELECT count(*)::int AS n FROM reports WHERE status = 'completed' AND expires_at <= ${expiresAt}`;
  assert.ok(Number(due?.n) >= 2);
  const expired = await expireReports(t, expiresAt);
  assert.equal(expired.rowsByTable.reports, due?.n);
  const [row] = await t.database.sql`SELECT status, file_id FROM reports WHERE id = ${first.id}`;
  assert.deepEqual({ ...row }, { status: 'expired', file_id: null });
  assert.equal((await t.database.sql`SELECT 1 FROM files WHERE id = ${String(stored?.id)}`).length, 0);
  assert.equal(await storage.stat(String(stored?.storage_path)), null, 'the bytes are gone');
  const gone = await download(t, creator, first);
  assert.equal(gone.statusCode, 410);
  assert.equal(gone.json<{ code: string }>().code, 'REPORT_EXPIRED');
  assert.equal((await expireReports(t, expiresAt)).rowsByTable.reports ?? 0, 0, 'idempotent');

  // Deleting: the report and whatever file it has.
  const third = (
    await requestReport(t, creator, { report_type: 'track_performance', format: 'csv' })
  ).json<ReportView>();
  await generateReports(t, NOW);
  const thirdFile = await fileOf(third.id);
  assert.equal((await as(t, await person(t))('DELETE', `/v1/analytics/reports/${third.id}`)).statusCode, 404);
  assert.equal((await as(t, creator)('DELETE', `/v1/analytics/reports/${third.id}`)).statusCode, 204);
  assert.equal((await t.database.sql`SELECT 1 FROM files WHERE id = ${String(thirdFile?.id)}`).length, 0);
  assert.equal(await storage.stat(String(thirdFile?.storage_path)), null);
  assert.equal(
    (await as(t, creator)('GET', `/v1/analytics/reports/${second.id}`)).json<ReportView>().status,
    'expired',
  );
});

test('a report deleted while it is generated leaves no file behind', async () => {
  const t = testApp.current;
  const { creator } = await creatorWithFigures(t);
  const asked = (
    await requestReport(t, creator, { report_type: 'track_performance', format: 'csv' })
  ).json<ReportView>();
  const filesBefore = (await t.database.sql`SELECT count(*)::int AS n FROM files WHERE user_id = ${creator.id}`)[0]?.n;
  // The job took it (processing) and the requester deletes it before it is completed.
  await t.database.sql`UPDATE reports SET status = 'processing', started_at = ${NOW} WHERE id = ${asked.id}`;
  assert.equal((await as(t, creator)('DELETE', `/v1/analytics/reports/${asked.id}`)).statusCode, 204);
  assert.equal((await generateReports(t, new Date(NOW.getTime() + 60_000))).rowsByTable.reports ?? 0, 0);
  const filesAfter = (await t.database.sql`SELECT count(*)::int AS n FROM files WHERE user_id = ${creator.id}`)[0]?.n;
  assert.equal(filesAfter, filesBefore);
});

test('platform reports are for administrators; creators get 403 and no row', async () => {
  const t = testApp.current;
  const user = await person(t);
  for (const report_type of ['platform_activity', 'user_growth', 'moderation']) {
    const refused = await requestReport(t, user, { report_type, format: 'csv' });
    assert.equal(refused.statusCode, 403, `${report_type}: ${refused.body}`);
  }
  assert.equal((await t.database.sql`SELECT 1 FROM reports WHERE requested_by = ${user.id}`).length, 0);

  const admin = await administrator(t);
  await allFactories.daily_metrics!(t.database.sql, {
    metric_date: '2026-03-05',
    metric_name: 'events',
    dimension: 'event_type',
    dimension_value: 'page_view',
    value: 4321,
  });
  await allFactories.users!(t.database.sql, { created_at: new Date('2026-03-06T10:00:00Z') });
  await allFactories.moderation_actions!(t.database.sql, {
    created_at: new Date('2026-03-07T10:00:00Z'),
  });
  for (const report_type of ['user_growth', 'moderation']) {
    const other = (await requestReport(t, admin, { report_type, format: 'csv' })).json<ReportView>();
    await generateReports(t, NOW);
    const body = (await download(t, admin, other)).body;
    const rows = parse<Record<string, string>>(body, { columns: true });
    const expected =
      report_type === 'user_growth'
        ? { day: '2026-03-06', metric: 'signups', breakdown: 'user', value: '1', unit: 'count' }
        : { day: '2026-03-07', metric: 'moderation_actions', breakdown: 'hide_content', value: '1', unit: 'count' };
    assert.deepEqual(rows, [expected], body);
  }
  const asked = await requestReport(t, admin, { report_type: 'platform_activity', format: 'csv' });
  assert.equal(asked.statusCode, 202, asked.body);
  await generateReports(t, NOW);
  const file = await download(t, admin, asked.json<ReportView>());
  const rows = parse<Record<string, string>>(file.body, { columns: true });
  assert.ok(
    rows.some(
      (r) =>
        r.day === '2026-03-05' &&
        r.metric === 'events' &&
        r.breakdown === 'event_type=page_view' &&
        r.value === '4321.0000',
    ),
    file.body,
  );
});

test('bad requests: a period backwards or longer than a year, json format, too many waiting: 4xx naming the rule', async () => {
  const t = testApp.current;
  const user = await person(t);
  const backwards = await requestReport(t, user, {
    report_type: 'sales',
    format: 'csv',
    period_start: '2026-03-10',
    period_end: '2026-03-01',
  });
  assert.equal(backwards.statusCode, 422);
  assert.equal(backwards.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.period_end');
  const long = await requestReport(t, user, {
    report_type: 'sales',
    format: 'csv',
    period_start: '2025-01-01',
    period_end: '2026-01-02',
  });
  assert.equal(long.statusCode, 422);
  const json = await requestReport(t, user, { report_type: 'sales', format: 'json' });
  assert.equal(json.statusCode, 400);
  assert.equal(json.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.format');
  for (let i = 0; i < 5; i += 1)
    assert.equal((await requestReport(t, user, { report_type: 'sales', format: 'csv' })).statusCode, 202);
  const sixth = await requestReport(t, user, { report_type: 'sales', format: 'csv' });
  assert.equal(sixth.statusCode, 409);
  assert.equal(sixth.json<{ code: string }>().code, 'REPORTS_PENDING_LIMIT');
  assert.equal((await t.database.sql`SELECT 1 FROM reports WHERE requested_by = ${user.id}`).length, 5);
});

test('a sales report counts paid lines per day and product, and suppresses days of fewer than 5 buyers', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const seller = await person(t);
  const product = await allFactories.products!(sql, { seller_id: seller.id, name: 'Dusty loops' });
  const sell = async (buyer: string, paidAt: string | null, status = 'paid', sellerId = seller.id) => {
    const order = await allFactories.orders!(sql, { user_id: buyer, status, paid_at: paidAt, currency: 'EUR' });
    await allFactories.order_items!(sql, {
      order_id: order.id,
      product_id: product.id,
      product_name: 'Dusty loops',
      seller_id: sellerId,
      price: '19.99',
    });
  };
  const buyers = await Promise.all(Array.from({ length: 5 }, () => person(t)));
  for (const buyer of buyers) await sell(buyer.id, '2026-03-04T12:00:00Z');
  await sell(buyers[0]!.id, '2026-03-04T23:59:59Z'); // a sixth unit, same 5 buyers
  await sell(buyers[1]!.id, null, 'pending'); // not paid: not a sale
  await sell(buyers[1]!.id, '2026-03-05T08:00:00Z');
  await sell(buyers[2]!.id, '2026-03-05T09:00:00Z');
  const asked = (await requestReport(t, seller, { report_type: 'sales', format: 'csv' })).json<ReportView>();
  await generateReports(t, NOW);
  const file = await download(t, seller, asked);
  assert.equal(file.statusCode, 200, file.body);
  assert.deepEqual(parse<Record<string, string>>(file.body, { columns: true }), [
    {
      day: '2026-03-04',
      product_id: String(product.id),
      product_name: 'Dusty loops',
      currency: 'EUR',
      units: '6',
      buyers: '5',
      gross: '119.94',
    },
    {
      day: '2026-03-05',
      product_id: String(product.id),
      product_name: 'Dusty loops',
      currency: 'EUR',
      units: 'suppressed',
      buyers: 'suppressed',
      gross: 'suppressed',
    },
  ]);
  // The buyers' own exports hold none of it.
  const theirs = (await requestReport(t, buyers[0]!, { report_type: 'sales', format: 'csv' })).json<ReportView>();
  await generateReports(t, NOW);
  assert.equal(
    (await download(t, buyers[0]!, theirs)).body.trim(),
    'day,product_id,product_name,currency,units,buyers,gross',
  );
});
