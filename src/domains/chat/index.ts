// The chat domain (spec §8 Chat & Messaging). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migrations 0006, 0035). */
export const chatTables = [
  'rooms',
  'room_members',
  'messages',
  'message_reactions',
  'direct_messages',
  'user_presence',
  'typing_indicators',
  'chat_events',
] as const;

export { chatModule } from './chat.module.ts';
// Presence kept in Redis (ADR 0059) is personal data outside the tables: the GDPR export and erasure reach it here.
export { erasePresenceKeptInRedis, presenceKeptInRedis } from './presence.repository.ts';
export { chatEventsExpire } from './chat.events.jobs.ts';
// Live notifications ride the personal scope of the gateway (issue 15 §7, ADR 0067).
export { recordChatEvent } from './chat.events.ts';
export { messageModeration } from './message-moderation.ts';
