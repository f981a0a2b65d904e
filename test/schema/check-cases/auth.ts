import type { CheckCase } from './check-case.ts';

const past = new Date('2020-01-01T00:00:00Z');

export const authCheckCases: CheckCase[] = [
  // Migration 0024: usernames are unique whatever their case.
  {
    table: 'users',
    constraint: 'uq_users_lower_username',
    first: { username: 'Case_Twin' },
    bad: { username: 'case_twin' },
  },
  { table: 'users', constraint: 'chk_users_email_format', bad: { email: 'not-an-email' } },
  { table: 'users', constraint: 'chk_users_email_format', bad: { email: 'a@b' } },
  { table: 'users', constraint: 'chk_users_username_format', bad: { username: 'ab' } },
  { table: 'users', constraint: 'chk_users_username_format', bad: { username: 'has space' } },
  { table: 'refresh_tokens', constraint: 'chk_refresh_tokens_expires_future', bad: { expires_at: past } },
  { table: 'refresh_tokens', constraint: 'chk_refresh_tokens_device_type_valid', bad: { device_type: 'toaster' } },
  { table: 'password_reset_tokens', constraint: 'chk_password_reset_expires', bad: { expires_at: past } },
  { table: 'email_verification_tokens', constraint: 'chk_email_verification_expires', bad: { expires_at: past } },
];
