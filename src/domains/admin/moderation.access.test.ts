// Who may call each moderation route (issue 18: "the BOLA matrix covers every new route, including admin-only
// routes refused to others"). Routes come from /openapi.json (tags moderation-reports and moderation), so a route
// added later is covered without touching this file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { as, member, type Person } from './moderation.test-support.ts';

const testApp = useTestApp();

test('moderation routes: anonymous 401, non-moderators 403, and no one reads another reporter’s reports', async () => {
  const t = testApp.current;
  const reporter = await member(t);
  const other = await member(t);
  const moderator = await member(t, 'moderator');
  const admin = await member(t, 'admin');
  const reported = await member(t);
  const secret = 'only the reporter may read these words';
  const reply = await as(t, reporter)('POST', '/v1/reports', {
    entity_type: 'user',
    entity_id: reported.id,
    reason: 'harassment',
    details: secret,
  });
  assert.equal(reply.statusCode, 201, reply.body);
  const reportId = reply.json<{ id: string }>().id;

  const bodies: Record<string, unknown> = {
    'POST /v1/reports': { entity_type: 'user', entity_id: reported.id, reason: 'spam' },
    'PUT /v1/moderation/reports/{id}/assignee': { moderator_id: null },
    'POST /v1/moderation/reports/{id}/resolution': { action: 'warn', reason: 'Please be kind' },
    'POST /v1/moderation/actions': { entity_type: 'user', entity_id: reported.id, action: 'warn', reason: 'Kindness' },
  };
  const call = (route: DocumentedRoute, who: Person | null) =>
    as(t, who)(route.method as 'GET', route.path.replace('{id}', reportId), bodies[route.key]);

  const userRoutes = await documentedRoutes(t.app, 'moderation-reports');
  const staffRoutes = await documentedRoutes(t.app, 'moderation');
  assert.ok(userRoutes.length >= 3, JSON.stringify(userRoutes.map((route) => route.key)));
  assert.ok(staffRoutes.length >= 8, JSON.stringify(staffRoutes.map((route) => route.key)));

  for (const route of [...userRoutes, ...staffRoutes]) {
    assert.ok(route.secured, `${route.key} must be documented as secured`);
    assert.equal((await call(route, null)).statusCode, 401, route.key);
  }
  for (const route of staffRoutes) {
    for (const who of [reporter, other]) {
      const refused = await call(route, who);
      assert.equal(refused.statusCode, 403, `${route.key}: ${refused.body}`);
      assert.ok(!refused.body.includes(secret), route.key);
    }
  }
  for (const route of userRoutes) {
    const answer = await call(route, other);
    assert.ok(answer.statusCode < 300, `${route.key}: ${answer.statusCode} ${answer.body}`);
    assert.ok(!answer.body.includes(secret), `${route.key} leaks another reporter’s report`);
    assert.ok(!answer.body.includes(reportId), `${route.key} leaks another reporter’s report`);
  }
  // Staff read it.
  for (const who of [moderator, admin]) {
    const detail = await as(t, who)('GET', `/v1/moderation/reports/${reportId}`);
    assert.equal(detail.statusCode, 200, detail.body);
    assert.ok(detail.body.includes(secret));
  }
  // Nothing the refused callers sent changed the report.
  const [row] = await t.database
    .sql`SELECT status, assigned_moderator_id FROM moderation_reports WHERE id = ${reportId}`;
  assert.deepEqual({ ...row }, { status: 'open', assigned_moderator_id: null });
  // The other user's POST in the loop filed their own report, nothing more.
  const [mine] = await t.database
    .sql`SELECT count(*)::int AS n FROM moderation_reports WHERE reporter_id = ${other.id}`;
  assert.equal(mine!.n, 1);
});
