// Creator statistics (issue 18 §6-7, ADR 0093): equal to a direct computation over the raw events, small cells
// suppressed, and a creator who combines every filter the API offers still cannot single out one listener.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { createCreatorStatsRepository } from './creator-stats.repository.ts';
import { createPlatformMetricsRepository } from './platform-metrics.repository.ts';
import type { ProductStats, TrackStats, TracksOverview } from './stats.schemas.ts';
import { StatsService } from './stats.service.ts';
import { as, DAYS, scenario, staff, type Scenario } from './stats.test-support.ts';

const testApp = useTestApp();
const K = 5;

let world: Scenario | undefined;
async function setUp(): Promise<Scenario> {
  world ??= await scenario(testApp.current);
  return world;
}

async function get<T>(who: Scenario['creator'], url: string): Promise<T> {
  const answer = await as(testApp.current, who)('GET', url);
  assert.equal(answer.statusCode, 200, `${url}: ${answer.body}`);
  return answer.json<T>();
}

const trackStats = (s: Scenario, id: string, from: string, to: string) =>
  get<TrackStats>(s.creator, `/v1/statistics/tracks/${id}?from=${from}&to=${to}`);

interface Raw {
  day: string;
  user_id: string | null;
  device_type: string | null;
  source: string | null;
  completion: number;
  seconds: number;
}

/** The raw play events of a track, straight from analytics_events. */
async function rawPlays(trackId: string): Promise<Raw[]> {
  return testApp.current.database.sql<Raw[]>`
    SELECT event_date::text AS day, user_id::text AS user_id, device_type, properties ->> 'source' AS source,
           (properties ->> 'completion_percentage')::int AS completion, (properties ->> 'played_seconds')::int AS seconds
    FROM analytics_events WHERE entity_type = 'track' AND entity_id = ${trackId} AND event_type = 'play'`;
}

const people = (rows: readonly Raw[]) => new Set(rows.map((row) => row.user_id).filter((id) => id !== null)).size;

test('track statistics equal a direct computation over the raw events, with days of fewer than k listeners withheld', async () => {
  const s = await setUp();
  const raw = await rawPlays(s.trackA);
  const stats = await trackStats(s, s.trackA, DAYS[0]!, DAYS[6]!);
  assert.equal(stats.k, K);

  const expectedDays = DAYS.filter((day) => raw.some((row) => row.day === day)).map((day) => {
    const rows = raw.filter((row) => row.day === day);
    if (people(rows) < K) return { day, suppressed: true };
    const completion = rows.reduce((sum, row) => sum + row.completion, 0);
    return {
      day,
      suppressed: false,
      plays: rows.length,
      listeners: people(rows),
      completed_plays: rows.filter((row) => row.completion === 100).length,
      played_seconds: rows.reduce((sum, row) => sum + row.seconds, 0),
      average_completion: Math.round((completion / rows.length) * 100) / 100,
    };
  });
  assert.deepEqual(stats.days, expectedDays);
  assert.deepEqual(
    stats.days.filter((day) => day.suppressed).map((day) => day.day),
    ['2026-03-07'],
  );

  const published = raw.filter((row) => people(raw.filter((other) => other.day === row.day)) >= K);
  assert.equal(stats.total.plays, published.length);
  assert.equal(
    stats.total.played_seconds,
    published.reduce((sum, row) => sum + row.seconds, 0),
  );
  assert.equal(stats.total.published_days, 6);
  assert.equal(stats.total.suppressed_days, 1);
  assert.equal(
    stats.total.average_completion,
    Math.round((published.reduce((sum, row) => sum + row.completion, 0) / published.length) * 100) / 100,
  );

  // Breakdowns: every cell that is not `other` is exactly the raw cell, of at least k people; the cells of a day
  // add up to its plays; `other` is there exactly when some raw value of the day had fewer than k people.
  for (const [dimension, column] of [
    ['devices', 'device_type'],
    ['sources', 'source'],
  ] as const) {
    for (const { day, cells } of stats[dimension].days) {
      const dayRows = raw.filter((row) => row.day === day);
      const valueOf = (row: Raw) => {
        const value = row[column];
        if (column === 'source')
          return ['playlist', 'album', 'search', 'direct'].includes(value ?? '') ? value! : 'unknown';
        return value ?? 'unknown';
      };
      for (const cell of cells.filter((c) => c.value !== 'other')) {
        const rows = dayRows.filter((row) => valueOf(row) === cell.value);
        assert.equal(cell.events, rows.length, `${dimension} ${day} ${cell.value}`);
        assert.equal(cell.people, people(rows));
        assert.ok(people(rows) >= K);
      }
      assert.equal(
        cells.reduce((sum, cell) => sum + cell.events, 0),
        dayRows.length,
        `${dimension} ${day} adds up`,
      );
      const smallValues = new Set(
        dayRows.map(valueOf).filter((value) => people(dayRows.filter((row) => valueOf(row) === value)) < K),
      );
      assert.equal(
        cells.some((cell) => cell.value === 'other'),
        smallValues.size > 0,
      );
      // What `other` stands for (the day minus the named cells) describes at least k people.
      const named = new Set(cells.map((cell) => cell.value));
      assert.ok(
        people(dayRows.filter((row) => !named.has(valueOf(row)))) === 0 ||
          people(dayRows.filter((row) => !named.has(valueOf(row)))) >= K,
      );
    }
  }
});

