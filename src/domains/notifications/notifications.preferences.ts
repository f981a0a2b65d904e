// Preferences (ADR 0066): a channel per type, quiet hours in the user's time zone, the opt-in digest. Pure rules.
import type { Selectable } from 'kysely';
import type { NotificationPreferences } from '../../platform/db/db.generated.ts';
import type { Channel, Digest, NotificationType } from './notifications.catalogue.ts';

/**
 * The columns of notification_preferences the rules read. quiet_hours_start and quiet_hours_end are read as 'HH:MM'
 * local time (notifications.repository.ts formats them), or null: no quiet hours.
 */
export type Preferences = Pick<
  Selectable<NotificationPreferences>,
  | 'follow_channel'
  | 'like_channel'
  | 'comment_channel'
  | 'mention_channel'
  | 'message_channel'
  | 'quiet_hours_start'
  | 'quiet_hours_end'
  | 'time_zone'
  | 'digest'
>;

export function defaultPreferences(): Preferences {
  return {
    follow_channel: 'in_app',
    like_channel: 'in_app',
    comment_channel: 'in_app',
    mention_channel: 'in_app',
    message_channel: 'in_app',
    quiet_hours_start: null,
    quiet_hours_end: null,
    time_zone: 'UTC',
    digest: 'off' satisfies Digest,
  };
}

/** The channel of a type; 'system' notices always reach the app. */
export function channelOf(preferences: Preferences, type: NotificationType): Channel {
  if (type === 'system') return 'in_app';
  return preferences[`${type}_channel`] as Channel;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The local time of day at `now` in `timeZone`, in minutes since midnight. */
export function localMinutes(now: Date, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'UTC',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
  }
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/**
 * Whether `now` falls in the quiet hours: [start, end) local time; an end before the start spans midnight
 * (22:00-07:00). Start = end is refused when saved.
 */
export function inQuietHours(preferences: Preferences, now: Date): boolean {
  const { quiet_hours_start: start, quiet_hours_end: end } = preferences;
  if (start === null || end === null) return false;
  const t = localMinutes(now, preferences.time_zone);
  const s = minutesOf(start);
  const e = minutesOf(end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}
