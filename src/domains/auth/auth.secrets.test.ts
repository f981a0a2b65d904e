// No secret in logs, responses or audit rows: the real server (`veza serve`, logging at trace level) goes
// through every flow of the auth domain over HTTP, then its whole log output, every response and the
// database's audit and token tables are searched for each secret that was typed or handed out.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.ts';
import { projectRoot } from '../../platform/project-root.ts';
import { independentTotp } from './auth.test-support.ts';

const JWT_SECRET = `jwt-${randomBytes(24).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

let database: TestDatabase;
let smtp: TestSmtpServer;
let child: ChildProcess;
let output = '';
let baseUrl = '';
let dataDir = '';

before(async () => {
  database = await migratedDatabase();
  smtp = await startSmtpServer();
  dataDir = await mkdtemp(join(tmpdir(), 'veza-secrets-'));
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: {
      ...inherited,
      DATABASE_URL: database.url,
      VEZA_HTTP_PORT: String(port),
      VEZA_LOG_LEVEL: 'trace',
      VEZA_JOBS_ENABLED: 'false',
      VEZA_DATA_DIR: dataDir,
      VEZA_JWT_SECRET: JWT_SECRET,
      VEZA_ENCRYPTION_KEYS: JSON.stringify({ secretsTest: ENCRYPTION_KEY }),
      VEZA_SMTP_URL: smtp.url,
      VEZA_PUBLIC_URL: 'https://veza.test',
      VEZA_BCRYPT_COST: '4',
      VEZA_LOGIN_MAX_FAILURES: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 90_000;
  while (!output.includes('veza listening on')) {
    if (child.exitCode !== null) throw new Error(`veza serve exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`veza serve did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await smtp?.close();
  if (database) await dropDatabase(database);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Exchange {
  route: string;
  status: number;
  body: Record<string, unknown>;
  raw: string;
}

const exchanges: Exchange[] = [];

async function send(method: string, path: string, body?: unknown, token?: string): Promise<Exchange> {
  const headers: Record<string, string> = { 'user-agent': 'secrets-test' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const raw = await response.text();
  const exchange = {
    route: `${method} ${path}`,
    status: response.status,
    body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    raw,
  };
  exchanges.push(exchange);
  return exchange;
}

function linkToken(text: string, path: string): string {
  const token = new RegExp(`https://veza\\.test/${path}\\?token=(\\S+)`).exec(text)?.[1];
  assert.ok(token, text);
  return decodeURIComponent(token);
}

