import type { CheckCase } from './check-case.ts';

export const notificationsCheckCases: CheckCase[] = [
  { table: 'notifications', constraint: 'chk_notifications_entity_type_valid', bad: { entity_type: 'album' } },
  { table: 'notifications', constraint: 'chk_notifications_entity_both_or_neither', bad: { entity_id: null } },
  { table: 'notifications', constraint: 'chk_notifications_title_not_blank', bad: { title: ' ' } },
  { table: 'notifications', constraint: 'chk_notifications_data_object', bad: { data: '[]' } },
  { table: 'notifications', constraint: 'chk_notifications_read_at_consistent', bad: { is_read: true } },
  { table: 'notifications', constraint: 'chk_notifications_read_at_consistent', bad: { read_at: new Date() } },
];
