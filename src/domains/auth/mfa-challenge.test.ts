import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SecretBox } from '../../platform/crypto/index.ts';
import { MfaChallenges } from './mfa-challenge.ts';

const box = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
// Values with characters a sealed token (v1:<key id>:<base64url>…) cannot hold, so that no random ciphertext
// contains them by chance.
const challenge = {
  userId: 'user #1',
  tokenVersion: 3,
  identifier: 'ada@example.test',
  deviceName: null,
  deviceType: null,
};

test('a challenge opens back to what the password step proved, for five minutes', (context) => {
  const challenges = new MfaChallenges(box);
  const { token, expiresIn } = challenges.issue(challenge);
  assert.equal(expiresIn, 300);
  assert.ok(!token.includes('#') && !token.includes('@') && !token.includes('"'), 'opaque to the client');
  const before = Date.now();
  const opened = challenges.open(token);
  assert.ok(opened && opened.issuedAt <= before && opened.issuedAt > before - 1000, 'carries its issue time');
  assert.deepEqual({ ...opened, issuedAt: 0, expiresAt: 0 }, { ...challenge, issuedAt: 0, expiresAt: 0 });
  context.mock.timers.enable({ apis: ['Date'], now: Date.now() + 301_000 });
  assert.equal(challenges.open(token), null);
});

test('a value sealed for another purpose, with another key, or altered does not open', () => {
  const challenges = new MfaChallenges(box);
  assert.equal(challenges.open(box.seal(JSON.stringify({ ...challenge, expiresAt: Date.now() + 1e6 }), 'other')), null);
  const foreign = new MfaChallenges(new SecretBox([{ id: 'k1', key: randomBytes(32) }])).issue(challenge).token;
  assert.equal(challenges.open(foreign), null);
  assert.equal(challenges.open('v1:k1:garbage:garbage'), null);
});

test('a challenge without an issue time (sealed before challenges could be spent) does not open', () => {
  const challenges = new MfaChallenges(box);
  const legacy = box.seal(JSON.stringify({ ...challenge, expiresAt: Date.now() + 60_000 }), 'veza:auth:mfa-challenge');
  assert.equal(challenges.open(legacy), null);
});