test('the overview: per own track, and a total that is the sum of the per-track totals', async () => {
  const s = await setUp();
  const overview = await get<TracksOverview>(s.creator, `/v1/statistics/tracks?from=${DAYS[0]}&to=${DAYS[6]}`);
  assert.deepEqual(overview.tracks.map((t) => t.track_id).sort(), [s.trackA, s.trackB].sort());
  const a = await trackStats(s, s.trackA, DAYS[0]!, DAYS[6]!);
  assert.deepEqual(overview.tracks.find((t) => t.track_id === s.trackA)?.total, a.total);
  const b = overview.tracks.find((t) => t.track_id === s.trackB)!.total;
  assert.equal(b.plays, 0);
  assert.equal(b.suppressed_days, 1);
  assert.equal(overview.total.plays, a.total.plays + b.plays);
  assert.equal(overview.total.played_seconds, a.total.played_seconds);
  // Someone else's overview lists none of these tracks.
  const strangers = await get<TracksOverview>(s.stranger, `/v1/statistics/tracks?from=${DAYS[0]}&to=${DAYS[6]}`);
  assert.deepEqual(strangers.tracks, []);
  assert.equal(strangers.total.plays, 0);
});

test('isolation: no combination of ranges, tracks and breakdowns singles out the lone listener', async () => {
  const s = await setUp();
  const raw = await rawPlays(s.trackA);
  const victimRows = raw.filter((row) => row.user_id === s.victim.id);
  assert.equal(victimRows.length, 4);

  // Every range of days, every pair of nested or overlapping ranges: a difference of totals is always a sum of
  // published days, so day 7 (the victim alone) and the victim's web/album play of day 3 never come out.
  const answers = new Map<string, TrackStats>();
  for (let i = 0; i < DAYS.length; i++) {
    for (let j = i; j < DAYS.length; j++) {
      answers.set(`${i}-${j}`, await trackStats(s, s.trackA, DAYS[i]!, DAYS[j]!));
    }
  }
  const full = answers.get(`0-${DAYS.length - 1}`)!;
  const dayPlays = new Map(full.days.map((day) => [day.day, day.suppressed ? 0 : day.plays]));
  const sumDays = (i: number, j: number) =>
    DAYS.slice(i, j + 1).reduce((sum, day) => sum + (dayPlays.get(day) ?? 0), 0);
  const deviceTotal = (stats: TrackStats, value: string) =>
    stats.devices.total.find((cell) => cell.value === value)?.events ?? 0;
  const sourceTotal = (stats: TrackStats, value: string) =>
    stats.sources.total.find((cell) => cell.value === value)?.events ?? 0;
  for (const [key, stats] of answers) {
    const [i, j] = key.split('-').map(Number) as [number, number];
    assert.equal(stats.total.plays, sumDays(i, j), `range ${key}`);
    // The web player and the album source were the victim's alone: never named, in any range.
    assert.equal(deviceTotal(stats, 'web'), 0, `web in ${key}`);
    assert.equal(sourceTotal(stats, 'album'), 0, `album in ${key}`);
    for (const day of stats.days) {
      if (day.day === '2026-03-07') assert.equal(day.suppressed, true);
      if (!day.suppressed) assert.ok(day.listeners >= K);
    }
    for (const breakdown of [stats.devices, stats.sources]) {
      assert.ok(!breakdown.days.some((day) => day.day === '2026-03-07'), `day 7 breakdown in ${key}`);
      for (const day of breakdown.days)
        for (const cell of day.cells) if (cell.people !== null) assert.ok(cell.people >= K);
    }
  }
  // Days 1-7 minus days 1-6: nothing of day 7.
  assert.equal(answers.get('0-6')!.total.plays - answers.get('0-5')!.total.plays, 0);
  assert.equal(answers.get('0-6')!.total.played_seconds - answers.get('0-5')!.total.played_seconds, 0);
  assert.equal(
    deviceTotal(answers.get('0-6')!, 'other') - deviceTotal(answers.get('0-5')!, 'other'),
    0,
    'no other of day 7',
  );

  // Day 3: the victim's web play is merged into `other` with a whole published cell, so that the day's plays
  // minus the named devices is never the victim's one play.
  const day3 = answers.get('2-2')!;
  const day3Total = day3.days[0]!;
  assert.equal(day3Total.suppressed, false);
  const named = day3.devices.days[0]!.cells.filter((cell) => cell.value !== 'other');
  const other = day3.devices.days[0]!.cells.find((cell) => cell.value === 'other')!;
  assert.ok(other.events > 1, 'other is more than the victim');
  assert.equal(
    day3Total.suppressed ? 0 : day3Total.plays - named.reduce((sum, cell) => sum + cell.events, 0),
    other.events,
  );
  const merged = raw.filter(
    (row) => row.day === '2026-03-03' && !named.some((cell) => cell.value === (row.device_type ?? 'unknown')),
  );
  assert.ok(people(merged) >= K, 'what other stands for is k people');

  // Track B was played by the victim alone: nothing of it in its own statistics, nor in the overview.
  const b = await trackStats(s, s.trackB, DAYS[0]!, DAYS[6]!);
  assert.deepEqual(b.days, [{ day: '2026-03-02', suppressed: true }]);
  assert.equal(b.total.plays, 0);
  assert.deepEqual(b.devices.days, []);
  assert.deepEqual(b.sources.days, []);
  for (let i = 0; i < DAYS.length; i++) {
    const overview = await get<TracksOverview>(s.creator, `/v1/statistics/tracks?from=${DAYS[i]}&to=${DAYS[i]}`);
    const perTrack = overview.tracks.reduce((sum, t) => sum + t.total.plays, 0);
    assert.equal(overview.total.plays, perTrack, 'the total is the sum of the per-track totals');
    assert.equal(overview.total.plays, dayPlays.get(DAYS[i]!) ?? 0);
  }

  // The product: the victim's lone add-to-cart and web visit are withheld; the 7 visitors of day 1 are shown.
  const productStats = await get<ProductStats>(
    s.creator,
    `/v1/statistics/products/${s.productId}?from=${DAYS[0]}&to=${DAYS[6]}`,
  );
  assert.deepEqual(productStats.add_to_cart.days, [{ day: '2026-03-01', suppressed: true }]);
  assert.equal(productStats.add_to_cart.total.events, 0);
  assert.deepEqual(productStats.views.days, [{ day: '2026-03-01', suppressed: false, events: 7, people: 7 }]);
  assert.deepEqual(productStats.views.devices.days, [
    { day: '2026-03-01', cells: [{ value: 'other', events: 7, people: null }] },
  ]);

  // Nothing anywhere names the victim.
  for (const body of [...answers.values(), b, productStats]) assert.ok(!JSON.stringify(body).includes(s.victim.id));
});

