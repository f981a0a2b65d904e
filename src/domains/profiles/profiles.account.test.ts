// The caller's account over HTTP: GET /v1/me, consents (audited), GDPR export and account deletion.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcrypt';
import { exportUserData, markExported, userExportDirectory } from '../../lifecycle/gdpr/export.ts';
import { testConfig, useTestApp } from '../../../test/helpers/app.ts';
import { brokenRules, call, newCaller } from './profiles.test-support.ts';

const testApp = useTestApp();
const exportDirectories: string[] = [];
after(async () => {
  for (const directory of exportDirectories) await rm(directory, { recursive: true, force: true });
});

describe('GET /v1/me', () => {
  test('answers the caller’s account and consents, never a credential', async () => {
    const me = await newCaller(testApp, 'creator', { display_name: 'Me Myself', password_hash: '$2b$04$secretsecret' });
    const answer = await call(testApp, 'GET', '/v1/me', { as: me });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body).sort(), [
      'consents',
      'created_at',
      'display_name',
      'email',
      'email_verified_at',
      'id',
      'role',
      'username',
    ]);
    assert.equal(answer.body.id, me.id);
    assert.equal(answer.body.email, me.email);
    assert.equal(answer.body.role, 'creator');
    assert.equal(answer.body.display_name, 'Me Myself');
    assert.deepEqual(answer.body.consents, {
      data_processing_consent: false,
      data_processing_consent_at: null,
      marketing_consent: false,
      marketing_consent_at: null,
    });
    assert.doesNotMatch(JSON.stringify(answer.body), /secretsecret|token_version|password/);
  });

  test('an anonymous caller gets 401, another user gets their own account', async () => {
    const [owner, other] = [await newCaller(testApp), await newCaller(testApp)];
    assert.equal((await call(testApp, 'GET', '/v1/me')).status, 401);
    const answer = await call(testApp, 'GET', '/v1/me', { as: other });
    assert.equal(answer.body.id, other.id);
    assert.notEqual(answer.body.email, owner.email);
  });
});

describe('consents', () => {
  test('a change stamps its time and is audited with the old and new state and who acted', async () => {
    const me = await newCaller(testApp, 'user', {
      data_processing_consent: true,
      data_processing_consent_at: new Date('2024-01-02T03:04:05Z'),
    });
    const before = await call(testApp, 'GET', '/v1/me/consents', { as: me });
    assert.equal(before.status, 200);
    assert.equal(before.body.data_processing_consent_at, '2024-01-02T03:04:05.000Z');

    const given = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { marketing_consent: true } });
    assert.equal(given.status, 200);
    assert.equal(given.body.marketing_consent, true);
    assert.ok(Date.now() - Date.parse(given.body.marketing_consent_at) < 60_000, 'stamped now');
    assert.equal(given.body.data_processing_consent_at, '2024-01-02T03:04:05.000Z', 'the other consent untouched');

    const withdrawn = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { marketing_consent: false } });
    assert.equal(withdrawn.body.marketing_consent, false);
    assert.ok(Date.parse(withdrawn.body.marketing_consent_at) >= Date.parse(given.body.marketing_consent_at));

    const { sql } = testApp.current.database;
    const audit = await sql`
      SELECT user_id, old_data, new_data FROM audit_logs
      WHERE table_name = 'users' AND record_id = ${me.id} AND operation = 'UPDATE' ORDER BY created_at, id`;
    assert.equal(audit.length, 2, 'one audit row per change');
    const [first, second] = audit;
    assert.equal(first!.user_id, me.id, 'the caller is the recorded actor');
    assert.equal(first!.old_data.marketing_consent, false);
    assert.equal(first!.old_data.marketing_consent_at, null);
    assert.equal(first!.new_data.marketing_consent, true);
    assert.notEqual(first!.new_data.marketing_consent_at, null);
    assert.equal(second!.old_data.marketing_consent, true);
    assert.equal(second!.new_data.marketing_consent, false);
    assert.equal(second!.user_id, me.id);
  });

  test('repeating the current value changes nothing: same timestamp, no audit row', async () => {
    const me = await newCaller(testApp);
    const first = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { marketing_consent: true } });
    const again = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { marketing_consent: true } });
    assert.equal(again.status, 200);
    assert.equal(again.body.marketing_consent_at, first.body.marketing_consent_at);
    const [audited] = await testApp.current.database.sql<{ count: number }[]>`
      SELECT count(*)::int AS count FROM audit_logs
      WHERE table_name = 'users' AND record_id = ${me.id} AND operation = 'UPDATE'`;
    assert.equal(audited!.count, 1);
  });

  test('withdrawing data-processing consent is refused with 409 pointing at account deletion; nothing changes', async () => {
    const me = await newCaller(testApp, 'user', {
      data_processing_consent: true,
      data_processing_consent_at: new Date(),
    });
    const answer = await call(testApp, 'PUT', '/v1/me/consents', {
      as: me,
      body: { data_processing_consent: false, marketing_consent: true },
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.code, 'CONSENT_REQUIRED_FOR_SERVICE');
    assert.match(answer.body.detail, /DELETE \/v1\/me/);
    assert.deepEqual(brokenRules(answer.body), ['body.data_processing_consent withdraw-by-deletion']);
    const after = await call(testApp, 'GET', '/v1/me/consents', { as: me });
    assert.equal(after.body.data_processing_consent, true);
    assert.equal(after.body.marketing_consent, false, 'the request was refused whole');
  });

  test('giving data-processing consent that was missing is recorded', async () => {
    const me = await newCaller(testApp);
    const answer = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { data_processing_consent: true } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data_processing_consent, true);
    assert.notEqual(answer.body.data_processing_consent_at, null);
  });

  test('bad bodies are 400 naming the rule; anonymous callers 401; another user changes only their own', async () => {
    const [me, other] = [await newCaller(testApp), await newCaller(testApp)];
    const empty = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: {} });
    assert.equal(empty.status, 400);
    assert.deepEqual(brokenRules(empty.body), ['body minProperties']);
    const unknown = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { marketing_consent: 'yes' } });
    assert.deepEqual(brokenRules(unknown.body), ['body.marketing_consent type']);
    const extra = await call(testApp, 'PUT', '/v1/me/consents', { as: me, body: { user_id: other.id } });
    assert.deepEqual(brokenRules(extra.body), ['body.user_id additionalProperties']);

    assert.equal((await call(testApp, 'GET', '/v1/me/consents')).status, 401);
    const anonymous = await call(testApp, 'PUT', '/v1/me/consents', { body: { marketing_consent: true } });
    assert.equal(anonymous.status, 401);
    await call(testApp, 'PUT', '/v1/me/consents', { as: other, body: { marketing_consent: true } });
    assert.equal((await call(testApp, 'GET', '/v1/me/consents', { as: me })).body.marketing_consent, false);
  });
});

