// The hashtags API contract (issue 15 §4; ADR 0063): a tag's page and prefix suggestions.
import { Type } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { PostSchema } from './posts.schemas.ts';

const closed = { additionalProperties: false } as const;

const TagText = Type.String({
  minLength: 1,
  maxLength: 101,
  pattern: '^#?[\\p{L}\\p{M}\\p{N}_]+$',
  description: 'A hashtag, with or without its #, in any case and with or without accents',
});

export const HashtagParams = Type.Object({ tag: TagText }, closed);
export const HashtagPostsQuery = PageQuerySchema;

export const HashtagSchema = Type.Object({
  tag: Type.String({ description: 'As first written' }),
  slug: Type.String({ description: 'The matching key: lower case, accents removed' }),
  usage_count: Type.Integer({ minimum: 0, description: 'Uses on posts that are not deleted, of every visibility' }),
  first_used_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
});

export const HashtagPageSchema = Type.Object({
  hashtag: HashtagSchema,
  ...PageSchema(PostSchema).properties,
});

export const SuggestQuerySchema = Type.Object(
  {
    prefix: Type.String({
      minLength: 1,
      maxLength: 101,
      pattern: '^#?[\\p{L}\\p{M}\\p{N}_]+$',
      description: 'The start of a tag, in any case, with or without accents',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  },
  closed,
);
export const SuggestionsSchema = Type.Object({
  items: Type.Array(HashtagSchema, { description: 'Most used first' }),
});
