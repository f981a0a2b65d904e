// Error catalogue of the chat domain: stable codes, rendered as RFC 9457 problem details (docs/api.md).
// One section per part of issue 14; each helper adds entries under its own section only.
import { problemType } from '../../platform/http/problem.ts';

export const ChatProblems = {
  // Rooms (issue 14 §1; ADR 0056). A room the caller may not know exists (private and not a member, banned,
  // deleted) answers roomNotFound, whatever the route.
  /** No such room, or one the caller may not know exists. */
  roomNotFound: problemType('ROOM_NOT_FOUND', 404, 'No such room'),
  /** uq_rooms_slug: another room has this slug. */
  roomSlugTaken: problemType('ROOM_SLUG_TAKEN', 409, 'Another room has this slug'),
  /** The room holds max_members members already. */
  roomFull: problemType('ROOM_FULL', 409, 'The room is full'),
  /** The room has a password and none, or a wrong one, was given. */
  roomPasswordWrong: problemType('ROOM_PASSWORD_WRONG', 403, 'The room password is wrong'),
  /** Too many wrong passwords for this room lately: retry after the time given (Retry-After). */
  roomPasswordThrottled: problemType('ROOM_PASSWORD_THROTTLED', 429, 'Too many wrong room passwords; wait'),
  /** No such member in the room (never joined, left, kicked or banned). */
  memberNotFound: problemType('ROOM_MEMBER_NOT_FOUND', 404, 'No such member in the room'),
  /** The user is already a member of the room. */
  alreadyMember: problemType('ROOM_ALREADY_MEMBER', 409, 'The user is already a member of the room'),
  /** The owner leaves only after transferring ownership (or deletes the room). */
  ownerCannotLeave: problemType('ROOM_OWNER_CANNOT_LEAVE', 409, 'Transfer ownership before leaving the room'),
  /** The user invited is banned from the room: unban them first. */
  memberBanned: problemType('ROOM_MEMBER_BANNED', 409, 'The user is banned from this room'),

  // Messages (issue 14 §2; ADR 0057). A message of a room the caller may not read answers roomNotFound.
  /** No such message in the room (or already purged). */
  messageNotFound: problemType('MESSAGE_NOT_FOUND', 404, 'No such message in the room'),
  /** A muted member may read but not send, react or edit. */
  memberMuted: problemType('ROOM_MEMBER_MUTED', 403, 'You are muted in this room'),
  /** The message is deleted: it cannot be edited, pinned or reacted to. */
  messageDeleted: problemType('MESSAGE_DELETED', 409, 'The message is deleted'),
  /** The file named cannot be attached: missing or not the caller's, deleted, not cleared or not processed. */
  attachmentUnusable: problemType('MESSAGE_ATTACHMENT_UNUSABLE', 422, 'This file cannot be attached'),
  /** The client key was used for a message in another room. */
  clientKeyReused: problemType('MESSAGE_CLIENT_KEY_REUSED', 409, 'This client key names a message of another room'),

  // Direct messages (issue 14 §3).
  // A conversation with someone the caller may not write to (no such account, deleted, or a block either way)
  // answers conversationNotFound: who blocked whom is never told.
  /** No conversation with this user: no such account, a deleted one, or a block between the two of you. */
  conversationNotFound: problemType('CONVERSATION_NOT_FOUND', 404, 'No such conversation'),
  /** No such direct message among the caller's (someone else's, deleted on the caller's side, or never there). */
  directMessageNotFound: problemType('DIRECT_MESSAGE_NOT_FOUND', 404, 'No such direct message'),

  // Presence (issue 14 §5).
  // Typing in a room the caller may not read answers roomNotFound. Presence the user does not share with the
  // caller is left out of lists, never an error (an account's existence is public, its presence is not).

  // Real-time gateway (issue 14 §4; ADRs 0054, 0055). Errors on an open socket are error frames and close codes
  // (src/domains/chat/gateway/protocol.ts), not problems.
  /** GET /v1/chat/socket without a WebSocket upgrade. */
  upgradeRequired: problemType('CHAT_SOCKET_UPGRADE_REQUIRED', 426, 'This address speaks WebSocket only'),
} as const;

// Keeps the import used while a section is empty.
void problemType;