describe('GDPR export', () => {
  test('request (202, idempotent while pending), status, then download of the archive the job wrote', async () => {
    const [me, other] = [await newCaller(testApp), await newCaller(testApp)];
    const dataDir = testConfig(testApp.current.database.url).dataDir;
    exportDirectories.push(userExportDirectory(dataDir, me.id));

    const none = await call(testApp, 'GET', '/v1/me/export', { as: me });
    assert.deepEqual(none.body, {
      status: 'none',
      requested_at: null,
      exported_at: null,
      download_url: null,
      expires_at: null,
    });
    assert.equal((await call(testApp, 'GET', '/v1/me/export/download', { as: me })).status, 404);

    const requested = await call(testApp, 'POST', '/v1/me/export', { as: me });
    assert.equal(requested.status, 202);
    assert.equal(requested.body.status, 'pending');
    assert.notEqual(requested.body.requested_at, null);
    const again = await call(testApp, 'POST', '/v1/me/export', { as: me });
    assert.equal(again.status, 202);
    assert.equal(again.body.requested_at, requested.body.requested_at, 'a pending request is not renewed');
    assert.equal((await call(testApp, 'GET', '/v1/me/export', { as: me })).body.status, 'pending');
    assert.equal((await call(testApp, 'GET', '/v1/me/export', { as: other })).body.status, 'none');

    // What the gdpr.exports job does for a pending request.
    const { db } = testApp.current.pool;
    const archive = await exportUserData(db, me.id, dataDir);
    await markExported(db, me.id, archive.generatedAt);

    const ready = await call(testApp, 'GET', '/v1/me/export', { as: me });
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.download_url, '/v1/me/export/download');
    assert.equal(ready.body.exported_at, archive.generatedAt.toISOString());
    assert.ok(Date.parse(ready.body.expires_at) > Date.now() + 29 * 86_400_000);

    const download = await call(testApp, 'GET', '/v1/me/export/download', { as: me });
    assert.equal(download.status, 200);
    assert.equal(download.headers['content-type'], 'application/gzip');
    assert.match(
      String(download.headers['content-disposition']),
      /^attachment; filename="veza-export-\d{4}-\d\d-\d\d\.tar\.gz"$/,
    );
    assert.deepEqual(download.raw, await readFile(archive.path));
    assert.match(gunzipSync(download.raw).toString('latin1'), new RegExp(me.id));

    // Another user and an anonymous caller never reach this archive.
    const stranger = await call(testApp, 'GET', '/v1/me/export/download', { as: other });
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.code, 'EXPORT_NOT_READY');
    assert.equal((await call(testApp, 'GET', '/v1/me/export/download')).status, 401);
    assert.equal((await call(testApp, 'GET', '/v1/me/export')).status, 401);
    assert.equal((await call(testApp, 'POST', '/v1/me/export')).status, 401);

    // A new request after a finished export is pending again.
    const renewed = await call(testApp, 'POST', '/v1/me/export', { as: me });
    assert.equal(renewed.body.status, 'pending');
    assert.notEqual(renewed.body.requested_at, requested.body.requested_at);
  });

  test('the request is audited with the caller as actor', async () => {
    const me = await newCaller(testApp);
    await call(testApp, 'POST', '/v1/me/export', { as: me });
    const rows = await testApp.current.database.sql`
      SELECT user_id, old_data->>'export_requested_at' AS before, new_data->>'export_requested_at' AS after
      FROM audit_logs WHERE table_name = 'users' AND record_id = ${me.id} AND operation = 'UPDATE'`;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.user_id, me.id);
    assert.equal(rows[0]!.before, null);
    assert.notEqual(rows[0]!.after, null);
  });
});

