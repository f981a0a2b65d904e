// The posts API contract (issue 15 §3; ADR 0062): TypeBox schemas = OpenAPI document. Comments and hashtags have
// their own files (comments.schemas.ts, hashtags.schemas.ts) and reuse the post card defined here.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { TEXT_PATTERN } from '../../platform/http/text-patterns.ts';
import { CommentSchema } from './comments.schemas.ts';
import { AuthorSchema } from './posts.shared-schemas.ts';

export { AuthorSchema };

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

/** chk_posts_content_length. */
export const MAX_POST_LENGTH = 5_000;
/** At most this many images on a post (ADR 0062). */
export const MAX_POST_IMAGES = 4;
/** The author pins at most this many posts (ADR 0062). */
export const MAX_PINNED = 3;

export const PostContent = Type.String({
  minLength: 1,
  maxLength: MAX_POST_LENGTH,
  pattern: TEXT_PATTERN,
  description:
    '1 to 5,000 characters, not only spaces, no control characters but newlines and tabs. `#tags` (at most 30) ' +
    'and `@usernames` are read by the server',
});
export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private')], {
  description:
    'public: everyone (subject to the author’s profile privacy and blocks); unlisted: anyone with the link and ' +
    'followers, never in hashtag pages or public lists; private: the author’s followers',
});

export const PostParams = Type.Object({ id: Uuid }, closed);
export const UserPostsParams = Type.Object(
  { username: Type.String({ pattern: '^[A-Za-z0-9_]{3,30}$', description: 'users.username' }) },
  closed,
);
export const AttachmentParams = Type.Object({ id: Uuid, file_id: Uuid }, closed);

export const CreatePostSchema = Type.Object(
  {
    content: PostContent,
    visibility: Type.Optional(Visibility),
    image_file_ids: Type.Optional(
      Type.Array(Uuid, {
        maxItems: MAX_POST_IMAGES,
        uniqueItems: true,
        description: 'Up to 4 clean, processed images of yours',
      }),
    ),
    audio_file_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'A clean, processed audio file of yours' }),
    ),
    video_file_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'A clean, processed video file of yours' }),
    ),
    group_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'Publish in this group: you must be an active member' }),
    ),
  },
  closed,
);
export type CreatePost = Static<typeof CreatePostSchema>;

export const EditPostSchema = Type.Object(
  { content: Type.Optional(PostContent), visibility: Type.Optional(Visibility) },
  { ...closed, minProperties: 1 },
);
export type EditPost = Static<typeof EditPostSchema>;

export const RepostSchema = Type.Object(
  {
    content: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_POST_LENGTH,
        pattern: TEXT_PATTERN,
        description: 'An optional quote, as a post’s text',
      }),
    ),
  },
  closed,
);
export type Repost = Static<typeof RepostSchema>;

const PostFields = {
  id: Uuid,
  author: AuthorSchema,
  content: Type.String({ description: 'Empty for a plain repost' }),
  visibility: Visibility,
  image_file_ids: Type.Array(Uuid),
  audio_file_id: Nullable(Uuid),
  video_file_id: Nullable(Uuid),
  repost_of_id: Nullable(Uuid, { description: 'The original when this is a repost' }),
  group_id: Nullable(Uuid, { description: 'The group the post was published in' }),
  hashtags: Type.Array(Type.String(), { description: 'The tags of the post, as written' }),
  like_count: Type.Integer({ minimum: 0 }),
  comment_count: Type.Integer({ minimum: 0 }),
  repost_count: Type.Integer({ minimum: 0 }),
  is_pinned: Type.Boolean(),
  liked_by_me: Type.Boolean({ description: 'false for anonymous callers' }),
  created_at: Timestamp,
};

export const PostCardSchema = Type.Object(PostFields);
export const PostSchema = Type.Object({
  ...PostFields,
  repost_of: Nullable(PostCardSchema, {
    description: 'The original of a repost, when you may see it; null otherwise',
  }),
});
export type Post = Static<typeof PostSchema>;
export type PostCard = Static<typeof PostCardSchema>;

export const PostPageSchema = Type.Object({
  ...PostSchema.properties,
  first_comments: Type.Array(CommentSchema, { description: 'The oldest top-level comments you may see' }),
});

export const PostPageQuery = Type.Object(
  { comments: Type.Integer({ minimum: 0, maximum: 50, default: 10, description: 'How many first comments' }) },
  closed,
);

export const LikeResultSchema = Type.Object({ liked: Type.Boolean(), like_count: Type.Integer({ minimum: 0 }) });
export const LikerSchema = Type.Object({ user: AuthorSchema, liked_at: Timestamp });
export const LikersPageSchema = PageSchema(Type.Object({ id: Uuid, ...LikerSchema.properties }));

export const PostsPageSchema = PageSchema(PostSchema);
export const ProfilePostsSchema = Type.Object({
  pinned: Type.Array(PostSchema, { description: 'Pinned posts, on the first page only (no cursor)' }),
  items: Type.Array(PostSchema, { description: 'Newest first, pinned posts left out' }),
  next_cursor: Nullable(Type.String(), { description: 'null on the last page' }),
});
