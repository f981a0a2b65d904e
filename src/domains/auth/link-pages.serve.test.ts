// The newcomer's path of issue 10, through `veza serve` as started by hand: no SMTP relay, VEZA_PUBLIC_URL left at
// its default (the API itself). The verification link is in the log, at info, and opening it gives a page.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../platform/project-root.ts';
import { dropDatabase, migratedDatabase } from '../../../test/helpers/database.ts';
import { freePort } from '../../../test/helpers/free-port.ts';

test('development: the mailed link is logged at info and opens the verification page', async () => {
  const database = await migratedDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-link-log-'));
  const port = await freePort();
  const { VEZA_SMTP_URL: _relay, VEZA_PUBLIC_URL: _public, NODE_ENV: _env, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'veza.js'), 'serve'], {
    env: {
      ...inherited,
      DATABASE_URL: database.url,
      VEZA_DATA_DIR: dataDir,
      VEZA_HTTP_PORT: String(port),
      VEZA_PUBLIC_URL: `http://127.0.0.1:${port}`,
      VEZA_LOG_LEVEL: 'info',
      VEZA_JOBS_ENABLED: 'false',
      VEZA_MIGRATE_ON_START: 'false',
      VEZA_BCRYPT_COST: '4',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = pattern.exec(output);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    await waitFor(/veza listening on/);
    const base = `http://127.0.0.1:${port}`;
    const registered = await fetch(`${base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'newcomer@example.test',
        username: 'newcomer',
        password: 'a newcomer passphrase',
        data_processing_consent: true,
      }),
    });
    assert.ok(registered.ok, await registered.text());

    const line = (await waitFor(/^.*mail link \(logged outside production\).*$/m))[0];
    const logged = JSON.parse(line) as { level: unknown; to: string; link: string };
    assert.equal(logged.to, 'newcomer@example.test');
    assert.ok([30, 'info'].includes(logged.level as number | string), `logged at info: ${line}`);
    const link = new URL(logged.link);
    assert.equal(link.origin, base);
    assert.equal(link.pathname, '/verify-email');
    assert.match(link.searchParams.get('token') ?? '', /^[\w-]+\.[\w-]+$/);

    const page = await fetch(link);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Confirm your email address/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await dropDatabase(database);
    await rm(dataDir, { recursive: true, force: true });
  }
});
