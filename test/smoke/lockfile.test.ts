import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../src/platform/project-root.ts';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** Where npm would resolve `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveInLock(from: string, name: string): LockEntry | undefined {
  let base = from;
  for (;;) {
    const candidate = lock.packages[`${base === '' ? '' : `${base}/`}node_modules/${name}`];
    if (candidate) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

// `npm ci` refuses a lock that misses any platform's optional package, even one this machine would never
// install (issue 10: the macOS, Windows and arm64 squawk binaries were missing and a fresh clone failed).
test('the lockfile records every optional dependency of every package, for every platform', () => {
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolveInLock(path, name)) missing.push(`${path || '(root)'} → ${name}`);
    }
  }
  assert.deepEqual(missing, [], 'run `npm install` with a registry that serves every platform package');
});
