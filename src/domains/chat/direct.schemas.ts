// The direct messages contract (issue 14 §3, ADR 0058): TypeBox schemas = the OpenAPI document of the
// `direct-messages` routes.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** chk_direct_messages_content_length: 1 to 10,000 characters. */
export const DIRECT_MESSAGE_MAX_LENGTH = 10_000;

export const CounterpartParams = Type.Object(
  { user_id: Type.String({ format: 'uuid', description: 'The other person of the conversation' }) },
  closed,
);
export const DirectMessageIdParams = Type.Object({ id: Uuid }, closed);

export const DirectMessageCreateSchema = Type.Object(
  {
    content: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: DIRECT_MESSAGE_MAX_LENGTH,
        pattern: NO_CONTROL_PATTERN,
        description:
          `1 to ${DIRECT_MESSAGE_MAX_LENGTH} characters once trimmed (Unicode NFC); required without an ` +
          'attachment, else the file’s name stands in for it',
      }),
    ),
    attachment_file_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'One of your own files, cleared by the virus scanner and processed; message_type follows it',
      }),
    ),
  },
  { ...closed, minProperties: 1 },
);
export type DirectMessageCreate = Static<typeof DirectMessageCreateSchema>;

export const DirectMessageSchema = Type.Object({
  id: Uuid,
  sender_id: Uuid,
  recipient_id: Uuid,
  direction: Type.Union([Type.Literal('sent'), Type.Literal('received')], { description: 'Seen from the caller' }),
  content: Type.String(),
  message_type: Type.Union([
    Type.Literal('text'),
    Type.Literal('image'),
    Type.Literal('audio'),
    Type.Literal('video'),
    Type.Literal('file'),
  ]),
  attachment_file_id: Nullable(Uuid),
  attachment_url: Nullable(
    Type.String({ description: 'Where both of you download the attached file (GET/HEAD, ranges); null without one' }),
  ),
  is_read: Type.Boolean({ description: 'The recipient has read it (read receipt)' }),
  read_at: Nullable(Timestamp),
  created_at: Timestamp,
});
export type DirectMessage = Static<typeof DirectMessageSchema>;

export const DirectMessagePageSchema = PageSchema(DirectMessageSchema);

export const ConversationSchema = Type.Object({
  user: Type.Object({ id: Uuid, username: Type.String(), display_name: Nullable(Type.String()) }),
  last_message: DirectMessageSchema,
  unread_count: Type.Integer({ minimum: 0, description: 'Messages from them you have not read' }),
});
export type Conversation = Static<typeof ConversationSchema>;

export const ConversationPageSchema = PageSchema(ConversationSchema);

export const ReadMarkSchema = Type.Object(
  {
    up_to_message_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Mark read the messages received up to this one (inclusive); all of them when omitted',
      }),
    ),
  },
  closed,
);
export type ReadMark = Static<typeof ReadMarkSchema>;

export const ReadResultSchema = Type.Object({
  marked: Type.Integer({ minimum: 0, description: 'Messages that became read now' }),
  read_at: Timestamp,
});