describe('DELETE /v1/me', () => {
  const password = 'correct horse battery staple';

  test('with the right password: 202, the account stops working, anonymisation 30 days later', async () => {
    const me = await newCaller(testApp, 'user', { password_hash: await bcrypt.hash(password, 4) });
    const answer = await call(testApp, 'DELETE', '/v1/me', { as: me, body: { password } });
    assert.equal(answer.status, 202);
    const deletedAt = Date.parse(answer.body.deleted_at);
    assert.ok(Math.abs(Date.now() - deletedAt) < 60_000);
    assert.equal(Date.parse(answer.body.anonymised_after) - deletedAt, 30 * 86_400_000);
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: me })).status, 401, 'the token is dead');
    const public_ = await call(testApp, 'GET', `/v1/users/${me.username}`);
    assert.equal(public_.status, 404, 'the profile is gone');
    const [row] = await testApp.current.database.sql`SELECT deleted_at, is_active FROM users WHERE id = ${me.id}`;
    assert.equal(row!.deleted_at.toISOString(), answer.body.deleted_at);
    assert.equal(row!.is_active, false);
    const audit = await testApp.current.database.sql`
      SELECT user_id FROM audit_logs WHERE table_name = 'users' AND record_id = ${me.id}`;
    assert.ok(
      audit.some((entry) => entry.user_id === me.id),
      'the deletion is audited as the person’s act',
    );
  });

  test('a wrong or missing password deletes nothing; anonymous callers get 401', async () => {
    const me = await newCaller(testApp, 'user', { password_hash: await bcrypt.hash(password, 4) });
    const wrong = await call(testApp, 'DELETE', '/v1/me', { as: me, body: { password: 'not it' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 'PASSWORD_INCORRECT');
    const missing = await call(testApp, 'DELETE', '/v1/me', { as: me, body: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(brokenRules(missing.body), ['body.password required']);
    assert.equal((await call(testApp, 'DELETE', '/v1/me', { body: { password } })).status, 401);
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: me })).status, 200, 'still alive');
  });

  test('another user’s password does not delete their own account, nor the owner’s', async () => {
    const owner = await newCaller(testApp, 'user', { password_hash: await bcrypt.hash(password, 4) });
    const other = await newCaller(testApp, 'user', { password_hash: await bcrypt.hash('another one', 4) });
    const answer = await call(testApp, 'DELETE', '/v1/me', { as: other, body: { password } });
    assert.equal(answer.status, 403);
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: owner })).status, 200);
    assert.equal((await call(testApp, 'GET', '/v1/me', { as: other })).status, 200);
  });

  test('an account without a password needs a login in the last 10 minutes', async () => {
    const stale = await newCaller(testApp, 'user', { last_login_at: new Date(Date.now() - 3_600_000) });
    const refused = await call(testApp, 'DELETE', '/v1/me', { as: stale, body: {} });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'REAUTHENTICATION_REQUIRED');
    const fresh = await newCaller(testApp, 'user', { last_login_at: new Date(Date.now() - 60_000) });
    assert.equal((await call(testApp, 'DELETE', '/v1/me', { as: fresh, body: {} })).status, 202);
  });
});
