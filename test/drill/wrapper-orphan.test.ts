import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../../src/platform/project-root.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/free-port.ts';

const VEZA = join(projectRoot, 'bin', 'veza.js');

/** A node older than 24 on this machine (its default, typically), under which bin/veza.js re-runs itself. */
function olderNode(): string | undefined {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'];
  try {
    candidates.push(...execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n').filter(Boolean));
  } catch {
    // `which` finds nothing: the fixed candidates remain.
  }
  for (const candidate of candidates) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (Number(version.split('.')[0]) < 24) return candidate;
    } catch {
      // Not there, or not runnable.
    }
  }
  return undefined;
}

/** Alive and not a zombie: an exited orphan stays in the process table until init reaps it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1_000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

const node = olderNode();
let database: TestDatabase;
before(async () => {
  database = await migratedDatabase();
});
after(async () => {
  await dropDatabase(database);
});

describe(`bin/veza.js started by an older node (${node ?? 'none on this machine: the project node'})`, () => {
  test('SIGKILL of the wrapper: the re-run child stops serving and exits within a few seconds', async () => {
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const wrapper = spawn(node ?? process.execPath, [VEZA, 'serve'], {
      env: {
        ...inherited,
        DATABASE_URL: database.url,
        VEZA_HTTP_PORT: String(port),
        VEZA_JOBS_ENABLED: 'false',
        VEZA_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    wrapper.stdout.on('data', (chunk) => (output += chunk));
    wrapper.stderr.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 90_000;
    while (!output.includes('veza listening on')) {
      assert.ok(Date.now() < deadline && wrapper.exitCode === null, `veza serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const children = readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    if (node) assert.equal(children.length, 1, 'the wrapper re-ran itself under the project node');
    const served = `http://127.0.0.1:${port}/healthz`;
    assert.equal(await answers(served), true);

    wrapper.kill('SIGKILL');
    const stoppedBy = Date.now() + 10_000;
    while ((children.some(running) || (await answers(served))) && Date.now() < stoppedBy) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const orphans = children.filter(running);
    // Never leave a server behind, even when the assertion below fails.
    for (const pid of orphans) process.kill(pid, 'SIGKILL');
    assert.deepEqual(orphans, [], `the child outlived its wrapper:\n${output}`);
    assert.equal(await answers(served), false, 'the port still answers');
    assert.match(output, /SIGTERM received, shutting down/, 'the child shut down gracefully');
  });

  test('a command that ends by itself still ends: the lifeline does not keep the child alive', () => {
    const started = Date.now();
    const result = execFileSync(node ?? process.execPath, [VEZA, 'db', 'status'], {
      env: { ...process.env, DATABASE_URL: database.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.match(result, /applied|pending|\d{4}/i);
    assert.ok(Date.now() - started < 60_000);
  });
});
