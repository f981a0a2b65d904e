import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { AccessTokens } from './access-tokens.ts';

// Findings of the outside probe (issue 10 §2): a correctly signed token without exp was accepted forever, and
// two logins in the same second received the same access token.

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const tokens = new AccessTokens(SECRET, 900);
const claims = { userId: randomUUID(), tokenVersion: 0, role: 'user' as const };

/** A token signed with the right key and audience, with the registered claims chosen by the test. */
function forged(omit: { exp?: boolean; jti?: boolean; iat?: boolean }): Promise<string> {
  let jwt = new SignJWT({ tv: 0, role: 'user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer('veza-core')
    .setAudience('veza-api');
  if (!omit.iat) jwt = jwt.setIssuedAt();
  if (!omit.jti) jwt = jwt.setJti(randomUUID());
  if (!omit.exp) jwt = jwt.setExpirationTime('10 minutes');
  return jwt.sign(new TextEncoder().encode(SECRET));
}

test('a correctly signed token is accepted with exp, iat and jti, and refused without any of them', async () => {
  assert.deepEqual(await tokens.verify(await forged({})), claims, 'the control token is valid');
  assert.equal(await tokens.verify(await forged({ exp: true })), null, 'no exp: it would never expire');
  assert.equal(await tokens.verify(await forged({ jti: true })), null, 'no jti');
  assert.equal(await tokens.verify(await forged({ iat: true })), null, 'no iat');
});

test('two tokens issued for the same claims in the same second differ, each with its own jti', async () => {
  // Issued until both fall in the same second (the case the probe found); a second boundary between them is rare.
  let first, second;
  do {
    first = await tokens.issue(claims);
    second = await tokens.issue(claims);
  } while (decodeJwt(first.token).iat !== decodeJwt(second.token).iat);
  const [a, b] = [decodeJwt(first.token), decodeJwt(second.token)];
  assert.notEqual(first.token, second.token);
  assert.match(String(a.jti), /^[0-9a-f-]{36}$/);
  assert.notEqual(a.jti, b.jti);
  assert.equal(typeof a.exp, 'number');
});
