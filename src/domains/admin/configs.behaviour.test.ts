// System settings through the API (issue 18 §13; ADR 0096): registry keys only, values checked against each key's
// schema, audited with the admin's id, public keys readable by anyone, and settings that change behaviour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { kAnonymityThreshold } from './platform-admin.module.ts';
import { account, caller, type Account } from './configs.test-support.ts';

const testApp = useTestApp();

async function admin(): Promise<Account> {
  const t = testApp.current;
  return account(t.database.sql, t.accessTokens, 'admin');
}

interface Problem {
  code: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
}

test('an admin reads every registered key with its default, schema and description; unknown keys are 404', async () => {
  const as = caller(testApp.current.app, await admin());
  const list = await as('GET', '/v1/admin/configs');
  assert.equal(list.statusCode, 200, list.body);
  const items = list.json<{ items: { key: string; value: unknown; is_default: boolean; schema: unknown }[] }>().items;
  const open = items.find((item) => item.key === 'auth.registration_open');
  assert.deepEqual(
    { value: open?.value, is_default: open?.is_default, schema: open?.schema },
    { value: true, is_default: true, schema: { type: 'boolean' } },
  );
  const unknown = await as('GET', '/v1/admin/configs/no.such_key');
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json<Problem>().code, 'CONFIG_KEY_UNKNOWN');
  const unknownPut = await as('PUT', '/v1/admin/configs/no.such_key', { value: 1 });
  assert.equal(unknownPut.statusCode, 404);
  assert.equal((await as('PUT', '/v1/admin/configs/Bad-Key', { value: 1 })).statusCode, 400);
});

test('a value of the wrong type or outside the rules is a 400 naming the key and the rule, and writes nothing', async () => {
  const t = testApp.current;
  const as = caller(t.app, await admin());
  const cases: [string, unknown, string][] = [
    ['auth.registration_open', 'false', 'type'],
    ['auth.registration_open', 0, 'type'],
    ['auth.registration_open', null, 'type'],
    ['analytics.k_anonymity_threshold', 4, 'minimum'],
    ['analytics.k_anonymity_threshold', 5.5, 'type'],
    ['analytics.k_anonymity_threshold', '10', 'type'],
    ['platform.maintenance_banner', 'x'.repeat(281), 'maxLength'],
    ['platform.maintenance_banner', 'line one\nline two', 'pattern'],
    ['platform.maintenance_banner', 'nul \u0000 byte', 'pattern'],
    ['platform.maintenance_banner', { text: 'hi' }, 'type'],
  ];
  for (const [key, value, rule] of cases) {
    const answer = await as('PUT', `/v1/admin/configs/${key}`, { value });
    assert.equal(answer.statusCode, 400, `${key} = ${JSON.stringify(value)}: ${answer.body}`);
    const problem = answer.json<Problem>();
    assert.equal(problem.code, 'CONFIG_VALUE_INVALID');
    assert.ok(problem.detail?.includes(key), problem.detail);
    assert.ok(
      problem.errors?.some(
        (error) => error.rule === rule && error.field === 'body.value' && error.message.includes(key),
      ),
      `${key} = ${JSON.stringify(value)}: ${JSON.stringify(problem.errors)}`,
    );
  }
  const missing = await as('PUT', '/v1/admin/configs/auth.registration_open', {});
  assert.equal(missing.statusCode, 400);
  const tooBig = await as('PUT', '/v1/admin/configs/platform.maintenance_banner', {
    value: Array.from({ length: 5000 }, () => 'filler'),
  });
  assert.equal(tooBig.statusCode, 400);
  assert.equal(tooBig.json<Problem>().errors?.[0]?.rule, 'maxSize');
  const huge = await as('PUT', '/v1/admin/configs/platform.maintenance_banner', { value: 'y'.repeat(2 * 1024 * 1024) });
  assert.equal(huge.statusCode, 413);
  const [{ count } = {}] = await t.database.sql`SELECT count(*)::int AS count FROM system_configs`;
  assert.equal(count, 0);
});

