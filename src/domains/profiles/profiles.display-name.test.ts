// PATCH /v1/me (issue 10): the display name, shown everywhere, becomes settable by its owner, and only by them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { brokenRules, call, newCaller } from './profiles.test-support.ts';

const testApp = useTestApp();
const sql = () => testApp.current.database.sql;

describe('PATCH /v1/me', () => {
  test('sets the display name (trimmed, NFC), shown on the account and the public profile; null removes it', async () => {
    const me = await newCaller(testApp);
    await sql()`INSERT INTO user_profiles (user_id) VALUES (${me.id})`;
    // "Zoë" with a combining diaeresis: stored composed, as the same name typed on another keyboard would be.
    const answer = await call(testApp, 'PATCH', '/v1/me', { as: me, body: { display_name: '  Zoe\u0308 Ångström ' } });
    assert.equal(answer.status, 200, answer.raw.toString());
    assert.equal(answer.body.display_name, 'Zo\u00eb Ångström');
    assert.equal(answer.body.id, me.id);

    const profile = await call(testApp, 'GET', `/v1/users/${me.username}`);
    assert.equal(profile.status, 200, profile.raw.toString());
    assert.equal(profile.body.display_name, 'Zo\u00eb Ångström');

    const [audit] = await sql()`
      SELECT old_data ->> 'display_name' AS old, new_data ->> 'display_name' AS new, user_id FROM audit_logs
      WHERE table_name = 'users' AND record_id = ${me.id} AND operation = 'UPDATE'`;
    assert.deepEqual({ ...audit }, { old: null, new: 'Zo\u00eb Ångström', user_id: me.id });

    const removed = await call(testApp, 'PATCH', '/v1/me', { as: me, body: { display_name: null } });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.display_name, null);
  });

  test('refuses, naming field and rule, what would break a page or pass for someone else', async () => {
    const me = await newCaller(testApp, 'user', { display_name: 'Kept' });
    const cases: [unknown, string][] = [
      ['   ', 'body.display_name notBlank'],
      ['', 'body.display_name minLength'],
      ['x'.repeat(101), 'body.display_name maxLength'],
      ['two\nlines', 'body.display_name pattern'],
      ['evil\u202Eeman', 'body.display_name pattern'],
      ['[Compte supprimé]', 'body.display_name reserved'],
      [42, 'body.display_name type'],
    ];
    for (const [value, rule] of cases) {
      const answer = await call(testApp, 'PATCH', '/v1/me', { as: me, body: { display_name: value } });
      assert.equal(answer.status, 400, `${JSON.stringify(value)}: ${answer.raw.toString()}`);
      assert.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.deepEqual(brokenRules(answer.body), [rule], JSON.stringify(value));
    }
    const empty = await call(testApp, 'PATCH', '/v1/me', { as: me, body: {} });
    assert.equal(empty.status, 400);
    const other = await call(testApp, 'PATCH', '/v1/me', { as: me, body: { username: 'someone_else' } });
    assert.equal(other.status, 400, 'the username changes through PUT /v1/me/username');
    const [row] = await sql()`SELECT display_name FROM users WHERE id = ${me.id}`;
    assert.equal(row?.display_name, 'Kept', 'nothing refused was written');
  });

  test('anonymous callers are refused before the body is read; each caller changes only their own account', async () => {
    assert.equal((await call(testApp, 'PATCH', '/v1/me', { body: { display_name: 'x' } })).status, 401);
    const alice = await newCaller(testApp, 'user', { display_name: 'Alice' });
    const bob = await newCaller(testApp, 'user', { display_name: 'Bob' });
    const answer = await call(testApp, 'PATCH', '/v1/me', { as: bob, body: { display_name: 'Not Alice' } });
    assert.equal(answer.status, 200);
    const rows =
      await sql()`SELECT id, display_name FROM users WHERE id IN (${alice.id}, ${bob.id}) ORDER BY display_name`;
    assert.deepEqual(
      rows.map((row) => [row.id, row.display_name]),
      [
        [alice.id, 'Alice'],
        [bob.id, 'Not Alice'],
      ],
    );
  });
});
