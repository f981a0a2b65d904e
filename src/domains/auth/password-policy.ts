import type { ProblemField } from '../../platform/http/problem.ts';

/**
 * The password policy. Length first (NIST SP 800-63B): at least 10 characters (the request schemas say
 * so, rule minLength) and at most 72 bytes, what bcrypt reads; nothing about character classes. A
 * password may not be the account's username, email or the email's local part, nor one of the most
 * common long passwords. Reuse of the last five passwords is refused separately (password_history).
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_BYTES = 72;

const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '1234567890a',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qwertyuiop',
  'asdfghjkl;',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou12',
  'football123',
  'letmein123',
  'welcome123',
  'qwerty12345',
  'abcdefghij',
  'aaaaaaaaaa',
  'veza123456',
]);

export function passwordPolicyViolations(
  password: string,
  account: { username: string; email: string },
  field: string,
): ProblemField[] {
  const violations: ProblemField[] = [];
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    violations.push({ field, rule: 'maxBytes', message: `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8` });
  }
  const lowered = password.toLowerCase();
  const email = account.email.toLowerCase();
  const identity = [account.username.toLowerCase(), email, email.split('@')[0] ?? email];
  if (identity.includes(lowered)) {
    violations.push({ field, rule: 'notIdentity', message: 'must not be the username or the email address' });
  }
  if (COMMON.has(lowered) || /^(.)\1+$/.test(password)) {
    violations.push({ field, rule: 'notCommon', message: 'is too common or too easy to guess' });
  }
  return violations;
}
