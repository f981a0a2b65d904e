// Feature flags through the API (issue 18 §14; ADR 0096): admin CRUD with validated rollout and conditions, audited,
// and the flags that apply to the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { account, caller } from './configs.test-support.ts';
import { featureFlagOn } from './platform-admin.module.ts';

const testApp = useTestApp();

interface Problem {
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}

const myFlags = async (authorization: string) => {
  const answer = await testApp.current.app.inject({
    method: 'GET',
    url: '/v1/me/feature-flags',
    headers: { authorization },
  });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<{ flags: string[] }>().flags;
};

test('an admin creates (201), replaces (200), reads, lists and deletes (204) a flag; every write is audited', async () => {
  const t = testApp.current;
  const boss = await account(t.database.sql, t.accessTokens, 'admin');
  const as = caller(t.app, boss);
  const body = {
    description: 'New waveform',
    is_enabled: true,
    rollout_percentage: 25,
    conditions: { roles: ['creator'] },
  };
  const created = await as('PUT', '/v1/admin/feature-flags/player.new_waveform', body);
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual((({ updated_at: _at, ...rest }) => rest)(created.json<Record<string, unknown>>()), {
    key: 'player.new_waveform',
    ...body,
    updated_by: boss.id,
  });
  const replaced = await as('PUT', '/v1/admin/feature-flags/player.new_waveform', {
    is_enabled: false,
    rollout_percentage: 0,
  });
  assert.equal(replaced.statusCode, 200);
  assert.deepEqual(
    (({ description, conditions, is_enabled }) => ({ description, conditions, is_enabled }))(
      replaced.json<Record<string, unknown>>(),
    ),
    { description: null, conditions: {}, is_enabled: false },
  );
  assert.equal((await as('GET', '/v1/admin/feature-flags/player.new_waveform')).statusCode, 200);
  const list = (await as('GET', '/v1/admin/feature-flags')).json<{ items: { key: string }[] }>().items;
  assert.deepEqual(
    list.map((flag) => flag.key),
    ['player.new_waveform'],
  );
  assert.equal((await as('DELETE', '/v1/admin/feature-flags/player.new_waveform')).statusCode, 204);
  const gone = await as('GET', '/v1/admin/feature-flags/player.new_waveform');
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json<Problem>().code, 'FEATURE_FLAG_NOT_FOUND');
  assert.equal((await as('DELETE', '/v1/admin/feature-flags/player.new_waveform')).statusCode, 404);
  const audit = await t.database.sql`
    SELECT operation, user_id FROM audit_logs WHERE table_name = 'feature_flags' ORDER BY created_at`;
  assert.deepEqual(
    audit.map((row) => `${row.operation} ${row.user_id}`),
    ['INSERT', 'UPDATE', 'DELETE'].map((operation) => `${operation} ${boss.id}`),
  );
});

test('a rollout of 150 %, a negative one, a fraction, an unknown condition or role: 400 naming the field, nothing written', async () => {
  const t = testApp.current;
  const as = caller(t.app, await account(t.database.sql, t.accessTokens, 'admin'));
  const cases: [unknown, string, string][] = [
    [{ is_enabled: true, rollout_percentage: 150 }, 'body.rollout_percentage', 'maximum'],
    [{ is_enabled: true, rollout_percentage: -1 }, 'body.rollout_percentage', 'minimum'],
    [{ is_enabled: true, rollout_percentage: 12.5 }, 'body.rollout_percentage', 'type'],
    [{ is_enabled: 'yes', rollout_percentage: 10 }, 'body.is_enabled', 'type'],
    [{ is_enabled: true }, 'body', 'required'],
    [
      { is_enabled: true, rollout_percentage: 10, conditions: { country: ['FR'] } },
      'body.conditions',
      'additionalProperties',
    ],
    [{ is_enabled: true, rollout_percentage: 10, conditions: { roles: ['root'] } }, 'body.conditions.roles', 'enum'],
    [
      { is_enabled: true, rollout_percentage: 10, conditions: { testers: ['not-a-uuid'] } },
      'body.conditions.testers',
      'format',
    ],
    [{ is_enabled: true, rollout_percentage: 10, conditions: [] }, 'body.conditions', 'type'],
  ];
  for (const [body, field, rule] of cases) {
    const answer = await as('PUT', '/v1/admin/feature-flags/bad.flag', body);
    assert.equal(answer.statusCode, 400, `${JSON.stringify(body)}: ${answer.body}`);
    const errors = answer.json<Problem>().errors ?? [];
    assert.ok(
      errors.some((error) => error.field.startsWith(field) && error.rule === rule),
      `${JSON.stringify(body)}: ${JSON.stringify(errors)}`,
    );
  }
  assert.equal(
    (await as('PUT', '/v1/admin/feature-flags/Bad Key', { is_enabled: true, rollout_percentage: 1 })).statusCode,
    400,
  );
  const [{ count } = {}] = await t.database.sql`SELECT count(*)::int AS count FROM feature_flags`;
  assert.equal(count, 0);
});

