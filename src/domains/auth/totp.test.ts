import assert from 'node:assert/strict';
import { test } from 'node:test';
import { independentTotp } from './auth.test-support.ts';
import {
  BACKUP_CODE,
  hashBackupCode,
  newBackupCodes,
  newTotpSecret,
  totpCodeIsValid,
  totpCodeStep,
  totpUri,
} from './totp.ts';

test('the RFC 6238 test vector (SHA-1, T=59 s) in the tests’ own implementation', () => {
  // RFC 6238 appendix B: secret "12345678901234567890", 8 digits 94287082; 6 digits are its last six.
  const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(independentTotp(base32, 59_000), '287082');
  assert.equal(independentTotp(base32, 1_111_111_109_000), '081804');
});

test('otplib accepts the current code and its neighbours, nothing else', async () => {
  const secret = newTotpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(await totpCodeIsValid(secret, independentTotp(secret)), true);
  assert.equal(await totpCodeIsValid(secret, independentTotp(secret, Date.now() - 30_000)), true);
  assert.equal(await totpCodeIsValid(secret, independentTotp(secret, Date.now() - 120_000)), false);
  for (const bad of ['', '12345', '1234567', 'abcdef']) assert.equal(await totpCodeIsValid(secret, bad), false);
  assert.match(totpUri(secret, 'ada@example.test'), /^otpauth:\/\/totp\/Veza:ada%40example\.test\?/);
});

test('a valid code names its own time step (what replay protection records), an invalid one none', async () => {
  const secret = newTotpSecret();
  const now = Date.now();
  const step = Math.floor(now / 30_000);
  assert.equal(await totpCodeStep(secret, independentTotp(secret, now)), step);
  assert.equal(await totpCodeStep(secret, independentTotp(secret, now - 30_000)), step - 1);
  assert.equal(await totpCodeStep(secret, independentTotp(secret, now - 120_000)), null);
});

test('backup codes: ten distinct 60-bit codes, hashed after normalisation', () => {
  const { codes, stored } = newBackupCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const [i, code] of codes.entries()) {
    assert.match(code, BACKUP_CODE);
    assert.equal(stored[i]?.hash, hashBackupCode(code.toUpperCase().replaceAll('-', '')));
    assert.equal(stored[i]?.used_at, null);
  }
});
