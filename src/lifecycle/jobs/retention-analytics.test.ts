import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { dropDatabase, migratedDatabase, useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import type { Database } from '../../platform/db/pool.ts';
import type postgres from 'postgres';
import { createRetentionAnalytics, MONTHLY_PREFIX, retentionAnalytics } from './retention-analytics.ts';
import {
  daysAgo,
  daysBefore,
  difference,
  factory,
  progress,
  rowsOf,
  snapshot,
  utcDayAgo,
  utcDayBefore,
} from './retention-test-support.ts';

type Row = Record<string, unknown>;

const database = useMigratedDatabase();
const run = (dryRun = false, job = retentionAnalytics, log?: (line: string) => void) =>
  runJob(job, { db: database.current.db, dataDir: '/nonexistent', dryRun, triggeredBy: 'manual', log });

const day = (row: Row, column: string) => {
  const value = row[column];
  return typeof value === 'string' ? value.slice(0, 10) : '';
};
const month = (isoDay: string) => `${isoDay.slice(0, 7)}-01`;

/** What the job must write into daily_metrics for these raw events: `metric|dimension|value` → value. */
function expectedMetrics(events: Row[], prefix = ''): Map<string, number> {
  const metrics = new Map<string, number>();
  const add = (key: string, value: number) => metrics.set(prefix + key, (metrics.get(prefix + key) ?? 0) + value);
  for (const event of events) {
    add('events|total|', 1);
    add(`events|event_type|${String(event.event_type)}`, 1);
    add(`events|entity_type|${(event.entity_type as string | null) ?? 'none'}`, 1);
    add(`events|country_code|${(event.country_code as string | null) ?? 'unknown'}`, 1);
    add(`events|device_type|${(event.device_type as string | null) ?? 'unknown'}`, 1);
    if (event.event_type === 'play') {
      add('played_seconds|total|', Number((event.properties as Row).played_seconds));
    }
  }
  return metrics;
}

function metricsOf(rows: Row[], where: (row: Row) => boolean): Map<string, number> {
  return new Map(
    rows
      .filter(where)
      .map((row) => [
        `${String(row.metric_name)}|${String(row.dimension)}|${String(row.dimension_value)}`,
        Number(row.value),
      ]),
  );
}

const isMonthly = (row: Row) => String(row.metric_name).startsWith(MONTHLY_PREFIX);

const sorted = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));

/**
 * The whole §18.1 analytics scenario, with the job's clock pinned at `now` and every fixture day counted back from
 * it, in a database of its own: the calendar boundaries of a run (the 1st of a month, the last day of a month or
 * year, a leap day) are tested on every day, not only when the real clock happens to cross them (issue 10).
 */