test('a higher k from the configuration withholds more; the aggregates stay the same', async () => {
  const s = await setUp();
  const db = testApp.current.pool.db;
  const strict = new StatsService({
    creators: createCreatorStatsRepository(db),
    platform: createPlatformMetricsRepository(db),
    k: 7,
  });
  const stats = await strict.trackStats({ userId: s.creator.id, role: 'user' }, s.trackA, {
    from: DAYS[0]!,
    to: DAYS[6]!,
  });
  assert.equal(stats.k, 7);
  // Days 5 (6 listeners) and 6 (5 listeners) fall under 7; days 1-4 have the 8 of the crowd (day 3 also the victim).
  assert.deepEqual(
    stats.days.filter((day) => day.suppressed).map((day) => day.day),
    ['2026-03-05', '2026-03-06', '2026-03-07'],
  );
  for (const day of stats.days) if (!day.suppressed) assert.ok(day.listeners >= 7);
});

test('an admin raising analytics.k_anonymity_threshold withholds more at once; lowering it below 5 is refused', async () => {
  const s = await setUp();
  const t = testApp.current;
  const admin = await staff(t, 'admin');
  const read = async () => {
    const answer = await as(t, s.creator)('GET', `/v1/statistics/tracks/${s.trackA}?from=${DAYS[0]}&to=${DAYS[6]}`);
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json<TrackStats>();
  };
  assert.equal((await read()).k, 5);
  const set = (value: unknown) => as(t, admin)('PUT', '/v1/admin/configs/analytics.k_anonymity_threshold', { value });
  assert.equal((await set(4)).statusCode, 400);
  assert.equal((await read()).k, 5);
  assert.equal((await set(7)).statusCode, 200);
  const raised = await read();
  assert.equal(raised.k, 7);
  for (const day of raised.days) if (!day.suppressed) assert.ok(day.listeners >= 7);
});

