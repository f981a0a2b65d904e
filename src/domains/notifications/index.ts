// The notifications domain (spec "Other" (notification_type, §3.2); issue 15 §7). Other domains import from this
// file only.

/** Tables this domain owns: only its repositories read or write them (migrations 0015, 0043). */
export const notificationsTables = ['notifications', 'notification_actors', 'notification_preferences'] as const;

export { forgetNotificationsBetween, notify, retractNotification } from './notifications.notify.ts';
export {
  NOTIFICATION_TYPES,
  type NotificationCause,
  type NotificationEntityType,
  type NotificationType,
} from './notifications.catalogue.ts';
export { notificationsModule } from './notifications.module.ts';
export { notificationsMail } from './notifications.jobs.ts';
