import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './config.ts';
import { resolveJwtSecret } from './secrets.ts';

test('production refuses to start without VEZA_JWT_SECRET', async () => {
  await assert.rejects(resolveJwtSecret(loadConfig({ NODE_ENV: 'production' })), /VEZA_JWT_SECRET must be set/);
});

test('elsewhere a secret is generated once into the data directory, private to its owner, and reused', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-secret-'));
  try {
    const config = loadConfig({ VEZA_DATA_DIR: dataDir });
    const first = await resolveJwtSecret(config);
    assert.ok(first.length >= 32);
    assert.equal((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777, 0o600);
    assert.equal(await resolveJwtSecret(config), first);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('an explicit secret wins', async () => {
  const secret = 'explicit-secret-that-is-long-enough-to-use';
  assert.equal(await resolveJwtSecret(loadConfig({ VEZA_JWT_SECRET: secret })), secret);
});