test('every flow through the real server leaves no secret in its logs, its answers or the audit trail', async () => {
  const secrets = new Map<string, string>([
    ['JWT secret', JWT_SECRET],
    ['encryption key', ENCRYPTION_KEY],
  ]);
  /** Secrets the API hands out once: allowed in exactly the one answer that issues them. */
  const issuedOnce = new Map<string, string>();
  /**
   * Access tokens are answered wherever a session is issued or refreshed (two made within one second for
   * the same account and token_version are the same JWT), but never logged or stored.
   */
  const accessTokens = new Map<string, string>();

  const email = `secret.keeper.${randomBytes(3).toString('hex')}@example.test`;
  const password = 'Hunter2-correct-horse-battery';
  secrets.set('password', password);
  const registered = await send('POST', '/v1/auth/register', {
    email,
    username: `keeper_${randomBytes(3).toString('hex')}`,
    password,
    data_processing_consent: true,
  });
  assert.equal(registered.status, 202, registered.raw);

  const verification = linkToken(
    (await smtp.waitFor((m) => m.envelopeTo.includes(email) && /Confirm/.test(m.subject))).text,
    'verify-email',
  );
  secrets.set('verification token', verification);
  secrets.set('verification verifier', verification.split('.')[1] ?? '');
  assert.equal((await send('POST', '/v1/auth/verify-email', { token: verification })).status, 204);

  // Failed logins and bad input are logged too.
  assert.equal((await send('POST', '/v1/auth/login', { identifier: email, password: `${password}x` })).status, 401);
  assert.equal((await send('POST', '/v1/auth/login', { identifier: email, password, extra: password })).status, 400);
  const loggedIn = await send('POST', '/v1/auth/login', { identifier: email, password, device_name: 'laptop' });
  assert.equal(loggedIn.status, 200, loggedIn.raw);
  const access = String(loggedIn.body.access_token);
  accessTokens.set('access token 1', access);
  issuedOnce.set('refresh token 1', String(loggedIn.body.refresh_token));

  const enrolment = await send('POST', '/v1/auth/2fa/totp/enroll', undefined, access);
  const totpSecret = String(enrolment.body.secret);
  issuedOnce.set('TOTP secret', totpSecret);
  const confirmed = await send('POST', '/v1/auth/2fa/totp/confirm', { code: independentTotp(totpSecret) }, access);
  assert.equal(confirmed.status, 200, confirmed.raw);
  const backupCodes = confirmed.body.backup_codes as string[];
  backupCodes.forEach((code, i) => issuedOnce.set(`backup code ${i}`, code));

  const step = await send('POST', '/v1/auth/login', { identifier: email, password });
  assert.equal(step.body.mfa_required, true);
  issuedOnce.set('mfa token', String(step.body.mfa_token));
  assert.equal(
    (await send('POST', '/v1/auth/login/mfa', { mfa_token: step.body.mfa_token, code: '000000' })).status,
    400,
  );
  const viaBackup = await send('POST', '/v1/auth/login/mfa', { mfa_token: step.body.mfa_token, code: backupCodes[0] });
  assert.equal(viaBackup.status, 200, viaBackup.raw);
  accessTokens.set('access token 2', String(viaBackup.body.access_token));
  issuedOnce.set('refresh token 2', String(viaBackup.body.refresh_token));

  const refreshed = await send('POST', '/v1/auth/refresh', { refresh_token: viaBackup.body.refresh_token });
  assert.equal(refreshed.status, 200);
  accessTokens.set('access token 3', String(refreshed.body.access_token));
  issuedOnce.set('refresh token 3', String(refreshed.body.refresh_token));
  // Past the grace window of concurrent refreshes (which would answer refresh token 3 again), reuse is refused.
  await database.sql`UPDATE refresh_tokens SET revoked_at = revoked_at - INTERVAL '11 seconds' WHERE revoked_reason = 'rotated'`;
  assert.equal((await send('POST', '/v1/auth/refresh', { refresh_token: viaBackup.body.refresh_token })).status, 401);

  const newPassword = 'Swordfish-brand-new-passphrase';
  secrets.set('new password', newPassword);
  const changed = await send(
    'POST',
    '/v1/auth/password',
    { current_password: password, new_password: newPassword, refresh_token: loggedIn.body.refresh_token },
    access,
  );
  assert.equal(changed.status, 200, changed.raw);
  accessTokens.set('access token 4', String(changed.body.access_token));

  assert.equal((await send('POST', '/v1/auth/password-reset/request', { email })).status, 202);
  const reset = linkToken(
    (await smtp.waitFor((m) => m.envelopeTo.includes(email) && /Reset/.test(m.subject))).text,
    'reset-password',
  );
  secrets.set('reset token', reset);
  secrets.set('reset verifier', reset.split('.')[1] ?? '');
  const resetPassword = 'Rosebud-after-the-reset-link';
  secrets.set('reset password', resetPassword);
  assert.equal(
    (await send('POST', '/v1/auth/password-reset/confirm', { token: reset, new_password: resetPassword })).status,
    204,
  );

  const again = await send('POST', '/v1/auth/login', { identifier: email, password: resetPassword });
  // The current step's code confirmed the enrolment and is spent: the next step's is accepted for clock drift.
  const code = independentTotp(totpSecret, Date.now() + 30_000);
  const last = await send('POST', '/v1/auth/login/mfa', { mfa_token: again.body.mfa_token, code });
  assert.equal(last.status, 200, last.raw);
  accessTokens.set('access token 5', String(last.body.access_token));
  issuedOnce.set('refresh token 5', String(last.body.refresh_token));
  assert.equal(
    (
      await send(
        'POST',
        '/v1/auth/2fa/totp/disable',
        { password: resetPassword, code: backupCodes[1] },
        String(last.body.access_token),
      )
    ).status,
    204,
  );
  await send('POST', '/v1/auth/logout-all', undefined, String(last.body.access_token));

  // Give the logger a moment to flush the last lines.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [dump] = await database.sql`
    SELECT (SELECT COALESCE(json_agg(a), '[]') FROM audit_logs a)::text AS audit,
           (SELECT json_agg(t) FROM (
              SELECT token, token_hash, revoked_reason FROM refresh_tokens
              UNION ALL SELECT token, token_hash, NULL FROM password_reset_tokens
              UNION ALL SELECT token, token_hash, NULL FROM email_verification_tokens) t)::text AS tokens,
           (SELECT json_agg(f) FROM two_factor_configs f)::text AS two_factor,
           (SELECT json_agg(l) FROM login_attempts l)::text AS attempts,
           (SELECT json_agg(u) FROM users u)::text AS users`;
  assert.ok(String(dump?.audit).includes('two_factor_configs'), 'the audit trail recorded the 2FA changes');
  assert.ok(output.includes('"reqId"'), 'the request logs were captured');
  // One line per request (ADR 0030), naming its path.
  assert.ok(output.split('\n').filter((line) => line.includes('"path":"/v1/auth/')).length >= exchanges.length);

  const everything = {
    ...Object.fromEntries(secrets),
    ...Object.fromEntries(issuedOnce),
    ...Object.fromEntries(accessTokens),
  };
  for (const [name, value] of Object.entries(everything)) {
    assert.ok(value.length >= 8, `${name} was captured`);
    assert.ok(!output.includes(value), `the ${name} appears in the logs`);
    for (const [place, text] of Object.entries(dump ?? {})) {
      assert.ok(!String(text).includes(value), `the ${name} appears in the database (${place})`);
    }
  }
  for (const [name, value] of secrets) {
    const shownIn = exchanges.filter((exchange) => exchange.raw.includes(value)).map((e) => e.route);
    assert.deepEqual(shownIn, [], `the ${name} was answered`);
  }
  for (const [name, value] of issuedOnce) {
    const shownIn = exchanges.filter((exchange) => exchange.raw.includes(value)).map((e) => e.route);
    assert.equal(shownIn.length, 1, `the ${name} is answered once only: ${shownIn.join(', ')}`);
  }
});
