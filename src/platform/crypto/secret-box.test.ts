import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { resolveEncryptionKeys } from './keys.ts';
import { DecryptionError, SecretBox } from './secret-box.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox (AES-256-GCM)', () => {
  test('seals to v1:<key id>:<iv>:<ciphertext+tag> and opens back; the plaintext is not in the sealed value', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'two_factor_configs.totp_secret');
    assert.match(sealed, /^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
    assert.equal(box.open(sealed, 'two_factor_configs.totp_secret'), 'JBSWY3DPEHPK3PXP');
    assert.notEqual(box.seal('same', 'p'), box.seal('same', 'p'), 'a fresh IV every time');
  });

  test('rotation: the newest key seals, every listed key opens; a dropped key cannot open', () => {
    const old = key('old');
    const current = key('new');
    const before = new SecretBox([old]).seal('secret', 'p');
    const rotated = new SecretBox([old, current]);
    assert.equal(rotated.open(before, 'p'), 'secret');
    assert.equal(rotated.isStale(before), true);
    const after = rotated.seal('secret', 'p');
    assert.match(after, /^v1:new:/);
    assert.equal(rotated.isStale(after), false);
    assert.throws(() => new SecretBox([current]).open(before, 'p'), /key old is not configured/);
  });

  test('tampering, a wrong purpose or a wrong key with the same id is refused, never garbage', () => {
    const box = new SecretBox([key('k1')]);
    const sealed = box.seal('secret', 'purpose-a');
    assert.throws(() => box.open(sealed, 'purpose-b'), DecryptionError);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    assert.throws(
      () => box.open([...parts.slice(0, 3), body.toString('base64url')].join(':'), 'purpose-a'),
      DecryptionError,
    );
    assert.throws(() => new SecretBox([key('k1')]).open(sealed, 'purpose-a'), /authentication failed/);
    for (const bad of ['', 'v2:k1:a:b', 'v1:k1:short:x', 'plain text'])
      assert.throws(() => box.open(bad, 'purpose-a'), DecryptionError);
  });
});

describe('resolveEncryptionKeys', () => {
  test('production refuses to start without VEZA_ENCRYPTION_KEYS', async () => {
    await assert.rejects(
      resolveEncryptionKeys(loadConfig({ NODE_ENV: 'production' })),
      /VEZA_ENCRYPTION_KEYS must be set/,
    );
  });

  test('elsewhere one key is generated into the data directory (0600) and reused', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veza-keys-'));
    try {
      const config = loadConfig({ VEZA_DATA_DIR: dataDir });
      const first = await resolveEncryptionKeys(config);
      assert.equal(first.length, 1);
      assert.equal(first[0]?.key.length, 32);
      assert.equal((await stat(join(dataDir, 'encryption-keys.json'))).mode & 0o777, 0o600);
      assert.deepEqual(await resolveEncryptionKeys(config), first);
      const [a, b] = await Promise.all([
        resolveEncryptionKeys(loadConfig({ VEZA_DATA_DIR: join(dataDir, 'x') })),
        resolveEncryptionKeys(loadConfig({ VEZA_DATA_DIR: join(dataDir, 'x') })),
      ]);
      assert.deepEqual(a, b, 'two processes starting together agree on one key');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('configured keys win', async () => {
    const configured = Buffer.alloc(32, 9).toString('base64');
    const keys = await resolveEncryptionKeys(
      loadConfig({ VEZA_ENCRYPTION_KEYS: JSON.stringify({ prod1: configured }) }),
    );
    assert.deepEqual(keys, [{ id: 'prod1', key: Buffer.alloc(32, 9) }]);
  });
});
