import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const badges: Factory = (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'badges', { name: `Badge ${token}`, slug: `badge-${token}`, category: 'instrument', ...o });
};

export const profilesFactories = {
  user_profiles: async (sql, o = {}) =>
    insertRow(sql, 'user_profiles', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  user_settings: async (sql, o = {}) =>
    insertRow(sql, 'user_settings', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  user_roles: async (sql, o = {}) =>
    insertRow(sql, 'user_roles', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      role: 'creator',
      ...o,
    }),
  badges,
  user_badges: async (sql, o = {}) =>
    insertRow(sql, 'user_badges', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      badge_id: await parentId(o, 'badge_id', () => badges(sql)),
      ...o,
    }),
} satisfies Record<string, Factory>;
