// Sanctions on accounts (issue 18 §12, ADR 0095): suspensions end by themselves (pinned clock), bans hold until
// restored, moderators never act on administrators, and the platform always keeps an administrator who can act.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { PasswordHasher } from '../auth/index.ts';
import { createModerationRepository } from './moderation.repository.ts';
import { ModerationService } from './moderation.service.ts';
import { as, member, type Member } from './moderation.test-support.ts';

const testApp = useTestApp();

const PASSWORD = 'a long and unusual passphrase for moderation';

function act(moderator: Member, target: string, action: string, extra: Record<string, unknown> = {}) {
  return as(testApp.current, moderator)('POST', '/v1/moderation/actions', {
    entity_type: 'user',
    entity_id: target,
    action,
    reason: `Reason for ${action}`,
    ...extra,
  });
}

test('a suspended account cannot sign in nor use its tokens until the suspension ends (pinned clock)', async (t) => {
  const app = testApp.current;
  const start = Date.parse('2031-03-01T10:00:00Z');
  t.mock.timers.enable({ apis: ['Date'], now: start });
  const moderator = await member(app, 'moderator');
  const target = await member(app);
  await app.database.sql`
    UPDATE users SET password_hash = ${await new PasswordHasher(4).hash(PASSWORD)} WHERE id = ${target.id}`;
  const login = () => as(app, null)('POST', '/v1/auth/login', { identifier: target.username, password: PASSWORD });
  const tokenWorks = async () => {
    const fresh = await app.accessTokens.issue({ userId: target.id, tokenVersion: 0, role: 'user' });
    const answer = await as(app, { id: target.id, authorization: `Bearer ${fresh.token}` })('GET', '/v1/me/reports');
    return answer.statusCode;
  };
  assert.equal(await tokenWorks(), 200);

  const suspended = await act(moderator, target.id, 'suspend', { duration_hours: 24 });
  assert.equal(suspended.statusCode, 200, suspended.body);
  assert.equal(
    suspended.json<{ action: { expires_at: string } }>().action.expires_at,
    new Date(start + 24 * 3_600_000).toISOString(),
  );
  assert.equal((await as(app, target)('GET', '/v1/me/reports')).statusCode, 401);
  assert.equal(await tokenWorks(), 401);
  const refused = await login();
  assert.equal(refused.statusCode, 403, refused.body);

  t.mock.timers.setTime(start + 24 * 3_600_000 - 1000);
  assert.equal(await tokenWorks(), 401);
  t.mock.timers.setTime(start + 24 * 3_600_000 + 1000);
  assert.equal(await tokenWorks(), 200);
  const allowed = await login();
  assert.equal(allowed.statusCode, 200, allowed.body);

  const notice = await app.database.sql`
    SELECT title FROM notifications WHERE user_id = ${target.id} AND type = 'system'`;
  assert.match(String(notice[0]!.title), /suspended until 2031-03-02T10:00:00.000Z: Reason for suspend/);
});

test('a ban holds until restored; a restore of an account in good standing is a conflict', async () => {
  const app = testApp.current;
  const moderator = await member(app, 'moderator');
  const target = await member(app);
  assert.equal((await act(moderator, target.id, 'restore')).statusCode, 409);
  assert.equal((await act(moderator, target.id, 'ban')).statusCode, 200);
  assert.equal((await as(app, target)('GET', '/v1/me/reports')).statusCode, 401);
  assert.equal((await act(moderator, target.id, 'ban')).statusCode, 409);
  assert.equal((await act(moderator, target.id, 'restore')).statusCode, 200);
  assert.equal((await as(app, target)('GET', '/v1/me/reports')).statusCode, 200);
  const trail = await app.database.sql`
    SELECT user_id, new_data->>'is_banned' AS banned FROM audit_logs
    WHERE table_name = 'users' AND record_id = ${target.id} AND operation = 'UPDATE' ORDER BY created_at`;
  assert.deepEqual(
    trail.map((row) => [row.user_id, row.banned]),
    [
      [moderator.id, 'true'],
      [moderator.id, 'false'],
    ],
  );
});

test('moderators cannot act on administrators nor on themselves; administrators can act on moderators', async () => {
  const app = testApp.current;
  const moderator = await member(app, 'moderator');
  const admin = await member(app, 'admin');
  for (const action of ['warn', 'ban']) {
    const refused = await act(moderator, admin.id, action);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json<{ code: string }>().code, 'MODERATION_PROTECTED_ACCOUNT');
  }
  assert.equal((await act(moderator, moderator.id, 'warn')).statusCode, 403);
  assert.equal((await act(admin, admin.id, 'ban')).statusCode, 403);
  // Content owned by an administrator is out of a moderator's reach too.
  const post = await as(app, admin)('POST', '/v1/posts', { content: 'Admin announcement', visibility: 'public' });
  const hide = await as(app, moderator)('POST', '/v1/moderation/actions', {
    entity_type: 'post',
    entity_id: post.json<{ id: string }>().id,
    action: 'hide',
    reason: 'No',
  });
  assert.equal(hide.statusCode, 403);
  assert.equal((await act(admin, moderator.id, 'warn')).statusCode, 200);
  const [count] = await app.database.sql`
    SELECT count(*)::int AS n FROM moderation_actions WHERE target_user_id = ${admin.id}`;
  assert.equal(count!.n, 0);
});

test('the last administrator who can act is never banned, even by two admins banning each other at once', async () => {
  const app = testApp.current;
  const { sql } = app.database;
  // Only these two administrators exist in this test's world.
  await sql`UPDATE users SET role = 'user' WHERE role = 'admin'`;
  const first = await member(app, 'admin');
  const second = await member(app, 'admin');
  const both = await Promise.all([act(first, second.id, 'ban'), act(second, first.id, 'ban')]);
  const statuses = both.map((answer) => answer.statusCode).sort();
  assert.equal(statuses[0], 200, both.map((answer) => answer.body).join('\n'));
  // The loser was either already refused at authentication (banned) or by the last-admin rule.
  assert.ok(statuses[1] === 401 || statuses[1] === 409, both.map((answer) => answer.body).join('\n'));
  const [usable] = await sql`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT is_banned`;
  assert.equal(usable!.n, 1);

  // The same rule when the loser's request got past authentication before the ban committed.
  const banned = both[0].statusCode === 200 ? second : first;
  const survivor = banned === first ? second : first;
  const service = new ModerationService({ db: app.pool.db, repository: createModerationRepository(app.pool.db) });
  await assert.rejects(
    service.act(
      { userId: banned.id, role: 'admin' },
      { entity_type: 'user', entity_id: survivor.id, action: 'ban', reason: 'Revenge' },
    ),
    (error: { code?: string }) => error.code === 'LAST_ADMIN',
  );
  await assert.rejects(
    service.act(
      { userId: banned.id, role: 'admin' },
      { entity_type: 'user', entity_id: survivor.id, action: 'suspend', duration_hours: 1, reason: 'Revenge' },
    ),
    (error: { code?: string }) => error.code === 'LAST_ADMIN',
  );
});
