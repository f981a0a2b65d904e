import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordPolicyViolations } from './password-policy.ts';

const account = { username: 'Ada_Lovelace', email: 'ada.king@example.test' };
const rules = (password: string) => passwordPolicyViolations(password, account, 'body.password').map((v) => v.rule);

test('a long, personal passphrase passes', () => {
  assert.deepEqual(rules('analytical engine notes'), []);
  assert.deepEqual(rules('ünïcödé passphrase ✓'), []);
});

test('the username, the email or its local part, in any case, are refused', () => {
  assert.deepEqual(rules('ada_lovelace'), ['notIdentity']);
  assert.deepEqual(rules('ADA.KING@EXAMPLE.TEST'), ['notIdentity']);
  assert.deepEqual(rules('Ada.King'), ['notIdentity']);
});

test('common and repetitive passwords are refused; more than 72 bytes is refused', () => {
  assert.deepEqual(rules('Password123'), ['notCommon']);
  assert.deepEqual(rules('zzzzzzzzzzzz'), ['notCommon']);
  assert.deepEqual(rules('€'.repeat(25)), ['maxBytes', 'notCommon']);
  assert.deepEqual(rules('x'.repeat(72).replace(/^x/, 'y')), []);
});
