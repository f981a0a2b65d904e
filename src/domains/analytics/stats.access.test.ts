// Who may call each statistics route (issue 18: "the BOLA matrix, including admin-only routes refused to others,
// covers every new route"), found in /openapi.json by tag `statistics`; and no answer of any of them, to anyone,
// describes fewer than k people (issue 18 §10). The platform metrics are checked against the raw events too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import type { PlatformMetrics } from './stats.schemas.ts';
import { as, DAYS, person, scenario, staff, type Person, type Scenario } from './stats.test-support.ts';

const testApp = useTestApp();
const K = 5;
const RANGE = `?from=${DAYS[0]}&to=${DAYS[6]}`;

let world: Scenario | undefined;
async function setUp(): Promise<Scenario> {
  world ??= await scenario(testApp.current);
  return world;
}

/** The route's URL with the scenario's own entity of the kind the path names. */
function urlOf(route: DocumentedRoute, s: Scenario): string {
  const id = route.path.includes('/products/') ? s.productId : route.path.includes('/courses/') ? s.courseId : s.trackA;
  return `${route.path.replace('{id}', id)}${RANGE}`;
}

const call = (route: DocumentedRoute, url: string, who: Person | null) =>
  as(testApp.current, who)(route.method as 'GET', url);

const isPlatform = (route: DocumentedRoute) => route.path.endsWith('/platform');
const isEntity = (route: DocumentedRoute) => route.path.includes('{id}');

test('every statistics route: anonymous 401; entities their owner’s only (404); platform metrics staff only (403)', async () => {
  const s = await setUp();
  const t = testApp.current;
  const routes = await documentedRoutes(t.app, 'statistics');
  assert.ok(routes.length >= 10, JSON.stringify(routes.map((r) => r.key)));
  const admin = await staff(t, 'admin');
  const moderator = await staff(t, 'moderator');
  const other = await person(t);

  for (const route of routes) {
    const url = urlOf(route, s);
    assert.ok(route.secured, route.key);
    assert.equal((await call(route, url, null)).statusCode, 401, route.key);
    const owner = await call(route, url, s.creator);
    const asOther = await call(route, url, other);
    const asAdmin = await call(route, url, admin);
    const asModerator = await call(route, url, moderator);
    if (isPlatform(route)) {
      assert.equal(owner.statusCode, 403, route.key);
      assert.equal(asOther.statusCode, 403, route.key);
      assert.equal(asAdmin.statusCode, 200, `${route.key}: ${asAdmin.body}`);
      assert.equal(asModerator.statusCode, 200, route.key);
    } else if (isEntity(route)) {
      assert.equal(owner.statusCode, 200, `${route.key}: ${owner.body}`);
      // Staff are no exception: a creator's statistics are theirs.
      for (const [who, answer] of [
        ['other', asOther],
        ['admin', asAdmin],
        ['moderator', asModerator],
      ] as const) {
        assert.equal(answer.statusCode, 404, `${route.key} as ${who}`);
        // The problem names the requested path, nothing of the statistics.
        assert.ok(!answer.body.includes('"days"') && !answer.body.includes('"total"'), route.key);
      }
    } else {
      // The overview: everyone gets their own, which for the others holds none of the creator's tracks.
      assert.equal(owner.statusCode, 200, route.key);
      if (route.method === 'GET') assert.ok(owner.body.includes(s.trackA));
      for (const answer of [asOther, asAdmin, asModerator]) {
        assert.equal(answer.statusCode, 200, route.key);
        assert.ok(!answer.body.includes(s.trackA) && !answer.body.includes(s.trackB), `${route.key} leaks`);
      }
    }
  }
});

/** Every number that counts people in an answer, with its path; and whether a withheld day carries a figure. */
function peopleFigures(value: unknown, path = '$', found: { path: string; people: number }[] = []) {
  if (Array.isArray(value)) value.forEach((item, i) => peopleFigures(item, `${path}[${i}]`, found));
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object.suppressed === true) assert.deepEqual(Object.keys(object).sort(), ['day', 'suppressed'], path);
    for (const [key, item] of Object.entries(object)) {
      if ((key === 'people' || key === 'listeners') && typeof item === 'number')
        found.push({ path: `${path}.${key}`, people: item });
      else peopleFigures(item, `${path}.${key}`, found);
    }
  }
  return found;
}

test('no statistics answer, to its owner or to staff, describes one identifiable listener', async () => {
  const s = await setUp();
  const t = testApp.current;
  const routes = (await documentedRoutes(t.app, 'statistics')).filter((route) => route.method === 'GET');
  const admin = await staff(t, 'admin');
  let figures = 0;
  for (const route of routes) {
    // Every single day, and the whole week, as whoever may read the route.
    for (const range of [...DAYS.map((day) => `?from=${day}&to=${day}`), RANGE]) {
      const url = `${urlOf(route, s).split('?')[0]}${range}`;
      const answer = await call(route, url, isPlatform(route) ? admin : s.creator);
      assert.equal(answer.statusCode, 200, `${url}: ${answer.body}`);
      assert.ok(!answer.body.includes(s.victim.id), url);
      for (const figure of peopleFigures(answer.json())) {
        figures++;
        // 0 only in totals of nothing published (a sum of no cell), never a small group.
        assert.ok(figure.people === 0 || figure.people >= K, `${url} ${figure.path} = ${figure.people}`);
      }
    }
  }
  assert.ok(figures > 20, `people figures checked: ${figures}`);
});

test('platform metrics equal the raw events where published; small cells merged, the lone web user never named', async () => {
  const s = await setUp();
  const admin = await staff(testApp.current, 'admin');
  const answer = await as(testApp.current, admin)('GET', `/v1/statistics/platform${RANGE}`);
  assert.equal(answer.statusCode, 200, answer.body);
  const metrics = answer.json<PlatformMetrics>();
  assert.equal(metrics.k, K);
  const raw = await testApp.current.database.sql<{ day: string; events: number; plays: number; web: number }[]>`
    SELECT event_date::text AS day, count(*)::int AS events, count(*) FILTER (WHERE event_type = 'play')::int AS plays,
           count(*) FILTER (WHERE device_type = 'web')::int AS web
    FROM analytics_events GROUP BY 1 ORDER BY 1`;
  assert.deepEqual(
    metrics.events.days,
    raw.map((row) =>
      row.events >= K ? { day: row.day, suppressed: false, value: row.events } : { day: row.day, suppressed: true },
    ),
  );
  assert.equal(
    metrics.events.total,
    raw.filter((row) => row.events >= K).reduce((sum, row) => sum + row.events, 0),
  );
  // The victim's web events (fewer than k a day) are never a cell of their own, in any range.
  assert.ok(raw.some((row) => row.web > 0));
  for (const breakdown of [metrics.by_device, metrics.by_event_type, metrics.by_entity_type, metrics.by_country]) {
    for (const day of breakdown.days) {
      for (const cell of day.cells) assert.ok(cell.events >= K, JSON.stringify(day));
      const dayTotal = raw.find((row) => row.day === day.day)!.events;
      assert.equal(
        day.cells.reduce((sum, cell) => sum + cell.events, 0),
        dayTotal,
      );
    }
  }
  assert.ok(!metrics.by_device.total.some((cell) => cell.value === 'web'));
  assert.ok(!JSON.stringify(metrics).includes(s.victim.id));
});
