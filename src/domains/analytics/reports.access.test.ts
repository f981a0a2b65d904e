// Who may call each route of statistics exports, dashboards and event ingestion (issue 18: "the BOLA matrix covers
// every new route"). The routes come from /openapi.json by tag, so a route added later under these tags is covered
// without touching this file: secured routes refuse visitors, nobody reaches another user's report or dashboard
// (404 and the owner's rows unchanged), and platform report types are refused to everyone but administrators.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { administrator, as, generateReports, person, type Person } from './reports.test-support.ts';

const testApp = useTestApp();
const TAGS = ['analytics-reports', 'analytics-dashboards', 'analytics-events'];

const layout = {
  version: 1,
  widgets: [{ id: 'p', kind: 'plays', chart: 'bar', period: '7d', x: 0, y: 0, w: 4, h: 2 }],
};
const BODIES: Record<string, unknown> = {
  'POST /v1/analytics/reports': {
    report_type: 'track_performance',
    format: 'csv',
    period_start: '2026-01-01',
    period_end: '2026-01-31',
  },
  'POST /v1/analytics/dashboards': { name: 'Intruder board', layout },
  'PUT /v1/analytics/dashboards/{id}': { name: 'Intruder board', layout },
  'POST /v1/analytics/events': { events: [{ type: 'page_view' }] },
};

test('every analytics report, dashboard and event route: visitors refused where secured, no one reaches another’s', async () => {
  const t = testApp.current;
  const routes = await documentedRoutes(t.app, ...TAGS);
  assert.ok(routes.length >= 12, JSON.stringify(routes.map((r) => r.key)));
  const owner = await person(t);
  const ownerReport = { ...(BODIES['POST /v1/analytics/reports'] as object), title: 'Owner secret export' };
  const report = (await as(t, owner)('POST', '/v1/analytics/reports', ownerReport)).json<{
    id: string;
  }>();
  await generateReports(t, new Date('2026-02-01T00:00:00Z'));
  const dashboard = (await as(t, owner)('POST', '/v1/analytics/dashboards', { name: 'Owner board', layout })).json<{
    id: string;
  }>();
  const ids: Record<string, string> = {
    '/v1/analytics/reports/{id}': report.id,
    '/v1/analytics/reports/{id}/download': report.id,
    '/v1/analytics/dashboards/{id}': dashboard.id,
  };
  const snapshot = async () => ({
    reports: await t.database.sql`SELECT id, status, file_id, title FROM reports WHERE requested_by = ${owner.id}`,
    dashboards: await t.database.sql`SELECT id, name, layout FROM dashboard_configs WHERE user_id = ${owner.id}`,
  });
  const before = await snapshot();
  assert.equal(before.reports[0]?.status, 'completed');

  const call = (route: DocumentedRoute, who: Person | null) => {
    const id = ids[route.path];
    const url = id ? route.path.replace('{id}', id) : route.path;
    const payload = BODIES[route.key];
    return as(t, who)(route.method as 'GET', url, payload);
  };
  const admin = await administrator(t);
  for (const other of [await person(t), admin]) {
    for (const route of routes) {
      const anonymous = await call(route, null);
      if (route.secured) assert.equal(anonymous.statusCode, 401, route.key);
      else assert.equal(anonymous.statusCode, 202, `${route.key}: ${anonymous.body}`);
      const answer = await call(route, other);
      if (ids[route.path]) assert.equal(answer.statusCode, 404, `${route.key} as another: ${answer.statusCode}`);
      else assert.ok(answer.statusCode < 300, `${route.key}: ${answer.statusCode} ${answer.body}`);
      // A 404 names the path asked for (problem `instance`), so the id itself may echo; the content never.
      assert.ok(!/Owner board|Owner secret export/.test(answer.body), `${route.key} leaks`);
    }
  }
  assert.deepEqual(await snapshot(), before);

  // Platform-wide report types: administrators only.
  const user = await person(t);
  for (const report_type of ['platform_activity', 'user_growth', 'moderation']) {
    const body = { ...(BODIES['POST /v1/analytics/reports'] as object), report_type };
    assert.equal((await as(t, user)('POST', '/v1/analytics/reports', body)).statusCode, 403, report_type);
    assert.equal((await as(t, admin)('POST', '/v1/analytics/reports', body)).statusCode, 202, report_type);
  }
});
