// The real-time events of the chat domain (issue 14 §4, ADR 0054) and the one way to publish them: recordChatEvent,
// called inside the transaction of the change it announces (an outbox). The row in chat_events exists exactly when
// the change committed; the WebSocket gateway of every instance fans it out and replays it on resume.
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { appendChatEvents } from './chat.events.repository.ts';

/** Who receives an event: the readers of a room, or one user alone (direct messages, personal events). */
export type ChatScope = { kind: 'room'; roomId: string } | { kind: 'user'; userId: string };

type Role = 'owner' | 'admin' | 'moderator' | 'member';
type PresenceStatus = 'online' | 'away' | 'busy' | 'offline';

/** A message as clients see it in an event; timestamps are ISO 8601 strings. */
export interface MessageView {
  id: string;
  room_id: string;
  sender_id: string;
  content: string;
  message_type: string;
  attachment_file_id: string | null;
  reply_to_id: string | null;
  created_at: string;
  client_key?: string | null;
}

/** A direct message as clients see it in an event. */
export interface DirectMessageView {
  id: string;
  sender_id: string;
  recipient_id: string;
  content: string;
  created_at: string;
  client_key?: string | null;
}

/**
 * The payload of each event type: ids and the data a client needs to update its view without a round trip,
 * nothing more (the log is kept 7 days and its rows are bounded, chk_chat_events_payload_size).
 */
export interface ChatEventPayloads {
  'message.created': { message: MessageView };
  'message.edited': { room_id: string; message_id: string; content: string; edited_at: string };
  'message.deleted': { room_id: string; message_id: string; deleted_by: string };
  'reaction.added': { room_id: string; message_id: string; user_id: string; emoji: string };
  'reaction.removed': { room_id: string; message_id: string; user_id: string; emoji: string };
  'message.pinned': { room_id: string; message_id: string; by: string };
  'message.unpinned': { room_id: string; message_id: string; by: string };
  'member.joined': { room_id: string; user_id: string; role: Role };
  /** The member's read access ends: the gateway unsubscribes `user_id` before sending anything else. */
  'member.left': { room_id: string; user_id: string };
  'member.kicked': { room_id: string; user_id: string; by: string };
  'member.banned': { room_id: string; user_id: string; by: string };
  'member.unbanned': { room_id: string; user_id: string; by: string };
  'member.role_changed': { room_id: string; user_id: string; role: Role; by: string };
  'member.muted': { room_id: string; user_id: string; muted: boolean; by: string };
  'room.updated': { room_id: string; changes: Record<string, string | number | boolean | null> };
  /** Every subscription to the room ends. */
  'room.deleted': { room_id: string };
  'read.marker': { room_id: string; user_id: string; last_read_at: string };
  'dm.created': { message: DirectMessageView };
  'dm.read': { message_ids: string[]; reader_id: string; read_at: string };
  'dm.deleted': { message_id: string; deleted_by: string };
  /** `until`: when the indicator lapses unless renewed (10 seconds, spec §8.7). */
  typing: { room_id: string | null; user_id: string; recipient_id?: string | null; until: string };
  presence: {
    user_id: string;
    status: PresenceStatus;
    custom_status: string | null;
    last_seen_at: string | null;
  };
  /** Personal: the account was logged out everywhere, banned or deleted; the gateway re-checks and closes. */
  'account.revoked': { user_id: string };
  /** Personal: a notification was created or its group grew (issue 15 §7, ADR 0067; shape: notifications domain). */
  notification: { notification: Record<string, string | number | boolean | null | string[]> };
}

export type ChatEventType = keyof ChatEventPayloads;

/** Every event type, in a stable order (the protocol document and the tests walk it). */
export const chatEventTypes = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'message.pinned',
  'message.unpinned',
  'member.joined',
  'member.left',
  'member.kicked',
  'member.banned',
  'member.unbanned',
  'member.role_changed',
  'member.muted',
  'room.updated',
  'room.deleted',
  'read.marker',
  'dm.created',
  'dm.read',
  'dm.deleted',
  'typing',
  'presence',
  'account.revoked',
  'notification',
] as const satisfies readonly ChatEventType[];

/** Event types after which a user may no longer read a room (the gateway drops the subscription at once). */
export const accessEndingEventTypes: ReadonlySet<ChatEventType> = new Set([
  'member.left',
  'member.kicked',
  'member.banned',
  'room.deleted',
]);

/** An event to record: its type, who receives it, and its payload. */
export type ChatEvent = {
  [T in ChatEventType]: { type: T; scope: ChatScope; payload: ChatEventPayloads[T] };
}[ChatEventType];

/** An event as read back from the log. */
export interface StoredChatEvent {
  seq: string;
  scope: ChatScope;
  type: ChatEventType;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Appends `event` to the chat event log inside `tx`, the transaction of the change it announces, and returns its
 * seq (the resume cursor, a decimal string). The writers of one scope are serialised from here to their commit, so
 * that a scope's events commit in seq order and a client resuming "after seq N" of a room can miss none (ADR 0054):
 * call it last in the transaction, after the change itself. Delivery to the other instances starts at commit; a
 * rolled-back transaction leaves no event.
 *
 * A transaction announcing events of SEVERAL scopes (a direct message: sender's and recipient's) must use
 * recordChatEvents once, not this twice: two such transactions taking the scopes' locks in opposite orders would
 * deadlock.
 */
export async function recordChatEvent(tx: Transaction<DB>, event: ChatEvent): Promise<{ seq: string }> {
  const [recorded] = await appendChatEvents(tx, [event]);
  return recorded!;
}

/**
 * Appends several events in one go, in the order given, locking their scopes in a fixed order (no deadlock between
 * two transactions touching the same scopes). Returns their seqs in the same order.
 */
export function recordChatEvents(tx: Transaction<DB>, events: readonly ChatEvent[]): Promise<{ seq: string }[]> {
  return appendChatEvents(tx, events);
}