async function analyticsScenario({ sql, db }: { sql: postgres.Sql; db: Database }, now: Date) {
  const utcDayAgo = (days: number) => utcDayBefore(days, now);
  const daysAgo = (days: number) => daysBefore(days, now);
  const run = (dryRun = false) =>
    runJob(retentionAnalytics, { db, dataDir: '/nonexistent', dryRun, triggeredBy: 'manual', now });
  // Day partitions the template premade for the day it was built would collide with the fixture's own.
  for (const { name } of await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'analytics_events'::regclass AND c.relname <> 'analytics_events_default'`) {
    await sql`DROP TABLE ${sql(name)}`;
  }
  const [t1, t2] = [await factory('tracks')(sql), await factory('tracks')(sql)];
  const [u1, u2] = [await factory('users')(sql), await factory('users')(sql)];

  // A and B are past the 365 days of the registry, C is exactly on the limit (kept), D is recent, E was
  // aggregated before (its `events` row exists), and today's events are not aggregated yet (the day is open).
  const [A, B, C, D, E, today] = [400, 366, 365, 10, 20, 0].map(utcDayAgo) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const eventsOn = async (isoDay: string) => {
    const event = (o: Row) =>
      factory('analytics_events')(sql, {
        created_at: new Date(`${isoDay}T${isoDay === today ? '00:00:01' : '12:00:00'}Z`),
        user_id: u1.id,
        entity_type: 'track',
        entity_id: t1.id,
        device_type: 'web',
        country_code: 'FR',
        ...o,
      });
    return [
      await event({ properties: { played_seconds: 215, completion_percentage: 100 } }),
      await event({ properties: { played_seconds: 86, completion_percentage: 40 } }),
      await event({
        user_id: u2.id,
        device_type: 'mobile',
        properties: { played_seconds: 43, completion_percentage: 20 },
      }),
      // an anonymous listener: no user, no device, no country
      await event({
        user_id: null,
        device_type: null,
        country_code: null,
        properties: { played_seconds: 10, completion_percentage: 5 },
      }),
      await event({ entity_id: t2.id, properties: { played_seconds: 100, completion_percentage: 50 } }),
      await event({ event_type: 'skip', properties: {} }),
      await event({ event_type: 'like', entity_id: t2.id, properties: {} }),
      // a track that no longer exists: counted in daily_metrics, not in track_analytics
      await event({ entity_id: randomUUID(), properties: { played_seconds: 1, completion_percentage: 1 } }),
      await event({ event_type: 'page_view', entity_type: null, entity_id: null, properties: { path: '/' } }),
    ];
  };
  // B, C and D get daily partitions of their own, as the partition job makes them; the other days sit in the
  // default. B's is wholly past the limit: it is dropped whole once aggregated.
  for (const isoDay of [B, C, D]) {
    const next = new Date(Date.parse(`${isoDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await sql.unsafe(`CREATE TABLE analytics_events_${isoDay.replaceAll('-', '_')} PARTITION OF analytics_events
                      FOR VALUES FROM ('${isoDay}') TO ('${next}')`);
  }
  const raw: Record<string, Row[]> = {};
  for (const isoDay of [A, B, C, D, E, today]) raw[isoDay] = await eventsOn(isoDay);

  // Aggregates already there: a day aggregated before (E), a counter written by someone else (t1 on A),
  // other metrics on expired and kept days, a monthly rollup that the expired days must add to.
  await factory('daily_metrics')(sql, {
    metric_date: E,
    metric_name: 'events',
    dimension: 'total',
    dimension_value: '',
    value: 9,
  });
  await factory('track_analytics')(sql, {
    track_id: t1.id,
    day: E,
    play_count: 4,
    unique_listeners: 2,
    complete_count: 1,
    completion_percentage_sum: 250,
  });
  await factory('track_analytics')(sql, { track_id: t1.id, day: A });
  await factory('daily_metrics')(sql, {
    metric_date: A,
    metric_name: 'signups',
    dimension: 'total',
    dimension_value: '',
    value: 5,
  });
  await factory('daily_metrics')(sql, {
    metric_date: A,
    metric_name: 'signup_rate',
    dimension: 'total',
    dimension_value: '',
    value: 12.5,
    unit: 'percent',
  });
  await factory('daily_metrics')(sql, {
    metric_date: utcDayAgo(300),
    metric_name: 'signups',
    dimension: 'total',
    dimension_value: '',
    value: 3,
  });
  await factory('daily_metrics')(sql, {
    metric_date: month(A),
    metric_name: 'monthly.signups',
    dimension: 'total',
    dimension_value: '',
    value: 100,
  });

  const play = factory('playback_history');
  const eventsBeforePlays = (await sql<{ id: string }[]>`SELECT id FROM analytics_events`).map((row) => row.id);
  const identified = {
    user_id: u1.id,
    track_id: t1.id,
    device_type: 'mobile',
    source: 'playlist',
    source_id: randomUUID(),
  };
  const anonymised = await play(sql, { ...identified, played_at: daysAgo(366) });
  const untouched = [
    await play(sql, { ...identified, played_at: daysAgo(364) }),
    await play(sql, { user_id: null, track_id: t2.id, played_at: daysAgo(400) }),
    await play(sql, { ...identified, track_id: t2.id, played_at: now }),
  ];
  // A counted play writes its own 'play' event (RFC 0060, tested in creator-stats.plays.test.ts); this scenario's
  // raw events are the ones listed above, so those are taken out again.
  await sql`DELETE FROM analytics_events WHERE NOT (id = ANY(${eventsBeforePlays}::uuid[]))`;

  const before = await snapshot(sql);
  const dry = await run(true);
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  const afterDry = await snapshot(sql);
  assert.deepEqual(Object.keys(difference(before, afterDry)), ['job_runs'], 'a dry run changes nothing but job_runs');

  const first = await run();
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.deepEqual(first.rowsByTable, dry.rowsByTable, 'the dry run reports what the run does');
  const after = await snapshot(sql);
  const changes = difference(afterDry, after);
  assert.deepEqual(Object.keys(changes).sort(), [
    'analytics_events',
    'daily_metrics',
    'entity_analytics_breakdowns',
    'job_runs',
    'playback_history',
    'track_analytics',
  ]);

  // Raw events: exactly the two expired days are gone.
  const expired = [...raw[A]!, ...raw[B]!];
  assert.deepEqual(changes.analytics_events, {
    removed: expired.map((row) => row.id as string).sort(),
    added: [],
    changed: {},
  });
  assert.equal(first.rowsByTable.analytics_events, expired.length);
  const partitions =
    await sql`SELECT relname FROM pg_class WHERE relname = ${`analytics_events_${B.replaceAll('-', '_')}`}`;
  assert.equal(partitions.length, 0, "B's partition was dropped whole");

  // Plays: one anonymised, its FK intact (user_id NULL), nothing else about it or the others changed.
  assert.deepEqual(changes.playback_history, {
    removed: [],
    added: [],
    changed: { [anonymised.id as string]: ['device_type', 'source', 'source_id', 'updated_at', 'user_id'] },
  });
  const anonymous = after.get('playback_history')?.get(anonymised.id as string);
  assert.deepEqual(
    [anonymous?.user_id, anonymous?.device_type, anonymous?.source, anonymous?.source_id],
    [null, null, null, null],
  );
  assert.equal(untouched.length, 3);
  assert.equal(changes.tracks, undefined, 'tracks.play_count is unchanged: no play was deleted');

  // track_analytics: plays per track and day before (raw events of closed days + counters already there) = after.
  const tracks = new Set([t1.id, t2.id]);
  const expectedTrackDays = new Map<string, Row>();
  const bump = (key: string, column: string, by: number) => {
    const row = expectedTrackDays.get(key) ?? {};
    row[column] = ((row[column] as number | undefined) ?? 0) + by;
    expectedTrackDays.set(key, row);
  };
  for (const row of rowsOf(before, 'track_analytics')) {
    const key = `${String(row.track_id)}|${day(row, 'day')}`;
    for (const column of [
      'play_count',
      'unique_listeners',
      'total_played_seconds',
      'completion_percentage_sum',
      'complete_count',
      'skip_count',
      'like_count',
    ]) {
      bump(key, column, Number(row[column]));
    }
  }
  for (const isoDay of [A, B, C, D]) {
    const listeners = new Map<string, Set<unknown>>();
    for (const event of raw[isoDay]!) {
      if (!tracks.has(event.entity_id)) continue;
      const key = `${String(event.entity_id)}|${isoDay}`;
      const properties = event.properties as Row;
      if (event.event_type === 'play') {
        bump(key, 'play_count', 1);
        bump(key, 'total_played_seconds', Number(properties.played_seconds));
        bump(key, 'completion_percentage_sum', Number(properties.completion_percentage));
        bump(key, 'complete_count', properties.completion_percentage === 100 ? 1 : 0);
        if (event.user_id !== null) (listeners.get(key) ?? listeners.set(key, new Set()).get(key)!).add(event.user_id);
      }
      bump(key, 'skip_count', event.event_type === 'skip' ? 1 : 0);
      bump(key, 'like_count', event.event_type === 'like' ? 1 : 0);
    }
    for (const [key, users] of listeners) bump(key, 'unique_listeners', users.size);
  }
  const actualTrackDays = new Map(
    rowsOf(after, 'track_analytics').map((row) => {
      const picked: Row = {};
      for (const column of Object.keys(expectedTrackDays.values().next().value ?? {}))
        picked[column] = Number(row[column]);
      return [`${String(row.track_id)}|${day(row, 'day')}`, picked];
    }),
  );
  for (const [key, expected] of expectedTrackDays) {
    for (const column of Object.keys(expectedTrackDays.values().next().value ?? {})) expected[column] ??= 0;
    assert.deepEqual(actualTrackDays.get(key), expected, `track_analytics ${key}`);
  }
  assert.equal(actualTrackDays.size, expectedTrackDays.size, 'no other track_analytics row');

  // entity_analytics_breakdowns (ADR 0093): plays per track, day and device or source, events and distinct people.
  const expectedCells = new Map<string, { events: number; people: Set<unknown> }>();
  for (const isoDay of [A, B, C, D]) {
    for (const event of raw[isoDay]!) {
      if (!tracks.has(event.entity_id) || event.event_type !== 'play') continue;
      const source = (event.properties as Row).source;
      for (const [dimension, value] of [
        ['total', ''],
        ['device_type', (event.device_type as string | null) ?? 'unknown'],
        ['source', typeof source === 'string' ? source : 'unknown'],
      ]) {
        const key = `${String(event.entity_id)}|${isoDay}|${dimension}|${value}`;
        const cell = expectedCells.get(key) ?? { events: 0, people: new Set() };
        cell.events++;
        if (event.user_id !== null) cell.people.add(event.user_id);
        expectedCells.set(key, cell);
      }
    }
  }
  assert.deepEqual(
    new Map(
      rowsOf(after, 'entity_analytics_breakdowns').map((row) => [
        `${String(row.track_id)}|${day(row, 'day')}|${String(row.dimension)}|${String(row.dimension_value)}`,
        [Number(row.event_count), Number(row.distinct_users)],
      ]),
    ),
    new Map([...expectedCells].map(([key, cell]) => [key, [cell.events, cell.people.size]])),
  );
  assert.ok(
    Object.keys(changes.track_analytics?.changed ?? {}).length === 1,
    'only the counter written by someone else on an aggregated day was added to',
  );

  // daily_metrics: closed, kept days hold their aggregates; expired days live on in their month's rollup.
  const metricsAfter = rowsOf(after, 'daily_metrics');
  for (const isoDay of [C, D]) {
    assert.deepEqual(
      sorted(metricsOf(metricsAfter, (row) => day(row, 'metric_date') === isoDay)),
      sorted(expectedMetrics(raw[isoDay]!)),
      isoDay,
    );
  }
  assert.deepEqual(
    sorted(metricsOf(metricsAfter, (row) => day(row, 'metric_date') === E)),
    [['events|total|', 9]],
    'E was aggregated before',
  );
  assert.deepEqual(
    sorted(metricsOf(metricsAfter, (row) => day(row, 'metric_date') === today)),
    [],
    'the open day is not aggregated',
  );
  // A monthly rollup is dated the 1st of its month, which is an expired day itself when B is a 1st.
  assert.equal(
    metricsOf(metricsAfter, (row) => [A, B].includes(day(row, 'metric_date')) && !isMonthly(row)).size,
    0,
    'no daily row of an expired day',
  );
  const expectedMonthly = new Map<string, number>();
  for (const isoDay of [A, B]) {
    for (const [key, value] of expectedMetrics(raw[isoDay]!, `${month(isoDay)}|monthly.`)) {
      expectedMonthly.set(key, (expectedMonthly.get(key) ?? 0) + value);
    }
  }
  expectedMonthly.set(`${month(A)}|monthly.signups|total|`, 105);
  const actualMonthly = new Map(
    metricsAfter
      .filter((row) => String(row.metric_name).startsWith('monthly.'))
      .map((row) => [
        `${day(row, 'metric_date')}|${String(row.metric_name)}|${String(row.dimension)}|${String(row.dimension_value)}`,
        Number(row.value),
      ]),
  );
  assert.deepEqual(
    sorted(actualMonthly),
    sorted(expectedMonthly),
    'monthly rollups add up; percentages are not summed',
  );
  assert.ok(metricsAfter.some((row) => row.metric_name === 'signups' && day(row, 'metric_date') === utcDayAgo(300)));

  // A second run changes nothing.
  const second = await run();
  assert.equal(second.status, 'succeeded', second.error ?? '');
  assert.deepEqual(second.rowsByTable, {
    daily_metrics: 0,
    track_analytics: 0,
    entity_analytics_breakdowns: 0,
    analytics_events: 0,
    playback_history: 0,
    'daily_metrics:rolled_up': 0,
  });
  assert.deepEqual(Object.keys(difference(after, await snapshot(sql))), ['job_runs']);
}

for (const [boundary, now] of [
  // the day it failed: B, the newest expired day, is the 1st of a month and also its monthly rollup's date
  ['the newest expired day is the 1st of a month', '2026-12-02T09:30:00Z'],
  // C, the oldest kept day, and the run's own day are 1sts; B is the last day of February
  ['the oldest kept day and today are the 1st of a month', '2026-03-01T09:30:00Z'],
  ['today is the last day of a year', '2026-12-31T23:59:30Z'],
  ['today is a leap day', '2028-02-29T00:10:00Z'],
] as const) {
  test(`spec §18.1 analytics: aggregated once, raw events gone after 12 months, plays anonymised, totals unchanged (${boundary})`, async () => {
    const scenario = await migratedDatabase();
    try {
      await analyticsScenario(scenario, new Date(now));
    } finally {
      await dropDatabase(scenario);
    }
  });
}

test('raw events and plays go in batches, one transaction each', async () => {
  const { sql } = database.current;
  const old = utcDayAgo(500);
  for (let i = 0; i < 5; i += 1) {
    await factory('analytics_events')(sql, { created_at: new Date(`${old}T0${i}:00:00Z`), user_id: null });
  }
  for (let i = 0; i < 3; i += 1) await factory('playback_history')(sql, { played_at: daysAgo(370 + i) });
  // Only the five events above: the plays' own events (RFC 0060) would add days of their own.
  await sql`DELETE FROM analytics_events WHERE event_date <> ${old}::date`;
  const lines: string[] = [];
  const result = await run(false, createRetentionAnalytics({ batchSize: 2 }), (line) => lines.push(line));
  assert.equal(result.status, 'succeeded', result.error ?? '');
  assert.deepEqual(progress(lines).analytics_events, [2, 4, 5]);
  assert.deepEqual(progress(lines).playback_history, [2, 3]);
  const [left] = await sql`SELECT count(*)::int AS n FROM analytics_events WHERE event_date = ${old}::date`;
  assert.equal(left?.n, 0);
  const [monthly] = await sql`
    SELECT value::int AS value FROM daily_metrics
    WHERE metric_name = 'monthly.events' AND dimension = 'total' AND metric_date = ${month(old)}::date`;
  assert.equal(monthly?.value, 5, 'the day was aggregated before its events were deleted');
});

test('an expired event locked by someone else stays; its day is rolled up once, when its last event is gone', async () => {
  const { sql } = database.current;
  const old = utcDayAgo(450);
  const events = [];
  for (let i = 0; i < 3; i += 1) {
    events.push(await factory('analytics_events')(sql, { created_at: new Date(`${old}T1${i}:00:00Z`), user_id: null }));
  }
  const monthlyEvents = async () => {
    const [row] = await sql`
      SELECT value::int AS value FROM daily_metrics
      WHERE metric_name = 'monthly.events' AND dimension = 'total' AND metric_date = ${month(old)}::date`;
    return row?.value as number | undefined;
  };
  const rolledUpBefore = (await monthlyEvents()) ?? 0;

  const other = await sql.reserve();
  try {
    await other`BEGIN`;
    await other`SELECT 1 FROM analytics_events WHERE id = ${events[0]!.id as string} FOR UPDATE`;
    const blocked = await run();
    assert.equal(blocked.status, 'succeeded', blocked.error ?? '');
    assert.equal(blocked.rowsByTable.analytics_events, 2, 'the locked event is skipped, not waited for');
    const [marker] = await sql`
      SELECT value::int AS value FROM daily_metrics
      WHERE metric_name = 'events' AND dimension = 'total' AND metric_date = ${old}::date`;
    assert.equal(marker?.value, 3, 'the day stays marked as aggregated while one of its events is left');
    assert.equal((await monthlyEvents()) ?? 0, rolledUpBefore, 'and is not rolled up yet');
  } finally {
    await other`ROLLBACK`;
    other.release();
  }

  const next = await run();
  assert.equal(next.rowsByTable.analytics_events, 1);
  assert.ok((next.rowsByTable['daily_metrics:rolled_up'] ?? 0) > 0, 'the day is rolled up now');
  assert.equal((await monthlyEvents()) ?? 0, rolledUpBefore + 3, 'the day counts once in its month');
  const again = await run();
  assert.equal(again.rowsByTable['daily_metrics:rolled_up'], 0);
  assert.equal((await monthlyEvents()) ?? 0, rolledUpBefore + 3);
});
