// Declared professional roles (spec §5.3), their verification by staff, and platform roles (users.role).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { brokenRules, call, newCaller } from './profiles.test-support.ts';

const testApp = useTestApp();

describe('declared roles', () => {
  test('declare (201, then 200), list with the verified flag, withdraw (204, then 404)', async () => {
    const me = await newCaller(testApp);
    const declared = await call(testApp, 'PUT', '/v1/me/roles/sound_engineer', { as: me });
    assert.equal(declared.status, 201);
    assert.deepEqual(
      { ...declared.body, declared_at: undefined },
      { role: 'sound_engineer', verified: false, verified_at: null, declared_at: undefined },
    );
    const again = await call(testApp, 'PUT', '/v1/me/roles/sound_engineer', { as: me });
    assert.equal(again.status, 200);
    assert.equal(again.body.declared_at, declared.body.declared_at);
    await call(testApp, 'PUT', '/v1/me/roles/producer', { as: me });

    const listed = await call(testApp, 'GET', `/v1/users/${me.username}/roles`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.items.map((item: { role: string; verified: boolean }) => [item.role, item.verified]),
      [
        ['sound_engineer', false],
        ['producer', false],
      ],
    );
    assert.deepEqual(Object.keys(listed.body.items[0]).sort(), ['declared_at', 'role', 'verified', 'verified_at']);
    assert.deepEqual((await call(testApp, 'GET', '/v1/me/roles', { as: me })).body, listed.body);

    const withdrawn = await call(testApp, 'DELETE', '/v1/me/roles/producer', { as: me });
    assert.equal(withdrawn.status, 204);
    assert.equal(withdrawn.raw.length, 0);
    const missing = await call(testApp, 'DELETE', '/v1/me/roles/producer', { as: me });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ROLE_NOT_DECLARED');
    const audit = await testApp.current.database.sql`
      SELECT operation, user_id FROM audit_logs WHERE table_name = 'user_roles' ORDER BY created_at, id`;
    assert.ok(
      audit.some((row) => row.operation === 'DELETE' && row.user_id === me.id),
      'withdrawal audited',
    );
  });

  test('a role is lower snake case, at most 50 characters; at most 20 roles', async () => {
    const me = await newCaller(testApp);
    for (const role of [
      'Producer',
      'sound-engineer',
      '_lead',
      'two__underscores',
      'trailing_',
      '9lives',
      'x'.repeat(51),
    ]) {
      const answer = await call(testApp, 'PUT', `/v1/me/roles/${encodeURIComponent(role)}`, { as: me });
      assert.equal(answer.status, 400, role);
      assert.equal(brokenRules(answer.body)[0]?.startsWith('params.role '), true, role);
    }
    assert.equal((await call(testApp, 'PUT', `/v1/me/roles/${'x'.repeat(50)}`, { as: me })).status, 201);
    for (let i = 1; i < 20; i += 1)
      assert.equal((await call(testApp, 'PUT', `/v1/me/roles/role_${i}`, { as: me })).status, 201);
    const tooMany = await call(testApp, 'PUT', '/v1/me/roles/one_more', { as: me });
    assert.equal(tooMany.status, 409);
    assert.equal(tooMany.body.code, 'TOO_MANY_ROLES');
    assert.equal((await call(testApp, 'PUT', '/v1/me/roles/role_1', { as: me })).status, 200, 'redeclaring is fine');
  });

  test('anonymous callers get 401; another user cannot declare or withdraw someone else’s roles', async () => {
    const [owner, other] = [await newCaller(testApp), await newCaller(testApp)];
    await call(testApp, 'PUT', '/v1/me/roles/composer', { as: owner });
    assert.equal((await call(testApp, 'PUT', '/v1/me/roles/composer')).status, 401);
    assert.equal((await call(testApp, 'DELETE', '/v1/me/roles/composer')).status, 401);
    assert.equal((await call(testApp, 'GET', '/v1/me/roles')).status, 401);
    assert.equal((await call(testApp, 'DELETE', '/v1/me/roles/composer', { as: other })).status, 404);
    assert.deepEqual(
      (await call(testApp, 'GET', `/v1/users/${owner.username}/roles`, { as: other })).body.items.map(
        (item: { role: string }) => item.role,
      ),
      ['composer'],
    );
  });
});

