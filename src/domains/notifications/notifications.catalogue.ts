// The catalogue of notification kinds (issue 15 §7, ADR 0066). Exactly the spec's notification_type (§3.2): a test
// compares it with the enum in the database. Veza never sends streak reminders, "you haven't posted in a while",
// "people are waiting for you", trending nudges or any other engagement bait: there is no type for them, and the
// enum would need a migration and a reviewed ADR change to add one.

/** Every notification type, in the order of the spec's enum. */
export const NOTIFICATION_TYPES = ['follow', 'like', 'comment', 'message', 'mention', 'system'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The types a user may route to in_app, email or none; 'system' (security, legal notices) is always in_app. */
export const CONFIGURABLE_TYPES = ['follow', 'like', 'comment', 'mention', 'message'] as const;
export type ConfigurableType = (typeof CONFIGURABLE_TYPES)[number];

export const CHANNELS = ['in_app', 'email', 'none'] as const;
export type Channel = (typeof CHANNELS)[number];

export const DIGESTS = ['off', 'daily', 'weekly'] as const;
export type Digest = (typeof DIGESTS)[number];

/** chk_notifications_entity_type_valid (migrations 0015, 0050). */
export const NOTIFICATION_ENTITY_TYPES = [
  'user',
  'track',
  'playlist',
  'track_comment',
  'post',
  'post_comment',
  'message',
  'direct_message',
  'room',
  'group',
  'product',
  'product_review',
  'order',
  'course',
  'equipment_warranty',
] as const;
export type NotificationEntityType = (typeof NOTIFICATION_ENTITY_TYPES)[number];

/**
 * One cause of a notification (shared rule 5 of issue 15). Grouping key: (recipientId, type, entityType, entityId)
 * among the recipient's UNREAD notifications. The entity each cause names (ADR 0066):
 * - follow: entityType 'user', entityId = the FOLLOWED user (the recipient), so follows group ("A and 3 others
 *   followed you"); a follow REQUEST: entityType 'user', entityId = the requester (one per requester, to answer it)
 *   with `snippet: 'follow_request'`.
 * - like: the liked object ('track', 'post', 'post_comment', 'track_comment').
 * - comment: the commented object ('track', 'post'; a reply: the parent comment), snippet = start of the comment.
 * - mention: the object holding the mention ('post', 'post_comment', 'message'); each is its own group.
 * - message: entityType 'user', entityId = the SENDER: direct messages group per sender.
 * - system: no actor; entity optional.
 */
export interface NotificationCause {
  recipientId: string;
  actorId: string | null;
  type: NotificationType;
  entityType: NotificationEntityType;
  entityId: string;
  snippet?: string;
}

const VERBS: Record<NotificationType, (entity: NotificationEntityType, plural: boolean) => string> = {
  follow: () => 'followed you',
  like: (entity) => `liked your ${noun(entity)}`,
  comment: (entity) =>
    entity === 'post_comment' || entity === 'track_comment'
      ? 'replied to your comment'
      : `commented on your ${noun(entity)}`,
  mention: (entity) => `mentioned you in a ${noun(entity)}`,
  message: (_entity, plural) => (plural ? 'sent you messages' : 'sent you a message'),
  system: () => 'Veza notice',
};

const NOUNS: Partial<Record<NotificationEntityType, string>> = {
  track_comment: 'comment',
  post_comment: 'comment',
  direct_message: 'message',
  product_review: 'review',
};

function noun(entity: NotificationEntityType): string {
  return NOUNS[entity] ?? entity;
}

/**
 * The title of a group, rendered again whenever it changes: "alice liked your track", "alice and bob liked your
 * track", "alice and 12 others liked your track". `names`: newest actor first.
 */
export function renderTitle(
  cause: Pick<NotificationCause, 'type' | 'entityType' | 'snippet'>,
  names: string[],
  actorCount: number,
  messages = 1,
): string {
  if (cause.type === 'system') return cause.snippet?.trim() ? cause.snippet.trim().slice(0, 255) : 'Veza notice';
  if (cause.type === 'follow' && cause.snippet === 'follow_request')
    return `${names[0] ?? 'Someone'} asked to follow you`.slice(0, 255);
  const first = names[0] ?? 'Someone';
  const who =
    actorCount <= 1
      ? first
      : actorCount === 2 && names[1]
        ? `${first} and ${names[1]}`
        : `${first} and ${actorCount - 1} ${actorCount - 1 === 1 ? 'other' : 'others'}`;
  return `${who} ${VERBS[cause.type](cause.entityType, messages > 1)}`.slice(0, 255);
}
