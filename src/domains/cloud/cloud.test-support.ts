// Shared by the cloud tests: a real WebDAV server (`rclone serve webdav`, Debian's rclone) on a free loopback port,
// stopped and restarted at will, and uploaded files whose bytes are really in the app's storage.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { TestApp } from '../../../test/helpers/app.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { allFactories } from '../../../test/factories/index.ts';
import { storageForDataDir } from '../files/index.ts';
import { as, person, type Call, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Call, type Person };

export interface WebdavServer {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `rclone serve webdav <root>` on 127.0.0.1 with basic auth; start() waits until it accepts connections. */
export async function webdavServer(root: string, user: string, pass: string): Promise<WebdavServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: WebdavServer = {
    url: `http://127.0.0.1:${port}/`,
    port,
    async start() {
      child = spawn(
        'rclone',
        [
          'serve',
          'webdav',
          root,
          '--addr',
          `127.0.0.1:${port}`,
          '--user',
          user,
          '--pass',
          pass,
          '--config',
          '/dev/null',
        ],
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 10_000;
      while (!(await accepting(port))) {
        if (Date.now() > deadline) throw new Error('rclone serve webdav did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
  };
  await server.start();
  return server;
}

/** An upload of `owner` whose bytes are in the storage under `dataDir`, scanned clean and processed. */
export async function storedFile(testApp: TestApp, owner: Person, dataDir: string, name: string, bytes: Buffer) {
  const id = randomUUID();
  const key = `users/${owner.id}/${id}/${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  await storageForDataDir(dataDir).put(key, bytes);
  await allFactories.files!(testApp.database.sql, {
    id,
    user_id: owner.id,
    original_filename: name,
    file_size: bytes.length,
    storage_path: key,
    file_hash: createHash('sha256').update(bytes).digest('hex'),
    virus_scanned: true,
    virus_scan_result: 'clean',
    is_processed: true,
  });
  return id;
}

/** Connects an account through the API and answers its id. */
export async function account(call: Call, url: string, username: string, password: string): Promise<string> {
  const answer = await call('POST', '/v1/me/cloud/accounts', {
    provider: 'webdav',
    server_url: url,
    username,
    app_password: password,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

export async function backup(call: Call, accountId: string, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await call('POST', `/v1/me/cloud/accounts/${accountId}/backups`, { name: 'Nightly', ...body });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}
