// Cloud accounts (issue 17 §9, §13): the app password is sealed and never comes back, disconnecting deletes it, and
// an account URL into our own network is refused — when saved, and again at every connection (redirects, DNS
// rebinding) — unless VEZA_CLOUD_ALLOW_PRIVATE_HOSTS is on (it is off here, as in production).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { loadConfig } from '../../platform/config/config.ts';
import { classifyRemoteError, Remote } from './cloud.remote.ts';
import { as, person } from './cloud.test-support.ts';
import { checkCloudUrl, isForbiddenAddress } from './cloud.url-guard.ts';

const testApp = useTestApp();

const connect = (server_url: string, extra: Record<string, unknown> = {}) => ({
  provider: 'nextcloud',
  server_url,
  username: 'alice',
  app_password: 'Sup3r-secret-app-password',
  ...extra,
});

test('addresses into our own network are forbidden; public ones are not', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
  ])
    assert.equal(isForbiddenAddress(address), true, address);
  for (const address of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
    assert.equal(isForbiddenAddress(address), false, address);
});

test('an account URL into our network, with credentials, or at this service is refused (422), and nothing saved', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const cases: [string, string][] = [
    ['http://127.0.0.1:8080/dav', 'CLOUD_URL_FORBIDDEN'],
    ['http://localhost/remote.php/dav', 'CLOUD_URL_FORBIDDEN'],
    ['http://169.254.169.254/latest/meta-data', 'CLOUD_URL_FORBIDDEN'],
    ['https://10.0.0.5/dav', 'CLOUD_URL_FORBIDDEN'],
    ['https://192.168.1.20/dav', 'CLOUD_URL_FORBIDDEN'],
    ['http://[::1]:8080/', 'CLOUD_URL_FORBIDDEN'],
    ['http://[::ffff:7f00:1]/', 'CLOUD_URL_FORBIDDEN'],
    ['http://2130706433/', 'CLOUD_URL_FORBIDDEN'],
    ['https://alice:secret@cloud.example.org/dav', 'CLOUD_URL_INVALID'],
    ['https://alice@cloud.example.org/dav', 'CLOUD_URL_INVALID'],
    ['ftp://cloud.example.org/dav', 'CLOUD_URL_INVALID'],
    ['https://cloud.example.org/dav?token=1', 'CLOUD_URL_INVALID'],
    ['not a url at all', 'CLOUD_URL_INVALID'],
    ['https://no-such-host.invalid/dav', 'CLOUD_URL_INVALID'],
  ];
  for (const [url, code] of cases) {
    const answer = await call('POST', '/v1/me/cloud/accounts', connect(url));
    assert.equal(answer.statusCode, 422, `${url}: ${answer.body}`);
    assert.equal(answer.json().code, code, url);
    assert.ok(!answer.body.includes('secret'), 'the refusal never echoes a password');
  }
  const [count] = await testApp.current.database.sql`SELECT count(*)::int AS n FROM cloud_accounts`;
  assert.equal(count!.n, 0);
});

test('this service’s own host is refused even when it is public', async () => {
  await assert.rejects(
    checkCloudUrl('https://veza.example.org/dav', { allowPrivateHosts: false, ownHosts: ['veza.example.org'] }),
    /this service/,
  );
});

test('the connection is checked again when it is made: a redirect or a re-resolution into our network fails', async () => {
  // A URL that passed the save-time check (the flag was on then, or DNS answered differently) still cannot reach
  // loopback: the agents refuse the socket. Both a literal address and a name are refused before any byte is sent.
  let reached = false;
  const listener = createServer((_request, response) => {
    reached = true;
    response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  try {
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const remote = new Remote({ serverUrl: url, username: 'a', password: 'b', allowPrivateHosts: false });
      const failure = await remote.probe('/').then(
        () => assert.fail('connected'),
        (error: unknown) => classifyRemoteError(error),
      );
      assert.equal(failure.kind, 'forbidden_address', url);
    }
    assert.equal(reached, false);
    // A redirect's target is one more connection through the same agents: the link-local target alone is refused.
    const guarded = new Remote({
      serverUrl: 'http://169.254.169.254/',
      username: 'a',
      password: 'b',
      allowPrivateHosts: false,
    });
    const failure = await guarded.probe('/').then(
      () => assert.fail('connected'),
      (error: unknown) => classifyRemoteError(error),
    );
    assert.equal(failure.kind, 'forbidden_address');
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});

test('the app password is sealed, never returned nor listed; disconnecting deletes it', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  // A public address literal: saving does not contact the server.
  const created = await call('POST', '/v1/me/cloud/accounts', connect('https://93.184.216.34/remote.php/dav/', {}));
  assert.equal(created.statusCode, 201, created.body);
  const body = created.json();
  assert.equal(body.status, 'pending');
  assert.equal(body.server_url, 'https://93.184.216.34/remote.php/dav');
  for (const answer of [
    created,
    await call('GET', '/v1/me/cloud/accounts'),
    await call('GET', `/v1/me/cloud/accounts/${body.id}`),
  ]) {
    assert.ok(!answer.body.includes('Sup3r-secret'), answer.body);
    assert.ok(!answer.body.includes('app_password'), answer.body);
  }
  const { sql } = testApp.current.database;
  const [row] = await sql`SELECT encrypted_credentials FROM cloud_accounts WHERE id = ${body.id}`;
  const stored = Buffer.from(row!.encrypted_credentials).toString('utf8');
  assert.ok(!stored.includes('Sup3r-secret'));
  assert.match(stored, /^v1:[^:]+:/);
  const duplicate = await call('POST', '/v1/me/cloud/accounts', connect('https://93.184.216.34/remote.php/dav'));
  assert.equal(duplicate.statusCode, 409);

  const removed = await call('DELETE', `/v1/me/cloud/accounts/${body.id}`);
  assert.equal(removed.statusCode, 204);
  const [left] = await sql`SELECT count(*)::int AS n FROM cloud_accounts WHERE id = ${body.id}`;
  assert.equal(left!.n, 0);
  assert.equal((await call('GET', `/v1/me/cloud/accounts/${body.id}`)).statusCode, 404);
});

test('VEZA_CLOUD_ALLOW_PRIVATE_HOSTS is off by default and cannot be turned on in production', () => {
  assert.equal(loadConfig({}).cloud.allowPrivateHosts, false);
  assert.equal(loadConfig({ VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: 'true' }).cloud.allowPrivateHosts, true);
  assert.throws(
    () =>
      loadConfig({ VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: 'true', NODE_ENV: 'production', VEZA_JWT_SECRET: 'x'.repeat(64) }),
    /VEZA_CLOUD_ALLOW_PRIVATE_HOSTS/,
  );
});

test('connecting, testing and running share a per-caller limit: the 31st request in 10 minutes is 429', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  for (let i = 0; i < 30; i += 1)
    assert.equal((await call('POST', '/v1/me/cloud/accounts', connect('http://10.0.0.1/'))).statusCode, 422);
  const limited = await call('POST', '/v1/me/cloud/accounts', connect('http://10.0.0.1/'));
  assert.equal(limited.statusCode, 429, limited.body);
  // Someone else is not limited by it.
  const other = as(testApp.current, await person(testApp.current));
  assert.equal((await other('POST', '/v1/me/cloud/accounts', connect('http://10.0.0.1/'))).statusCode, 422);
});