test('GET /v1/me/feature-flags answers the flags that apply to the caller: roles, testers, rollout, master switch', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const { accessTokens } = t;
  const as = caller(t.app, await account(sql, accessTokens, 'admin'));
  const member = await account(sql, accessTokens, 'user');
  const creator = await account(sql, accessTokens, 'creator');
  const tester = await account(sql, accessTokens, 'user');
  const put = async (key: string, body: object) =>
    assert.ok((await as('PUT', `/v1/admin/feature-flags/${key}`, body)).statusCode < 300);
  await put('everyone.on', { is_enabled: true, rollout_percentage: 100 });
  await put('everyone.off', { is_enabled: false, rollout_percentage: 100 });
  await put('creators.only', { is_enabled: true, rollout_percentage: 100, conditions: { roles: ['creator'] } });
  await put('testers.only', { is_enabled: true, rollout_percentage: 0, conditions: { testers: [tester.id] } });
  assert.deepEqual(await myFlags(member.authorization), ['everyone.on']);
  assert.deepEqual(await myFlags(creator.authorization), ['creators.only', 'everyone.on']);
  assert.deepEqual(await myFlags(tester.authorization), ['everyone.on', 'testers.only']);
  assert.equal(await featureFlagOn(t.pool, 'creators.only', { userId: creator.id, role: 'creator' }), true);
  assert.equal(await featureFlagOn(t.pool, 'creators.only', { userId: member.id, role: 'user' }), false);
  assert.equal(await featureFlagOn(t.pool, 'no.such_flag', { userId: member.id, role: 'user' }), false);
  // Switched off: off for everyone, testers included.
  await put('testers.only', { is_enabled: false, rollout_percentage: 0, conditions: { testers: [tester.id] } });
  assert.deepEqual(await myFlags(tester.authorization), ['everyone.on']);
  const anonymous = await t.app.inject({ method: 'GET', url: '/v1/me/feature-flags' });
  assert.equal(anonymous.statusCode, 401);
});

test('a 40 % rollout gives each account the same answer on every call', async () => {
  const t = testApp.current;
  const as = caller(t.app, await account(t.database.sql, t.accessTokens, 'admin'));
  assert.equal(
    (await as('PUT', '/v1/admin/feature-flags/half.rollout', { is_enabled: true, rollout_percentage: 40 })).statusCode,
    201,
  );
  const people = await Promise.all(Array.from({ length: 30 }, () => account(t.database.sql, t.accessTokens, 'user')));
  const first = await Promise.all(people.map(async (p) => (await myFlags(p.authorization)).includes('half.rollout')));
  const again = await Promise.all(people.map(async (p) => (await myFlags(p.authorization)).includes('half.rollout')));
  assert.deepEqual(again, first);
  assert.ok(first.includes(true) && first.includes(false), 'with 30 accounts at 40 %, some are in and some out');
});