test('a change is stored, audited with the admin as actor, served at once, and a reset brings the default back', async () => {
  const t = testApp.current;
  const boss = await admin();
  const as = caller(t.app, boss);
  const set = await as('PUT', '/v1/admin/configs/analytics.k_anonymity_threshold', { value: 12 });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(
    (({ value, is_default, updated_by }) => ({ value, is_default, updated_by }))(
      set.json<{ value: unknown; is_default: boolean; updated_by: string }>(),
    ),
    { value: 12, is_default: false, updated_by: boss.id },
  );
  assert.equal(
    (await as('GET', '/v1/admin/configs/analytics.k_anonymity_threshold')).json<{ value: number }>().value,
    12,
  );
  assert.equal(await kAnonymityThreshold(t.pool), 12);
  const audit = await t.database.sql`
    SELECT operation, user_id, new_data->'value' AS value FROM audit_logs
    WHERE table_name = 'system_configs' ORDER BY created_at`;
  assert.deepEqual(
    audit.map((row) => ({ ...row })),
    [{ operation: 'INSERT', user_id: boss.id, value: 12 }],
  );
  assert.equal((await as('PUT', '/v1/admin/configs/analytics.k_anonymity_threshold', { value: 20 })).statusCode, 200);
  assert.equal(await kAnonymityThreshold(t.pool), 20);
  const reset = await as('DELETE', '/v1/admin/configs/analytics.k_anonymity_threshold');
  assert.equal(reset.statusCode, 200);
  assert.equal(reset.json<{ value: number; is_default: boolean }>().is_default, true);
  assert.equal(await kAnonymityThreshold(t.pool), 5);
  const operations = await t.database.sql`
    SELECT operation, user_id FROM audit_logs WHERE table_name = 'system_configs' ORDER BY created_at`;
  assert.deepEqual(
    operations.map((row) => `${row.operation} ${row.user_id}`),
    ['INSERT', 'UPDATE', 'DELETE'].map((operation) => `${operation} ${boss.id}`),
  );
});

test('public settings are readable by anyone, the others never', async () => {
  const t = testApp.current;
  const as = caller(t.app, await admin());
  assert.equal(
    (await as('PUT', '/v1/admin/configs/platform.maintenance_banner', { value: 'Maintenance at 02:00 UTC' }))
      .statusCode,
    200,
  );
  assert.equal((await as('PUT', '/v1/admin/configs/analytics.k_anonymity_threshold', { value: 9 })).statusCode, 200);
  const anonymous = await caller(t.app, null)('GET', '/v1/configs/public');
  assert.equal(anonymous.statusCode, 200);
  assert.deepEqual(anonymous.json(), {
    'auth.registration_open': true,
    'platform.maintenance_banner': 'Maintenance at 02:00 UTC',
  });
  assert.equal((await as('DELETE', '/v1/admin/configs/platform.maintenance_banner')).statusCode, 200);
  assert.equal((await as('DELETE', '/v1/admin/configs/analytics.k_anonymity_threshold')).statusCode, 200);
});

test('auth.registration_open = false closes POST /v1/auth/register with 403; true opens it again', async () => {
  const t = testApp.current;
  const as = caller(t.app, await admin());
  const register = (n: number) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: {
        email: `closed-${n}@example.test`,
        username: `closed_${n}`,
        password: 'a long enough passphrase 42',
        data_processing_consent: true,
      },
    });
  assert.equal((await as('PUT', '/v1/admin/configs/auth.registration_open', { value: false })).statusCode, 200);
  const refused = await register(1);
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.json<Problem>().code, 'REGISTRATION_CLOSED');
  const accounts = await t.database.sql`SELECT id FROM users WHERE email = 'closed-1@example.test'`;
  assert.equal(accounts.length, 0);
  assert.equal(
    (await caller(t.app, null)('GET', '/v1/configs/public')).json<Record<string, unknown>>()['auth.registration_open'],
    false,
  );
  // Accounts made by a federated login are new accounts too.
  const federated = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/complete-registration',
      payload: { registration_token: token, username: 'closed_federated', data_processing_consent: true },
    });
  const federatedRefused = await federated('not-a-registration-token');
  assert.equal(federatedRefused.statusCode, 403, federatedRefused.body);
  assert.equal(federatedRefused.json<Problem>().code, 'REGISTRATION_CLOSED');
  assert.equal((await as('PUT', '/v1/admin/configs/auth.registration_open', { value: true })).statusCode, 200);
  assert.equal((await federated('not-a-registration-token')).statusCode, 400);
  const accepted = await register(2);
  assert.equal(accepted.statusCode, 202, accepted.body);
});
