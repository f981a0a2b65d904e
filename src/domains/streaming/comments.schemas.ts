// The comments contract (issue 13 §3, ADR 0053): TypeBox schemas = the OpenAPI document of the `comments` routes.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN } from '../../platform/http/text-patterns.ts';
import { PersonSchema } from './likes.schemas.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** ADR 0053: what a comment may say. The column allows 5,000; the API keeps 2,000, room for later. */
export const COMMENT_MAX_LENGTH = 2000;
/** The furthest moment a request may name at all; the real bound is the track's duration (checked by the service). */
export const MAX_TIMESTAMP_SECONDS = 1_000_000;
export const MARKERS_MAX_PAGE = 500;

const Content = Type.String({
  minLength: 1,
  maxLength: COMMENT_MAX_LENGTH,
  pattern: NO_CONTROL_PATTERN,
  description:
    `1 to ${COMMENT_MAX_LENGTH} characters once trimmed (Unicode NFC); any script, emoji and line breaks, no ` +
    'other control or text-direction characters',
});

export const CommentIdParams = Type.Object({ id: Uuid }, closed);
export const TrackIdParams = Type.Object({ id: Uuid }, closed);

export const CommentCreateSchema = Type.Object(
  {
    content: Content,
    timestamp_seconds: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          maximum: MAX_TIMESTAMP_SECONDS,
          description:
            'The moment of the track the comment is about, from 0 to the track’s duration inclusive; omitted or ' +
            'null for a comment on the whole track. Replies have none of their own (they answer their parent).',
        }),
      ),
    ),
    parent_comment_id: Type.Optional(
      Nullable(
        Type.String({
          format: 'uuid',
          description:
            'The comment this one answers, on the same track and not deleted. Threads are one level deep: ' +
            'answering a reply adds to the thread of its top-level comment.',
        }),
      ),
    ),
  },
  closed,
);
export type CommentCreate = Static<typeof CommentCreateSchema>;

export const CommentUpdateSchema = Type.Object({ content: Content }, closed);
export type CommentUpdate = Static<typeof CommentUpdateSchema>;

const Remover = Type.Union([Type.Literal('author'), Type.Literal('creator'), Type.Literal('moderator')], {
  description: 'Who deleted it: its author, the track’s creator, or a moderator',
});

export const CommentSchema = Type.Object({
  id: Uuid,
  track_id: Uuid,
  parent_comment_id: Nullable(Uuid),
  author: Type.Union([PersonSchema, Type.Null()], { description: 'null once the comment is deleted' }),
  content: Type.String({ description: 'The words; a placeholder once deleted' }),
  timestamp_seconds: Nullable(Type.Integer({ minimum: 0 })),
  is_edited: Type.Boolean(),
  is_deleted: Type.Boolean({
    description: 'A deleted comment is shown only while replies hang under it, as a placeholder',
  }),
  removed_by: Nullable(Remover),
  reply_count: Type.Integer({ minimum: 0, description: 'Replies not deleted (always 0 for a reply)' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Comment = Static<typeof CommentSchema>;

export const CommentListQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'next_cursor of the previous page (same order)' }),
    ),
    order: Type.Union([Type.Literal('newest'), Type.Literal('oldest')], {
      default: 'newest',
      description: 'By the time the comments were written',
    }),
  },
  closed,
);
export type CommentListQuery = Static<typeof CommentListQuerySchema>;

export const ReplyListQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'next_cursor of the previous page' }),
    ),
  },
  closed,
);
export type ReplyListQuery = Static<typeof ReplyListQuerySchema>;

export const CommentListSchema = PageSchema(CommentSchema);

export const MarkerQuerySchema = Type.Object(
  {
    from: Type.Integer({ minimum: 0, maximum: MAX_TIMESTAMP_SECONDS, default: 0, description: 'Seconds, inclusive' }),
    to: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_TIMESTAMP_SECONDS,
        description: 'Seconds, inclusive; the end of the track when omitted. Not before `from`.',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: MARKERS_MAX_PAGE, default: 200 }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'next_cursor of the previous page' }),
    ),
  },
  closed,
);
export type MarkerQuery = Static<typeof MarkerQuerySchema>;

export const MarkerSchema = Type.Object({
  id: Uuid,
  timestamp_seconds: Type.Integer({ minimum: 0 }),
  author: PersonSchema,
  content: Type.String(),
  reply_count: Type.Integer({ minimum: 0 }),
  created_at: Timestamp,
});
export type Marker = Static<typeof MarkerSchema>;

export const MarkerListSchema = PageSchema(MarkerSchema);
