// The search API contract (issue 18 §1, 4; ADR 0088): one search endpoint, the caller's own history and its
// switch, and popular searches as aggregates.
import { Type, type Static } from 'typebox';

const closed = { additionalProperties: false } as const;

export const SearchTypeSchema = Type.Union(
  [
    Type.Literal('track'),
    Type.Literal('user'),
    Type.Literal('playlist'),
    Type.Literal('product'),
    Type.Literal('post'),
    Type.Literal('group'),
    Type.Literal('course'),
    Type.Literal('hashtag'),
  ],
  { description: 'Kind of result: track, user (a public profile), playlist, product, post, group, course, hashtag' },
);

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 500,
      description:
        'What to look for, in any case, with or without accents. Words match whole, by their start (autocomplete) ' +
        'or with a typo; operators and punctuation are ignored. Only the first 8 words count.',
    }),
    type: Type.Optional(SearchTypeSchema),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'next_cursor of the previous page' }),
    ),
  },
  closed,
);
export type SearchQuery = Static<typeof SearchQuerySchema>;

const FacetValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const SearchResultSchema = Type.Object({
  type: SearchTypeSchema,
  id: Type.String({
    format: 'uuid',
    description: 'id of the track, user, playlist, product, post, group, course or hashtag',
  }),
  title: Type.String({
    description: 'Track title, display name, playlist, product, group or course name, post text, tag',
  }),
  subtitle: Type.Union([Type.String(), Type.Null()], {
    description: 'Artist, creator or seller name, username, group slug',
  }),
  facets: Type.Record(Type.String(), FacetValue, {
    description: 'Attributes for display and links: genre, bpm, slug, username, level, …',
  }),
  published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const SearchPageSchema = Type.Object({
  items: Type.Array(SearchResultSchema, {
    description: 'Best first: text relevance, exact title, then recency; the same for every searcher',
  }),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});

export const HistoryQuerySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }) },
  closed,
);

export const HistorySchema = Type.Object({
  recording: Type.Boolean({ description: 'Whether new searches are kept' }),
  items: Type.Array(
    Type.Object({
      query: Type.String(),
      type: Type.Union([SearchTypeSchema, Type.Null()], { description: 'The type filter used, if any' }),
      searched_at: Type.String({ format: 'date-time' }),
    }),
    { description: 'Latest first, one line per distinct query' },
  ),
});

export const HistorySettingsSchema = Type.Object(
  {
    recording: Type.Boolean({
      description: 'false: searches from now on are not kept (the list is kept until cleared)',
    }),
  },
  closed,
);

export const PopularQuerySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) },
  closed,
);

export const PopularSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      query: Type.String({ description: 'Lower case, without accents' }),
      searchers: Type.Integer({ minimum: 1, description: 'Distinct signed-in people who searched it' }),
    }),
    { description: 'Searches of the last 7 days made by at least 5 people, most searchers first' },
  ),
});
