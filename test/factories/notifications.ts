import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Factory, Row } from './insert-row.ts';
import { insertRow, parentId } from './insert-row.ts';
import { authFactories } from './auth.ts';

/**
 * The entity of the bad-row case of uq_notifications_user_id_type_entity_unread (test/schema/check-cases): a
 * notification about it goes, unless told otherwise, to one recipient per database, so that the case can insert two
 * unread notifications of one group without naming a user that exists.
 */
export const GROUPED_ENTITY_ID = '5b0c4a8e-7d2f-4e61-9c3a-1f2e3d4c5b6a';
const recipients = new WeakMap<Sql, Promise<Row>>();
function sharedRecipient(sql: Sql): Promise<Row> {
  let recipient = recipients.get(sql);
  if (!recipient) {
    recipient = authFactories.users(sql);
    recipients.set(sql, recipient);
  }
  return recipient;
}

const newNotification: Factory = async (sql, o = {}) =>
  insertRow(sql, 'notifications', {
    user_id: await parentId(o, 'user_id', () =>
      o.entity_id === GROUPED_ENTITY_ID ? sharedRecipient(sql) : authFactories.users(sql),
    ),
    actor_id: await parentId(o, 'actor_id', () => authFactories.users(sql)),
    type: 'like',
    entity_type: 'track',
    entity_id: randomUUID(),
    title: 'Someone liked your track',
    data: { track_title: 'Night Drive' },
    ...o,
  });

export const notificationsFactories = {
  notifications: newNotification,
  notification_actors: async (sql, o = {}) =>
    insertRow(sql, 'notification_actors', {
      notification_id: await parentId(o, 'notification_id', () => newNotification(sql)),
      actor_id: await parentId(o, 'actor_id', () => authFactories.users(sql)),
      ...o,
    }),
  notification_preferences: async (sql, o = {}) =>
    insertRow(sql, 'notification_preferences', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      like_channel: 'email',
      quiet_hours_start: '22:00',
      quiet_hours_end: '07:00',
      time_zone: 'Europe/Paris',
      ...o,
    }),
} satisfies Record<string, Factory>;
