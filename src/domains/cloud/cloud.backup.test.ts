// Backups to a real WebDAV server (issue 17 §10-12, "done when": copies the files and the export, skips unchanged
// files the second time, resumes after the server stopped mid-run, reports wrong credentials). The server is
// `rclone serve webdav` on loopback, so the tests turn VEZA_CLOUD_ALLOW_PRIVATE_HOSTS on.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { createCloudBackups } from './cloud.jobs.ts';
import { account, as, backup, person, storedFile, webdavServer, type WebdavServer } from './cloud.test-support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'veza-cloud-data-'));
const remoteRoot = mkdtempSync(join(tmpdir(), 'veza-cloud-remote-'));
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir, VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: 'true' }) });
const servers: WebdavServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(remoteRoot, { recursive: true, force: true });
});

async function serverFor(name: string, pass = 'app-pass') {
  const root = join(remoteRoot, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(root, { recursive: true }));
  const server = await webdavServer(root, 'alice', pass);
  servers.push(server);
  return { server, root };
}

const bytes = (size: number, seed: number) =>
  Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251));

async function listRecursive(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listRecursive(join(dir, entry.name), `${path}/`)));
    else out.push(path);
  }
  return out.sort();
}

test('a backup copies the uploads and the GDPR archive, skips unchanged files next time, keeps the last N', async () => {
  const { server, root } = await serverFor('incremental');
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const big = bytes(300_000, 1);
  const first = await storedFile(testApp.current, owner, dataDir, 'Mix master v1.wav', big);
  const second = await storedFile(testApp.current, owner, dataDir, 'notes é.txt', Buffer.from('hello'));

  const accountId = await account(call, server.url, 'alice', 'app-pass');
  const tested = await call('POST', `/v1/me/cloud/accounts/${accountId}/test`);
  assert.equal(tested.statusCode, 200, tested.body);
  assert.equal(tested.json().status, 'active');
  const jobId = await backup(call, accountId, { retention_count: 2, destination_path: '/Veza Backups' });

  const run1 = await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  assert.equal(run1.statusCode, 200, run1.body);
  assert.deepEqual(
    { status: run1.json().status, uploaded: run1.json().uploaded, skipped: run1.json().skipped },
    { status: 'succeeded', uploaded: 3, skipped: 0 },
  );
  const base = join(root, 'Veza Backups');
  assert.deepEqual(await readFile(join(base, 'files', first, 'Mix master v1.wav')), big);
  assert.equal(await readFile(join(base, 'files', second, 'notes é.txt'), 'utf8'), 'hello');
  const [archive] = await readdir(join(base, 'exports'));
  assert.match(archive ?? '', /^\d{8}T\d{9}Z\.tar\.gz$/);
  assert.ok((await stat(join(base, 'exports', archive!))).size > 100);
  const manifest = JSON.parse(await readFile(join(base, 'backups', `${run1.json().backup}.json`), 'utf8'));
  assert.equal(manifest.files.length, 3);
  assert.ok(run1.json().bytes >= big.length + 5);

  // Second run: nothing changed, nothing is sent again, and no transfer row is added.
  const run2 = await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  assert.deepEqual([run2.json().status, run2.json().uploaded, run2.json().skipped], ['succeeded', 0, 3]);
  const ops = await call('GET', `/v1/me/cloud/backups/${jobId}/operations`);
  assert.equal(ops.json().items.length, 3);
  assert.ok(ops.json().items.every((op: { status: string }) => op.status === 'completed'));

  // A new upload goes alone; a deleted one leaves the remote once no kept backup names it.
  const third = await storedFile(testApp.current, owner, dataDir, 'take 2.flac', bytes(1000, 7));
  const run3 = await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  assert.deepEqual([run3.json().uploaded, run3.json().skipped], [1, 3]);
  await testApp.current.database.sql`UPDATE files SET deleted_at = NOW() WHERE id = ${first}`;
  await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  const left = await listRecursive(base);
  assert.equal(left.filter((path) => path.startsWith('backups/')).length, 2, left.join('\n'));
  assert.ok(!left.some((path) => path.startsWith(`files/${first}/`)), left.join('\n'));
  assert.ok(left.includes(`files/${third}/take 2.flac`));
  const job = await call('GET', `/v1/me/cloud/backups/${jobId}`);
  assert.equal(job.json().last_run_status, 'succeeded');
  const accountAfter = await call('GET', `/v1/me/cloud/accounts/${accountId}`);
  assert.ok(accountAfter.json().last_synced_at);
});

