import { randomUUID } from 'node:crypto';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId } from './insert-row.ts';
import { authFactories } from './auth.ts';

export const notificationsFactories = {
  notifications: async (sql, o = {}) =>
    insertRow(sql, 'notifications', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      actor_id: await parentId(o, 'actor_id', () => authFactories.users(sql)),
      type: 'like',
      entity_type: 'track',
      entity_id: randomUUID(),
      title: 'Someone liked your track',
      data: { track_title: 'Night Drive' },
      ...o,
    }),
} satisfies Record<string, Factory>;
