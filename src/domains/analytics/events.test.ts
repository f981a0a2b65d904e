// Client-side event ingestion (issue 18 §9; ADR 0094): allow-listed types only, batches all-or-nothing and bounded,
// nothing identifying stored, and the events reach daily_metrics and track_analytics through retention.analytics.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { retentionAnalytics } from '../../lifecycle/jobs/retention-analytics.ts';
import { MAX_EVENTS_PER_BATCH } from './events.schemas.ts';
import { as, person, track } from './reports.test-support.ts';

const testApp = useTestApp();

const send = (events: unknown[], who: Awaited<ReturnType<typeof person>> | null = null) =>
  as(testApp.current, who)('POST', '/v1/analytics/events', { events });

const eventCount = async () =>
  Number((await testApp.current.database.sql`SELECT count(*)::int AS n FROM analytics_events`)[0]?.n);

test('a batch is stored whole, without the account, address or user agent, stamped by the server', async () => {
  const t = testApp.current;
  const user = await person(t);
  const before = await eventCount();
  const answer = await as(t, user)(
    'POST',
    '/v1/analytics/events',
    {
      events: [
        { type: 'page_view', properties: { path: '/discover' }, device_type: 'mobile' },
        { type: 'search', properties: { result_count: 12 } },
        { type: 'share', entity_type: 'track', entity_id: randomUUID(), properties: { channel: 'link' } },
      ],
    },
    { 'user-agent': 'Probe/1.0 (identifying)', 'x-forwarded-for': '203.0.113.9' },
  );
  assert.equal(answer.statusCode, 202, answer.body);
  assert.deepEqual(answer.json(), { accepted: 3 });
  const rows = await t.database.sql`
    SELECT event_type, user_id, device_type, country_code, properties, created_at, event_date::text AS day
    FROM analytics_events ORDER BY event_type`;
  assert.equal(rows.length - before, 3);
  for (const row of rows) {
    assert.equal(row.user_id, null);
    assert.equal(row.country_code, null);
    assert.ok(!JSON.stringify(row).includes('203.0.113.9') && !JSON.stringify(row).includes('Probe/1.0'));
    assert.ok(Math.abs(new Date(String(row.created_at)).getTime() - Date.now()) < 60_000);
  }
  assert.deepEqual(
    rows.map((row) => [row.event_type, row.properties]),
    [
      ['page_view', { path: '/discover' }],
      ['search', { result_count: 12 }],
      ['share', { channel: 'link' }],
    ],
  );
  // Visitors may send them too.
  assert.equal((await send([{ type: 'page_view', properties: { path: '/' } }])).statusCode, 202);
});

test('types with a home of their own, oversize batches and mismatched fields are refused, nothing written', async () => {
  const before = await eventCount();
  for (const type of ['play', 'like', 'follow', 'purchase', 'upload', 'comment']) {
    const refused = await send([{ type: 'page_view' }, { type }]);
    assert.equal(refused.statusCode, 400, type);
    assert.ok(refused.json<{ errors: { field: string }[] }>().errors.some((e) => e.field === 'body.events.1.type'));
  }
  const big = await send(Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => ({ type: 'page_view' })));
  assert.equal(big.statusCode, 400);
  assert.equal(big.json<{ errors: { field: string; rule: string }[] }>().errors[0]?.rule, 'maxItems');
  assert.equal((await send([])).statusCode, 400);
  const full = await send(Array.from({ length: MAX_EVENTS_PER_BATCH }, () => ({ type: 'page_view' })));
  assert.equal(full.statusCode, 202);
  const mismatched = await send([
    { type: 'page_view' },
    { type: 'search', properties: { path: '/x' } },
    { type: 'share', entity_type: 'track' },
  ]);
  assert.equal(mismatched.statusCode, 422);
  assert.deepEqual(
    mismatched.json<{ errors: { field: string }[] }>().errors.map((e) => e.field),
    ['body.events.1.properties.path', 'body.events.2.entity_id'],
  );
  for (const bad of [
    { type: 'search', properties: { query: 'my secret search' } },
    { type: 'page_view', properties: { path: '/u?email=a@b.c' } },
    { type: 'page_view', user_id: randomUUID() },
    { type: 'page_view', created_at: '2020-01-01T00:00:00Z' },
  ])
    assert.equal((await send([bad])).statusCode, 400, JSON.stringify(bad));
  assert.equal(await eventCount(), before + MAX_EVENTS_PER_BATCH);
});

test('ingested events are aggregated by retention.analytics into daily_metrics and track_analytics', async () => {
  const t = testApp.current;
  const creator = await person(t);
  const shared = await track(t, creator.id);
  const before = await eventCount();
  await send([
    { type: 'page_view', properties: { path: '/a' }, device_type: 'web' },
    { type: 'page_view', properties: { path: '/b' }, device_type: 'web' },
    { type: 'search', properties: { result_count: 0 } },
    { type: 'share', entity_type: 'track', entity_id: shared.id },
    { type: 'share', entity_type: 'track', entity_id: shared.id },
    { type: 'download', entity_type: 'track', entity_id: shared.id },
  ]);
  assert.equal(await eventCount(), before + 6);
  // Whatever day the events landed on, the job runs the next day: their day is closed then.
  const days = await t.database.sql`SELECT DISTINCT event_date::text AS day FROM analytics_events ORDER BY 1`;
  const lastDay = String(days.at(-1)?.day);
  const now = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000 + 3_600_000);
  const expected = await t.database.sql`
    SELECT event_type, count(*)::int AS n FROM analytics_events GROUP BY 1`;
  await runJob(retentionAnalytics, { db: t.pool.db, dataDir: '/nonexistent', triggeredBy: 'manual', now });
  const metrics = await t.database.sql`
    SELECT dimension_value, sum(value)::int AS n FROM daily_metrics
    WHERE metric_name = 'events' AND dimension = 'event_type' GROUP BY 1`;
  assert.deepEqual(
    Object.fromEntries(metrics.map((m) => [m.dimension_value, m.n])),
    Object.fromEntries(expected.map((e) => [e.event_type, e.n])),
  );
  const [perTrack] = await t.database.sql`
    SELECT sum(share_count)::int AS shares, sum(download_count)::int AS downloads, sum(play_count)::int AS plays
    FROM track_analytics WHERE track_id = ${shared.id}`;
  assert.deepEqual({ ...perTrack }, { shares: 2, downloads: 1, plays: 0 });
  // A second run adds nothing.
  await runJob(retentionAnalytics, { db: t.pool.db, dataDir: '/nonexistent', triggeredBy: 'manual', now });
  const again = await t.database.sql`
    SELECT sum(value)::int AS n FROM daily_metrics WHERE metric_name = 'events' AND dimension = 'total'`;
  assert.equal(
    again[0]?.n,
    expected.reduce((sum, e) => sum + Number(e.n), 0),
  );
});
