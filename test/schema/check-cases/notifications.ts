import { GROUPED_ENTITY_ID } from '../../factories/notifications.ts';
import type { CheckCase } from './check-case.ts';

export const notificationsCheckCases: CheckCase[] = [
  { table: 'notifications', constraint: 'chk_notifications_entity_type_valid', bad: { entity_type: 'album' } },
  { table: 'notifications', constraint: 'chk_notifications_entity_both_or_neither', bad: { entity_id: null } },
  { table: 'notifications', constraint: 'chk_notifications_title_not_blank', bad: { title: ' ' } },
  { table: 'notifications', constraint: 'chk_notifications_data_object', bad: { data: '[]' } },
  { table: 'notifications', constraint: 'chk_notifications_read_at_consistent', bad: { is_read: true } },
  { table: 'notifications', constraint: 'chk_notifications_read_at_consistent', bad: { read_at: new Date() } },
  // One unread notification per group (ADR 0066); both rows go to the factory's shared recipient of this entity.
  {
    table: 'notifications',
    constraint: 'uq_notifications_user_id_type_entity_unread',
    first: { entity_id: GROUPED_ENTITY_ID },
    bad: { entity_id: GROUPED_ENTITY_ID },
  },
  ...(['follow', 'like', 'comment', 'mention', 'message'] as const).map((type) => ({
    table: 'notification_preferences',
    constraint: `chk_notification_preferences_${type}_channel_valid`,
    bad: { [`${type}_channel`]: 'sms' },
  })),
  {
    table: 'notification_preferences',
    constraint: 'chk_notification_preferences_quiet_hours_both_or_neither',
    bad: { quiet_hours_end: null },
  },
  {
    table: 'notification_preferences',
    constraint: 'chk_notification_preferences_time_zone_not_blank',
    bad: { time_zone: ' ' },
  },
  {
    table: 'notification_preferences',
    constraint: 'chk_notification_preferences_digest_valid',
    bad: { digest: 'hourly' },
  },
];