describe('role verification (staff)', () => {
  test('a moderator or an admin verifies a declared role: who and when are recorded and audited', async () => {
    const [me, moderator, admin] = [
      await newCaller(testApp),
      await newCaller(testApp, 'moderator'),
      await newCaller(testApp, 'admin'),
    ];
    await call(testApp, 'PUT', '/v1/me/roles/label', { as: me });
    await call(testApp, 'PUT', '/v1/me/roles/educator', { as: me });
    const verified = await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/label/verify`, { as: moderator });
    assert.equal(verified.status, 200);
    assert.equal(verified.body.verified, true);
    assert.ok(verified.body.verified_at);
    const byAdmin = await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/educator/verify`, { as: admin });
    assert.equal(byAdmin.body.verified, true);

    const { sql } = testApp.current.database;
    const [row] = await sql`SELECT verified_by FROM user_roles WHERE user_id = ${me.id} AND role = 'label'`;
    assert.equal(row!.verified_by, moderator.id);
    const [audit] = await sql`
      SELECT user_id, old_data->>'verified' AS before, new_data->>'verified' AS after FROM audit_logs
      WHERE table_name = 'user_roles' AND operation = 'UPDATE' AND new_data->>'role' = 'label'
        AND new_data->>'user_id' = ${me.id}`;
    assert.deepEqual({ ...audit }, { user_id: moderator.id, before: 'false', after: 'true' });

    // Verifying again keeps the first verification.
    const again = await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/label/verify`, { as: admin });
    assert.equal(again.body.verified_at, verified.body.verified_at);
    const [still] = await sql`SELECT verified_by FROM user_roles WHERE user_id = ${me.id} AND role = 'label'`;
    assert.equal(still!.verified_by, moderator.id);

    const shown = await call(testApp, 'GET', `/v1/users/${me.username}/roles`);
    assert.ok(shown.body.items.every((item: { verified: boolean }) => item.verified));
    assert.doesNotMatch(JSON.stringify(shown.body), new RegExp(moderator.id), 'who verified is not public');
  });

  test('users, creators and premium members get 403, anonymous callers 401; nothing is verified', async () => {
    const me = await newCaller(testApp);
    await call(testApp, 'PUT', '/v1/me/roles/dj', { as: me });
    for (const role of ['user', 'creator', 'premium'] as const) {
      const caller = await newCaller(testApp, role);
      const answer = await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/dj/verify`, { as: caller });
      assert.equal(answer.status, 403, role);
    }
    assert.equal((await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/dj/verify`)).status, 401);
    const selfVerify = await call(testApp, 'POST', `/v1/admin/users/${me.id}/roles/dj/verify`, { as: me });
    assert.equal(selfVerify.status, 403);
    const [row] = await testApp.current.database.sql`SELECT verified FROM user_roles WHERE user_id = ${me.id}`;
    assert.equal(row!.verified, false);
  });

  test('staff cannot verify their own roles; unknown users and undeclared roles are 404', async () => {
    const moderator = await newCaller(testApp, 'moderator');
    await call(testApp, 'PUT', '/v1/me/roles/producer', { as: moderator });
    const own = await call(testApp, 'POST', `/v1/admin/users/${moderator.id}/roles/producer/verify`, { as: moderator });
    assert.equal(own.status, 403);
    assert.equal(own.body.code, 'SELF_VERIFICATION');
    const someone = await newCaller(testApp);
    const undeclared = await call(testApp, 'POST', `/v1/admin/users/${someone.id}/roles/producer/verify`, {
      as: moderator,
    });
    assert.equal(undeclared.status, 404);
    assert.equal(undeclared.body.code, 'ROLE_NOT_DECLARED');
    const nobody = await call(testApp, 'POST', `/v1/admin/users/${randomUUID()}/roles/producer/verify`, {
      as: moderator,
    });
    assert.equal(nobody.body.code, 'USER_NOT_FOUND');
    const badId = await call(testApp, 'POST', '/v1/admin/users/not-a-uuid/roles/producer/verify', { as: moderator });
    assert.deepEqual(brokenRules(badId.body), ['params.id format']);
  });
});

describe('platform roles (admin)', () => {
  test('an admin changes a platform role; it takes effect on the next request and is audited', async () => {
    const [admin, member] = [await newCaller(testApp, 'admin'), await newCaller(testApp)];
    const answer = await call(testApp, 'PATCH', `/v1/admin/users/${member.id}/role`, {
      as: admin,
      body: { role: 'moderator' },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { id: member.id, username: member.username, role: 'moderator' });
    // The token still says "user"; the account's role is what counts.
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: member })).body.role, 'moderator');
    const [audit] = await testApp.current.database.sql`
      SELECT user_id, old_data->>'role' AS before, new_data->>'role' AS after FROM audit_logs
      WHERE table_name = 'users' AND record_id = ${member.id} AND operation = 'UPDATE'`;
    assert.deepEqual({ ...audit }, { user_id: admin.id, before: 'user', after: 'moderator' });
  });

  test('user, creator, premium and moderator get 403, anonymous callers 401; bad input 400; unknown user 404', async () => {
    const target = await newCaller(testApp);
    for (const role of ['user', 'creator', 'premium', 'moderator'] as const) {
      const caller = await newCaller(testApp, role);
      const answer = await call(testApp, 'PATCH', `/v1/admin/users/${caller.id}/role`, {
        as: caller,
        body: { role: 'admin' },
      });
      assert.equal(answer.status, 403, `${role} promoting themself`);
      const other = await call(testApp, 'PATCH', `/v1/admin/users/${target.id}/role`, {
        as: caller,
        body: { role: 'admin' },
      });
      assert.equal(other.status, 403, role);
    }
    assert.equal(
      (await call(testApp, 'PATCH', `/v1/admin/users/${target.id}/role`, { body: { role: 'admin' } })).status,
      401,
    );
    const [row] = await testApp.current.database.sql`SELECT role FROM users WHERE id = ${target.id}`;
    assert.equal(row!.role, 'user');

    const admin = await newCaller(testApp, 'admin');
    const bad = await call(testApp, 'PATCH', `/v1/admin/users/${target.id}/role`, {
      as: admin,
      body: { role: 'superuser' },
    });
    assert.deepEqual(brokenRules(bad.body), ['body.role enum']);
    const missing = await call(testApp, 'PATCH', `/v1/admin/users/${randomUUID()}/role`, {
      as: admin,
      body: { role: 'creator' },
    });
    assert.equal(missing.status, 404);
    const deleted = await newCaller(testApp, 'user', { deleted_at: new Date() });
    const gone = await call(testApp, 'PATCH', `/v1/admin/users/${deleted.id}/role`, {
      as: admin,
      body: { role: 'creator' },
    });
    assert.equal(gone.status, 404);
  });

  test('the last active admin cannot demote themself; with another admin they can; never both at once', async () => {
    const { sql } = testApp.current.database;
    await sql`UPDATE users SET role = 'user' WHERE role = 'admin'`;
    const only = await newCaller(testApp, 'admin');
    // A banned or deleted admin does not count as one.
    await newCaller(testApp, 'admin', { is_banned: true });
    await newCaller(testApp, 'admin', { deleted_at: new Date() });
    const refused = await call(testApp, 'PATCH', `/v1/admin/users/${only.id}/role`, {
      as: only,
      body: { role: 'user' },
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'LAST_ADMIN');
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: only })).body.role, 'admin');
    const keeping = await call(testApp, 'PATCH', `/v1/admin/users/${only.id}/role`, {
      as: only,
      body: { role: 'admin' },
    });
    assert.equal(keeping.status, 200, 'staying admin is fine');

    const second = await newCaller(testApp, 'admin');
    for (let round = 0; round < 5; round += 1) {
      // Two admins demote each other at the same time: exactly one succeeds, the other is told why (409, or 403
      // when it was already demoted by the time it arrived); never a deadlock (503) or no admin at all.
      const answers = await Promise.all([
        call(testApp, 'PATCH', `/v1/admin/users/${second.id}/role`, { as: only, body: { role: 'user' } }),
        call(testApp, 'PATCH', `/v1/admin/users/${only.id}/role`, { as: second, body: { role: 'user' } }),
      ]);
      const statuses = answers.map((answer) => answer.status).sort();
      const [admins] = await sql<{ count: number }[]>`
        SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND deleted_at IS NULL AND NOT is_banned`;
      assert.equal(admins!.count, 1, `round ${round}: one admin left (${statuses.join(',')})`);
      assert.ok(
        JSON.stringify(statuses) === '[200,409]' || JSON.stringify(statuses) === '[200,403]',
        `round ${round}: ${statuses.join(',')}`,
      );
      await sql`UPDATE users SET role = 'admin' WHERE id IN (${only.id}, ${second.id})`;
    }

    const stepDown = await call(testApp, 'PATCH', `/v1/admin/users/${only.id}/role`, {
      as: only,
      body: { role: 'creator' },
    });
    assert.equal(stepDown.status, 200, 'another admin remains');
  });
});
