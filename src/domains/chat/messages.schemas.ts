// The room messages API contract (issue 14 §2, ADR 0057): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { TEXT_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

/** chk_messages_content_length. */
export const MAX_MESSAGE_LENGTH = 10_000;
export const MAX_HISTORY_PAGE = 100;

const Content = Type.String({
  minLength: 1,
  maxLength: MAX_MESSAGE_LENGTH,
  pattern: TEXT_PATTERN,
  description: '1 to 10,000 characters, not only spaces, no control characters but newlines and tabs',
});
const ClientKey = Type.String({
  minLength: 8,
  maxLength: 100,
  pattern: '^[A-Za-z0-9._:-]+$',
  description:
    'Your own key for this message (a UUID does): sending again with the same key within 24 hours answers the ' +
    'message the first send created (200) instead of creating another',
});
const Emoji = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'One emoji (a single grapheme, at most 10 UTF-16 code units), URL-encoded',
});

export const RoomMessagesParams = Type.Object({ id: Uuid }, closed);
export const MessageParams = Type.Object({ id: Uuid, message_id: Uuid }, closed);
export const ReactionParams = Type.Object({ id: Uuid, message_id: Uuid, emoji: Emoji }, closed);

export const SendMessageSchema = Type.Object(
  {
    content: Type.Optional(Content),
    attachment_file_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'A clean, processed file of yours; message_type follows its type' }),
    ),
    reply_to_id: Type.Optional(Type.String({ format: 'uuid', description: 'A message of the same room' })),
    client_key: Type.Optional(ClientKey),
  },
  closed,
);
export type SendMessage = Static<typeof SendMessageSchema>;

export const EditMessageSchema = Type.Object({ content: Content }, closed);

export const HistoryQuerySchema = Type.Object(
  {
    before: Type.Optional(Type.String({ format: 'uuid', description: 'Messages older than this one' })),
    after: Type.Optional(Type.String({ format: 'uuid', description: 'Messages newer than this one' })),
    around: Type.Optional(Type.String({ format: 'uuid', description: 'This message and those on either side' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE, default: 50 }),
  },
  closed,
);
export type HistoryQuery = Static<typeof HistoryQuerySchema>;

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: TEXT_PATTERN,
      description: 'Words, "a phrase", -excluded',
    }),
    room_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only this room' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  closed,
);
export type SearchQuery = Static<typeof SearchQuerySchema>;

export const ReadMarkerSchema = Type.Object(
  { message_id: Type.String({ format: 'uuid', description: 'The last message you read, of this room' }) },
  closed,
);
export const ReadMarkerResultSchema = Type.Object({
  last_read_at: Nullable(Timestamp),
  unread_count: Type.Integer({ minimum: 0 }),
});

export const ReactionSchema = Type.Object({
  emoji: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  mine: Type.Boolean({ description: 'Whether you are among them' }),
});

export const MessageSchema = Type.Object({
  id: Uuid,
  room_id: Uuid,
  sender_id: Uuid,
  content: Nullable(Type.String(), { description: 'null once deleted: the message is a placeholder' }),
  message_type: Type.Union(
    [Type.Literal('text'), Type.Literal('image'), Type.Literal('audio'), Type.Literal('video'), Type.Literal('file')],
    { description: 'text, or the kind of the attached file' },
  ),
  attachment_file_id: Nullable(Uuid),
  attachment_url: Nullable(
    Type.String({ description: 'Where members download the attached file (GET/HEAD, ranges); null without one' }),
  ),
  reply_to_id: Nullable(Uuid, { description: 'null when not a reply, or once the parent is purged' }),
  mentions: Type.Array(Uuid, { description: 'Accounts mentioned as @username' }),
  reactions: Type.Array(ReactionSchema),
  is_edited: Type.Boolean(),
  edited_at: Nullable(Timestamp),
  is_deleted: Type.Boolean(),
  is_pinned: Type.Boolean(),
  client_key: Nullable(Type.String(), { description: 'Shown to the sender only' }),
  created_at: Timestamp,
});
export type Message = Static<typeof MessageSchema>;

export const HistorySchema = Type.Object({
  items: Type.Array(MessageSchema, { description: 'Newest first' }),
  has_older: Type.Boolean({ description: 'Pass the last item’s id as `before` for the previous page' }),
  has_newer: Type.Boolean({ description: 'Pass the first item’s id as `after` for the next page' }),
});
export type History = Static<typeof HistorySchema>;

export const MessageListSchema = Type.Object({ items: Type.Array(MessageSchema) });
export const SearchResultSchema = PageSchema(MessageSchema);
