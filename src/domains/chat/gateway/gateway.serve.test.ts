// The drill of issue 14 "Done when", as a user runs it: two `veza serve` processes on one database, a WebSocket client
// on each. A direct message sent over HTTP to one process reaches the client of the other; one process is killed
// (SIGKILL), its client reconnects to the survivor with `since` and misses nothing sent meanwhile.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { projectRoot } from '../../../platform/project-root.ts';
import { authFactories } from '../../../../test/factories/auth.ts';
import { TEST_JWT_SECRET } from '../../../../test/helpers/app.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../../test/helpers/database.ts';
import { freePort } from '../../../../test/helpers/free-port.ts';
import { AccessTokens } from '../../auth/index.ts';
import { TestClient, type Person } from './gateway.test-support.ts';

interface Served {
  child: ChildProcess;
  baseUrl: string;
  socketUrl: string;
  exited: Promise<unknown>;
}

const children: ChildProcess[] = [];
let database: TestDatabase | undefined;
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (database) await dropDatabase(database);
});

async function serve(url: string): Promise<Served> {
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: {
      ...inherited,
      DATABASE_URL: url,
      VEZA_HTTP_PORT: String(port),
      VEZA_LOG_LEVEL: 'warn',
      VEZA_JWT_SECRET: TEST_JWT_SECRET,
      VEZA_JOBS_ENABLED: 'false',
      VEZA_CLAMSCAN: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('veza listening on')) return resolve();
      if (child.exitCode !== null) return reject(new Error(`veza serve exited:\n${output}`));
      setTimeout(check, 100);
    };
    check();
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return { child, baseUrl, socketUrl: `ws://127.0.0.1:${port}/v1/chat/socket`, exited };
}

async function sendDm(server: Served, from: Person, to: Person, content: string): Promise<void> {
  const response = await fetch(`${server.baseUrl}/v1/me/conversations/${to.id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });
  assert.equal(response.status, 201, await response.text());
}

const dms = (client: TestClient) =>
  client
    .events()
    .filter((f) => f.event === 'dm.created')
    .map((f) => (f.payload as { message: { content: string } }).message.content);

test('two veza serve: a message crosses processes; a killed process’s client resumes on the other', async () => {
  database = await migratedDatabase();
  const [a, b] = await Promise.all([serve(database.url), serve(database.url)]);
  const tokens = new AccessTokens(TEST_JWT_SECRET, 900);
  const people: Person[] = [];
  for (let i = 0; i < 2; i += 1) {
    const user = await authFactories.users(database.sql, { data_processing_consent: true });
    const issued = await tokens.issue({ userId: user.id as string, tokenVersion: 0, role: 'user' });
    people.push({ id: user.id as string, token: issued.token });
  }
  const [alice, bob] = people as [Person, Person];
  const aliceOnA = await TestClient.signedIn(a.socketUrl, alice);
  const bobOnB = await TestClient.signedIn(b.socketUrl, bob);

  await sendDm(a, alice, bob, 'hello across');
  await bobOnB.next((f) => f.event === 'dm.created');
  await aliceOnA.next((f) => f.event === 'dm.created');
  assert.deepEqual(dms(bobOnB), ['hello across']);
  const lastSeen = aliceOnA.events().at(-1)!.seq as string;

  a.child.kill('SIGKILL');
  await aliceOnA.closed;
  await a.exited;
  for (const content of ['while down 1', 'while down 2']) await sendDm(b, bob, alice, content);
  const aliceOnB = await TestClient.signedIn(b.socketUrl, alice, lastSeen);
  await sendDm(b, bob, alice, 'after');
  await aliceOnB.next((f) => f.event === 'dm.created' && dms(aliceOnB).includes('after'));
  assert.deepEqual(dms(aliceOnB), ['while down 1', 'while down 2', 'after']);
  await Promise.all([aliceOnB.close(), bobOnB.close()]);
  b.child.kill('SIGTERM');
  await b.exited;
});
