// The chat domain (spec §8 Chat & Messaging). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0006). */
export const chatTables = [
  'rooms',
  'room_members',
  'messages',
  'message_reactions',
  'direct_messages',
  'user_presence',
  'typing_indicators',
] as const;
