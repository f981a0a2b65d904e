// Licence keys (ADR 0075): the readable grouped shape, 150 bits from the CSPRNG (no repeat, every character of
// the alphabet in use at every position), and the forgiving reading of a typed key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LICENSE_KEY_PATTERN, newLicenseKey, normaliseLicenseKey } from './delivery.service.ts';

test('keys have the grouped shape, never repeat, and use the whole alphabet at each position', () => {
  const keys = Array.from({ length: 5000 }, () => newLicenseKey());
  for (const key of keys) assert.match(key, LICENSE_KEY_PATTERN);
  assert.equal(new Set(keys).size, keys.length);
  const body = keys.map((key) => key.slice(4).replaceAll('-', ''));
  for (const position of [0, 14, 29]) {
    const seen = new Set(body.map((b) => b[position]));
    assert.equal(seen.size, 32, `position ${position} uses all 32 characters`);
  }
});

test('a typed key reads as the stored one; anything that cannot be a key is refused', () => {
  const key = 'VZL-01ABC-DEFGH-JKMNP-QRSTV-WXYZ0-12345';
  assert.equal(normaliseLicenseKey(key), key);
  assert.equal(normaliseLicenseKey(' vzl 01abc defgh jkmnp qrstv wxyz0 12345 '), key);
  assert.equal(normaliseLicenseKey('VZLO1ABCDEFGHJKMNPQRSTVWXYZO12345'), key);
  assert.equal(
    normaliseLicenseKey('VZL-OIABC-DEFGH-JKMNP-QRSTV-WXYZ0-12345'),
    'VZL-01ABC-DEFGH-JKMNP-QRSTV-WXYZ0-12345',
  );
  for (const bad of [
    '',
    'VZL',
    'ABC-01ABC-DEFGH-JKMNP-QRSTV-WXYZ0-12345',
    `${key}0`,
    key.replace('A', 'U'),
    key.slice(0, -1),
  ])
    assert.equal(normaliseLicenseKey(bad), undefined, bad);
});