test('bad ranges are a 400 naming the field; someone else’s or a missing entity is a 404', async () => {
  const s = await setUp();
  const call = as(testApp.current, s.creator);
  for (const [query, field] of [
    ['from=2026-02-30&to=2026-03-01', 'querystring/from'],
    ['from=2026-03-02&to=2026-03-01', 'querystring/to'],
    ['from=2025-01-01&to=2026-03-01', 'querystring/to'],
  ] as const) {
    const answer = await call('GET', `/v1/statistics/tracks/${s.trackA}?${query}`);
    assert.equal(answer.statusCode, 400, answer.body);
    assert.equal(answer.json<{ errors: { field: string }[] }>().errors[0]?.field, field);
  }
  const missing = await call('GET', `/v1/statistics/tracks?from=2026-03-01`);
  assert.equal(missing.statusCode, 400);
  for (const url of [
    `/v1/statistics/tracks/${s.trackA}`,
    `/v1/statistics/products/${s.productId}`,
    `/v1/statistics/courses/${s.courseId}`,
  ]) {
    const answer = await as(testApp.current, s.stranger)('GET', `${url}?from=${DAYS[0]}&to=${DAYS[6]}`);
    assert.equal(answer.statusCode, 404, url);
  }
  const gone = await call(
    'GET',
    `/v1/statistics/tracks/00000000-0000-4000-8000-000000000000?from=${DAYS[0]}&to=${DAYS[0]}`,
  );
  assert.equal(gone.statusCode, 404);
});
