import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hashVerifier, newOpaqueToken, parseOpaqueToken, verifierMatches } from './opaque-tokens.ts';

test('a token is selector.verifier; only the selector and the SHA-256 of the verifier are meant for storage', () => {
  const { token, selector, verifierHash } = newOpaqueToken();
  assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  const parsed = parseOpaqueToken(token);
  assert.equal(parsed?.selector, selector);
  assert.equal(
    verifierHash,
    createHash('sha256')
      .update(parsed?.verifier ?? '')
      .digest('hex'),
  );
  assert.ok(!token.includes(verifierHash));
  assert.notEqual(newOpaqueToken().token, token);
});

test('verification is exact; malformed tokens are refused before any lookup', () => {
  const { token, verifierHash } = newOpaqueToken();
  const { verifier } = parseOpaqueToken(token) ?? { verifier: '' };
  assert.equal(verifierMatches(verifier, verifierHash), true);
  assert.equal(verifierMatches(`${verifier.slice(0, -1)}x`, verifierHash), false);
  assert.equal(verifierMatches(verifier, hashVerifier('other')), false);
  assert.equal(verifierMatches(verifier, 'not hex'), false);
  for (const bad of ['', 'abc', `${token}.x`, token.replace('.', ''), `${token} `, token.replace(/.$/, '!')])
    assert.equal(parseOpaqueToken(bad), null, bad);
});
