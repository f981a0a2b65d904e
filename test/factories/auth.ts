import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';

const inOneHour = () => new Date(Date.now() + 3_600_000);

const users: Factory = (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'users', { email: `user_${token}@example.test`, username: `user_${token}`, ...o });
};

export const authFactories = {
  users,
  refresh_tokens: async (sql, o = {}) =>
    insertRow(sql, 'refresh_tokens', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      token: uniqueToken(),
      token_hash: uniqueToken(),
      expires_at: inOneHour(),
      ...o,
    }),
  password_reset_tokens: async (sql, o = {}) =>
    insertRow(sql, 'password_reset_tokens', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      token: uniqueToken(),
      token_hash: uniqueToken(),
      expires_at: inOneHour(),
      ...o,
    }),
  email_verification_tokens: async (sql, o = {}) =>
    insertRow(sql, 'email_verification_tokens', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      token: uniqueToken(),
      token_hash: uniqueToken(),
      email: `verify_${uniqueToken()}@example.test`,
      expires_at: inOneHour(),
      ...o,
    }),
  password_history: async (sql, o = {}) =>
    insertRow(sql, 'password_history', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      password_hash: '$2b$12$abcdefghijklmnopqrstuuJ0mZ1r3M3n0vYy0a8l7cY8u6N5gKq1e',
      ...o,
    }),
  two_factor_configs: async (sql, o = {}) =>
    insertRow(sql, 'two_factor_configs', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      ...o,
    }),
  federated_identities: async (sql, o = {}) =>
    insertRow(sql, 'federated_identities', {
      user_id: await parentId(o, 'user_id', () => users(sql)),
      provider: 'github',
      provider_user_id: uniqueToken(),
      ...o,
    }),
  login_attempts: (sql, o = {}) =>
    insertRow(sql, 'login_attempts', {
      identifier: `someone_${uniqueToken()}`,
      success: false,
      ip_address: '192.0.2.10',
      ...o,
    }),
} satisfies Record<string, Factory>;
