import type { CheckCase } from './check-case.ts';

// A CHECK is evaluated before the FK triggers fire, so one unknown user on both sides
// reports the "not the same user" CHECK, not a FK violation.
const someone = '00000000-0000-4000-8000-000000000001';

export const chatCheckCases: CheckCase[] = [
  { table: 'rooms', constraint: 'chk_rooms_room_type_valid', bad: { room_type: 'secret' } },
  { table: 'room_members', constraint: 'chk_room_members_role_valid', bad: { role: 'guest' } },
  { table: 'messages', constraint: 'chk_messages_content_length', bad: { content: '' } },
  { table: 'messages', constraint: 'chk_messages_content_length', bad: { content: 'x'.repeat(10001) } },
  // half a reference to the replied-to message, either half
  { table: 'messages', constraint: 'chk_messages_reply_to_both_or_none', bad: { reply_to_created_at: new Date() } },
  {
    table: 'messages',
    constraint: 'chk_messages_reply_to_both_or_none',
    bad: { reply_to_id: someone, reply_to_created_at: null },
  },
  { table: 'direct_messages', constraint: 'chk_direct_messages_content_length', bad: { content: '' } },
  { table: 'direct_messages', constraint: 'chk_direct_messages_content_length', bad: { content: 'x'.repeat(10001) } },
  {
    table: 'direct_messages',
    constraint: 'chk_direct_messages_different_users',
    bad: { sender_id: someone, recipient_id: someone },
  },
  { table: 'user_presence', constraint: 'chk_user_presence_status_valid', bad: { status: 'invisible' } },
  // Migration 0035 (ADR 0054): the chat event log.
  { table: 'chat_events', constraint: 'chk_chat_events_scope_type_valid', bad: { scope_type: 'world' } },
  { table: 'chat_events', constraint: 'chk_chat_events_event_type_format', bad: { event_type: 'Message Created!' } },
  {
    table: 'chat_events',
    constraint: 'chk_chat_events_payload_size',
    bad: { payload: { padding: Array.from({ length: 3000 }, () => crypto.randomUUID()) } },
  },
];