test('the server stopping mid-run fails the run, marks the account, notifies once; the next run resumes', async () => {
  const { server, root } = await serverFor('interrupted');
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const ids: string[] = [];
  for (let i = 0; i < 4; i += 1)
    ids.push(await storedFile(testApp.current, owner, dataDir, `stem-${i}.wav`, bytes(20_000 + i, i)));
  const accountId = await account(call, server.url, 'alice', 'app-pass');
  assert.equal((await call('POST', `/v1/me/cloud/accounts/${accountId}/test`)).statusCode, 200);
  const jobId = await backup(call, accountId, { schedule: '0 3 * * *', scope: 'files' });
  const { sql } = testApp.current.database;
  const due = () => sql`UPDATE backup_jobs SET next_run_at = '2020-01-01T00:00:00Z' WHERE id = ${jobId}`;

  let sent = 0;
  const job = createCloudBackups({
    allowPrivateHosts: true,
    afterTransfer: async () => {
      sent += 1;
      if (sent === 2) await server.stop();
    },
  });
  await due();
  const now = new Date();
  const failed = await runJob(job, { db: testApp.current.pool.db, dataDir, triggeredBy: 'manual', now });
  assert.equal(failed.status, 'succeeded', failed.error ?? '');
  const [afterFailure] = await sql`
    SELECT j.last_run_status, j.last_run_at, j.next_run_at, a.status, a.last_error
    FROM backup_jobs j JOIN cloud_accounts a ON a.id = j.cloud_account_id WHERE j.id = ${jobId}`;
  assert.equal(afterFailure!.last_run_status, 'failed');
  assert.equal(afterFailure!.status, 'error');
  assert.match(afterFailure!.last_error, /cannot be reached/);
  // Backoff: the first retry 15 minutes on.
  assert.equal(afterFailure!.next_run_at.getTime(), now.getTime() + 15 * 60_000);
  const states = await sql`SELECT status, count(*)::int AS n FROM sync_operations WHERE backup_job_id = ${jobId}
    GROUP BY status ORDER BY status`;
  assert.deepEqual(
    states.map((r) => [r.status, r.n]),
    [
      ['completed', 2],
      ['failed', 1],
    ],
  );
  const notices = await sql`SELECT title, data->>'snippet' AS snippet FROM notifications
    WHERE user_id = ${owner.id} AND type = 'system'`;
  assert.equal(notices.length, 1);
  assert.match(notices[0]!.snippet, /failing/);

  // Still down: retried, failing again, no second notice.
  await due();
  await runJob(job, { db: testApp.current.pool.db, dataDir, triggeredBy: 'manual', now: new Date() });
  const [noticeCount] = await sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${owner.id}`;
  assert.equal(noticeCount!.n, 1);

  await server.start();
  await due();
  const resumed = await runJob(job, { db: testApp.current.pool.db, dataDir, triggeredBy: 'manual', now: new Date() });
  assert.equal(resumed.status, 'succeeded', resumed.error ?? '');
  const [done] = await sql`
    SELECT j.last_run_status, j.last_run_at, j.next_run_at, a.status, a.last_error
    FROM backup_jobs j JOIN cloud_accounts a ON a.id = j.cloud_account_id WHERE j.id = ${jobId}`;
  assert.equal(done!.last_run_status, 'succeeded');
  assert.equal(done!.status, 'active');
  assert.equal(done!.last_error, null);
  // The same backup (same start) was completed, not a new one begun.
  assert.equal(done!.last_run_at.getTime(), afterFailure!.last_run_at.getTime());
  const ops = await sql`SELECT status, retry_count FROM sync_operations WHERE backup_job_id = ${jobId}
    ORDER BY retry_count DESC, status`;
  assert.equal(ops.length, 4, 'one row per file: the failed transfer was taken up again');
  assert.ok(ops.every((op) => op.status === 'completed'));
  assert.ok(ops[0]!.retry_count >= 1);
  const files = await listRecursive(join(root, 'Veza Backups', 'files'));
  assert.deepEqual(files.length, 4);
  assert.equal((await readdir(join(root, 'Veza Backups', 'backups'))).length, 1);
});

test('wrong credentials: the connection test answers 422 and marks the account; a run is refused until fixed', async () => {
  const { server } = await serverFor('credentials', 'the-right-one');
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const accountId = await account(call, server.url, 'alice', 'a-wrong-one');
  const tested = await call('POST', `/v1/me/cloud/accounts/${accountId}/test`);
  assert.equal(tested.statusCode, 422, tested.body);
  assert.equal(tested.json().code, 'CLOUD_CREDENTIALS_REJECTED');
  const after = (await call('GET', `/v1/me/cloud/accounts/${accountId}`)).json();
  assert.equal(after.status, 'reauth_required');
  assert.match(after.last_error, /401/);
  const jobId = await backup(call, accountId);
  const run = await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
  assert.equal(run.statusCode, 409);
  assert.equal(run.json().code, 'CLOUD_ACCOUNT_NOT_READY');
});

test('a full remote (507 Insufficient Storage) fails the run and marks the account, without losing the backup', async () => {
  // A stand-in for Nextcloud's answer to a full quota: rclone's local backend answers 405 to a write on a full
  // disk, so the exact 507 comes from this small server (listing and folders succeed, every PUT is refused).
  const full: Server = createServer((request, response) => {
    if (request.method === 'PROPFIND') {
      response.writeHead(207, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop>' +
          '<d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status>' +
          '</d:propstat></d:response></d:multistatus>',
      );
    } else if (request.method === 'MKCOL') {
      response.writeHead(405).end();
    } else {
      request.resume();
      request.on('end', () => response.writeHead(507).end());
    }
  });
  await new Promise<void>((resolve) => full.listen(0, '127.0.0.1', resolve));
  try {
    const port = (full.address() as { port: number }).port;
    const owner = await person(testApp.current);
    const call = as(testApp.current, owner);
    await storedFile(testApp.current, owner, dataDir, 'too-big.wav', bytes(5000, 3));
    const accountId = await account(call, `http://127.0.0.1:${port}/dav`, 'alice', 'app-pass');
    assert.equal((await call('POST', `/v1/me/cloud/accounts/${accountId}/test`)).statusCode, 200);
    const jobId = await backup(call, accountId, { scope: 'files' });
    const run = await call('POST', `/v1/me/cloud/backups/${jobId}/run`);
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().status, 'failed');
    assert.match(run.json().error, /507/);
    const marked = (await call('GET', `/v1/me/cloud/accounts/${accountId}`)).json();
    assert.equal(marked.status, 'error');
    const ops = (await call('GET', `/v1/me/cloud/backups/${jobId}/operations`)).json().items;
    assert.deepEqual(
      ops.map((op: { status: string; error: string }) => [op.status, op.error]),
      [['failed', 'the server has no space left (HTTP 507)']],
    );
  } finally {
    await new Promise((resolve) => full.close(resolve));
  }
});
