// Saved dashboards (issue 18 §8; ADR 0094): one's own only, layouts validated widget by widget and across widgets,
// one default per scope, and part of the person's GDPR export.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { buildExportPlan, tableExportQuery } from '../../lifecycle/gdpr/export.ts';
import { administrator, as, person } from './reports.test-support.ts';

const testApp = useTestApp();

const widget = (id: string, x: number, y: number, w = 6, h = 4, kind = 'plays') => ({
  id,
  kind,
  chart: 'line',
  period: '28d',
  x,
  y,
  w,
  h,
});
const layout = (...widgets: unknown[]) => ({ version: 1, widgets });

interface Dashboard {
  id: string;
  name: string;
  scope: string;
  is_default: boolean;
  layout: unknown;
}

test('create, read, replace and delete one’s own dashboards; the default moves', async () => {
  const t = testApp.current;
  const user = await person(t);
  const call = as(t, user);
  const first = await call('POST', '/v1/analytics/dashboards', {
    name: 'Overview',
    layout: layout(widget('plays', 0, 0), widget('listeners', 6, 0)),
    is_default: true,
  });
  assert.equal(first.statusCode, 201, first.body);
  const created = first.json<Dashboard>();
  assert.equal(created.scope, 'creator');
  assert.deepEqual(created.layout, layout(widget('plays', 0, 0), widget('listeners', 6, 0)));
  const second = (
    await call('POST', '/v1/analytics/dashboards', {
      name: 'Sales',
      layout: layout(widget('s', 0, 0, 12, 4, 'sales')),
      is_default: true,
    })
  ).json<Dashboard>();
  const list = (await call('GET', '/v1/analytics/dashboards')).json<{ items: Dashboard[] }>().items;
  assert.deepEqual(
    list.map((d) => [d.name, d.is_default]),
    [
      ['Overview', false],
      ['Sales', true],
    ],
  );
  const taken = await call('PUT', `/v1/analytics/dashboards/${created.id}`, { name: 'Sales', layout: layout() });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json<{ code: string }>().code, 'DASHBOARD_NAME_TAKEN');
  const replaced = await call('PUT', `/v1/analytics/dashboards/${created.id}`, { name: 'Renamed', layout: layout() });
  assert.equal(replaced.statusCode, 200);
  assert.deepEqual(replaced.json<Dashboard>().layout, layout());
  assert.equal((await call('DELETE', `/v1/analytics/dashboards/${second.id}`)).statusCode, 204);
  assert.equal((await call('GET', `/v1/analytics/dashboards/${second.id}`)).statusCode, 404);
});

test('layouts outside the grid, overlapping, with repeated ids or admin widgets are refused, each rule named', async () => {
  const t = testApp.current;
  const call = as(t, await person(t));
  const refused = await call('POST', '/v1/analytics/dashboards', {
    name: 'Broken',
    layout: layout(
      widget('a', 0, 0),
      widget('b', 3, 2),
      widget('a', 8, 10, 6),
      widget('d', 0, 46, 4, 4),
      widget('e', 0, 20, 4, 4, 'platform_events'),
    ),
  });
  assert.equal(refused.statusCode, 422, refused.body);
  assert.deepEqual(
    refused.json<{ errors: { field: string; rule: string }[] }>().errors.map((e) => `${e.field} ${e.rule}`),
    [
      'body.layout.widgets.1 noOverlap',
      'body.layout.widgets.2.id unique',
      'body.layout.widgets.2.w insideGrid',
      'body.layout.widgets.3.h insideGrid',
      'body.layout.widgets.4.kind scope',
    ],
  );
  for (const bad of [
    { name: 'x', layout: { version: 2, widgets: [] } },
    { name: 'x', layout: layout({ ...widget('a', 0, 0), kind: 'listener_ids' }) },
    { name: 'x', layout: layout({ ...widget('a', 0, 0), x: -1 }) },
    { name: 'x', layout: layout({ ...widget('a', 0, 0), script: '<b>' }) },
    { name: '   ', layout: layout() },
    { name: 'x', layout: layout(...Array.from({ length: 25 }, (_, i) => widget(`w${i}`, 0, i))) },
  ])
    assert.equal((await call('POST', '/v1/analytics/dashboards', bad)).statusCode, 400, JSON.stringify(bad));
  assert.equal((await t.database.sql`SELECT 1 FROM dashboard_configs WHERE name IN ('Broken', 'x')`).length, 0);
});

test('admin dashboards: administrators only; nobody reaches another person’s dashboard', async () => {
  const t = testApp.current;
  const owner = await person(t);
  const admin = await administrator(t);
  const adminLayout = { name: 'Platform', scope: 'admin', layout: layout(widget('e', 0, 0, 12, 4, 'platform_events')) };
  assert.equal((await as(t, owner)('POST', '/v1/analytics/dashboards', adminLayout)).statusCode, 403);
  assert.equal((await as(t, admin)('POST', '/v1/analytics/dashboards', adminLayout)).statusCode, 201);
  const mine = (
    await as(t, owner)('POST', '/v1/analytics/dashboards', { name: 'Mine', layout: layout() })
  ).json<Dashboard>();
  for (const who of [admin, await person(t)]) {
    const call = as(t, who);
    assert.equal((await call('GET', `/v1/analytics/dashboards/${mine.id}`)).statusCode, 404);
    assert.equal(
      (await call('PUT', `/v1/analytics/dashboards/${mine.id}`, { name: 'Hijack', layout: layout() })).statusCode,
      404,
    );
    assert.equal((await call('DELETE', `/v1/analytics/dashboards/${mine.id}`)).statusCode, 404);
  }
  const [row] = await t.database.sql`SELECT name FROM dashboard_configs WHERE id = ${mine.id}`;
  assert.equal(row?.name, 'Mine');
});

test('a person’s dashboards and reports are in their GDPR export, and their dashboards go with the account', async () => {
  const t = testApp.current;
  const owner = await person(t);
  const other = await person(t);
  const mine = (
    await as(t, owner)('POST', '/v1/analytics/dashboards', { name: 'Export me', layout: layout() })
  ).json<Dashboard>();
  await as(t, other)('POST', '/v1/analytics/dashboards', { name: 'Not in it', layout: layout() });
  const report = await as(t, owner)('POST', '/v1/analytics/reports', {
    report_type: 'track_performance',
    format: 'csv',
    period_start: '2026-01-01',
    period_end: '2026-01-31',
  });
  const plan = await buildExportPlan(t.pool.db);
  const exported = async (table: string) =>
    (await t.database.sql.unsafe(tableExportQuery(plan, table), [owner.id])).map(
      (row) => JSON.parse(String(row.json)) as { id: string },
    );
  assert.deepEqual(
    (await exported('dashboard_configs')).map((row) => row.id),
    [mine.id],
  );
  assert.deepEqual(
    (await exported('reports')).map((row) => row.id),
    [report.json<{ id: string }>().id],
  );
  // fk_dashboard_configs_users is ON DELETE CASCADE: erasure of the account row takes the layouts along.
  await t.database.sql`DELETE FROM reports WHERE requested_by = ${owner.id}`;
  await t.database.sql`DELETE FROM users WHERE id = ${owner.id}`;
  assert.equal((await t.database.sql`SELECT 1 FROM dashboard_configs WHERE id = ${mine.id}`).length, 0);
});
