// The post comments API contract (issue 15 §3; ADR 0062): threaded one level deep, 1 to 2,000 characters.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { TEXT_PATTERN } from '../../platform/http/text-patterns.ts';
import { AuthorSchema } from './posts.shared-schemas.ts';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });

/** chk_post_comments_content_length. */
export const MAX_COMMENT_LENGTH = 2_000;

const CommentContent = Type.String({
  minLength: 1,
  maxLength: MAX_COMMENT_LENGTH,
  pattern: TEXT_PATTERN,
  description: '1 to 2,000 characters, not only spaces, no control characters but newlines and tabs',
});

export const PostCommentsParams = Type.Object({ id: Uuid }, closed);
export const CommentParams = Type.Object({ id: Uuid, comment_id: Uuid }, closed);

export const CreateCommentSchema = Type.Object(
  {
    content: CommentContent,
    parent_comment_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Answer this comment of the same post; a reply to a reply joins its top-level thread',
      }),
    ),
  },
  closed,
);
export type CreateComment = Static<typeof CreateCommentSchema>;
export const EditCommentSchema = Type.Object({ content: CommentContent }, closed);

export const CommentSchema = Type.Object({
  id: Uuid,
  post_id: Uuid,
  author: AuthorSchema,
  content: Type.String(),
  parent_comment_id: Type.Union([Uuid, Type.Null()], { description: 'null for a top-level comment' }),
  reply_count: Type.Integer({ minimum: 0, description: 'Visible live replies (top-level comments)' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Comment = Static<typeof CommentSchema>;
export const CommentsPageSchema = PageSchema(CommentSchema);
