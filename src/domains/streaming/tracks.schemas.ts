// The track API contract (issue 13 §1, ADR 0046): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { IfMatchHeaders } from '../../platform/http/etag.ts';
import { NO_CONTROL_PATTERN, ONE_LINE_NO_DIRECTION_MARKS_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const TITLE_MAX = 255;
export const DESCRIPTION_MAX = 5000;

/**
 * The musical keys a track may declare: a pitch class (sharps or flats) and `m` for minor, e.g. `C`, `F#m`,
 * `Bb`. Processing's tag values outside this set are not copied over.
 */
export const MUSICAL_KEYS: readonly string[] = ['C', 'C#', 'Db', 'D', 'D#', 'Eb', 'E', 'F', 'F#', 'Gb', 'G', 'G#']
  .concat(['Ab', 'A', 'A#', 'Bb', 'B'])
  .flatMap((pitch) => [pitch, `${pitch}m`]);

const Title = Type.String({
  minLength: 1,
  maxLength: TITLE_MAX,
  pattern: ONE_LINE_NO_DIRECTION_MARKS_PATTERN,
  description: '1 to 255 characters once trimmed (any script, emoji welcome), no control or direction characters',
});
const Line = (maxLength: number, what: string) =>
  Type.String({
    maxLength,
    pattern: ONE_LINE_NO_DIRECTION_MARKS_PATTERN,
    description: `${what}: at most ${maxLength} characters, one line`,
  });
const Description = Type.String({
  maxLength: DESCRIPTION_MAX,
  pattern: NO_CONTROL_PATTERN,
  description: 'At most 5,000 characters; line breaks allowed',
});
const Bpm = Type.Integer({ minimum: 1, maximum: 999, description: 'Beats per minute, 1 to 999' });
const MusicalKey = Type.Unsafe<string>({
  type: 'string',
  enum: [...MUSICAL_KEYS],
  description: 'A pitch class, sharp or flat, with `m` for minor: C, C#, Db … B, Cm … Bbm, Bm',
});
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private')], {
  description:
    'public: listed (creator page, genre, newest, trending) once published; unlisted: playable by anyone holding ' +
    'its id once published, never listed; private: the creator only',
});

export const TrackIdParams = Type.Object({ id: Uuid }, closed);

/** What a creator may set on a track, when creating it or later. */
const editableFields = {
  title: Type.Optional(Title),
  artist: Type.Optional(Nullable(Line(255, 'Artist'))),
  album: Type.Optional(Nullable(Line(255, 'Album'))),
  genre: Type.Optional(Nullable(Line(100, 'Genre'))),
  bpm: Type.Optional(Nullable(Bpm)),
  musical_key: Type.Optional(Nullable(MusicalKey)),
  description: Type.Optional(Nullable(Description)),
  cover_art_file_id: Type.Optional(
    Nullable(
      Type.String({ format: 'uuid', description: 'One of your image files (PNG, JPEG, WebP, GIF); null: no cover' }),
    ),
  ),
  visibility: Type.Optional(Visibility),
  is_downloadable: Type.Optional(Type.Boolean({ description: 'Listeners may download the original file' })),
};

export const CreateTrackSchema = Type.Object(
  {
    file_id: Type.String({
      format: 'uuid',
      description: 'Your uploaded audio file (purpose `track`), scanned clean and processed',
    }),
    ...editableFields,
    publish: Type.Optional(Type.Boolean({ description: 'Publish at once (default: the track starts as a draft)' })),
  },
  closed,
);
export type CreateTrack = Static<typeof CreateTrackSchema>;

export const UpdateTrackSchema = Type.Object(editableFields, { ...closed, minProperties: 1 });
export type UpdateTrack = Static<typeof UpdateTrackSchema>;

export const UpdateTrackHeaders = IfMatchHeaders;

const Creator = Type.Object({
  id: Uuid,
  username: Nullable(Type.String({ description: 'null once the account is deleted' })),
  display_name: Nullable(Type.String()),
});

const Counts = Type.Object({
  plays: Type.Integer({ minimum: 0 }),
  likes: Type.Integer({ minimum: 0 }),
  comments: Type.Integer({ minimum: 0 }),
  downloads: Type.Integer({ minimum: 0 }),
});

const Waveform = Type.Object(
  {
    version: Type.Integer(),
    buckets: Type.Integer({ minimum: 0 }),
    encoding: Type.String({ description: '`int8-minmax-base64`: min and max of each bucket, signed bytes' }),
    data: Type.String(),
  },
  { description: 'Peaks drawn from the decoded audio at processing (ADR 0041)' },
);

/** What lists show of a track: no description, no waveform. */
export const TrackCardSchema = Type.Object({
  id: Uuid,
  creator: Creator,
  title: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  genre: Nullable(Type.String()),
  duration_seconds: Type.Integer({ minimum: 1 }),
  visibility: Visibility,
  published_at: Nullable(Timestamp),
  cover_url: Nullable(Type.String({ description: 'GET /v1/tracks/{id}/cover' })),
  stream_url: Type.String({ description: 'GET /v1/tracks/{id}/stream' }),
  counts: Counts,
});
export type TrackCard = Static<typeof TrackCardSchema>;

const CommentPreview = Type.Object({
  id: Uuid,
  author: Creator,
  content: Type.String(),
  timestamp_seconds: Nullable(Type.Integer({ minimum: 0 })),
  is_edited: Type.Boolean(),
  created_at: Timestamp,
});

/** A track as its page shows it; `file_id` and `cover_art_file_id` only to its creator. */
export const TrackSchema = Type.Object({
  ...TrackCardSchema.properties,
  description: Nullable(Type.String()),
  bpm: Nullable(Type.Integer()),
  musical_key: Nullable(Type.String()),
  is_downloadable: Type.Boolean(),
  download_url: Nullable(Type.String({ description: 'GET /v1/tracks/{id}/download, when you may download' })),
  waveform: Nullable(Waveform),
  created_at: Timestamp,
  updated_at: Timestamp,
  liked_by_me: Type.Boolean({ description: 'false for anonymous callers' }),
  first_comments: Type.Array(CommentPreview, {
    maxItems: 5,
    description: 'The newest top-level comments still standing (at most 5); the comments API pages the rest',
  }),
  file_id: Type.Optional(Uuid),
  cover_art_file_id: Type.Optional(Nullable(Uuid)),
});
export type Track = Static<typeof TrackSchema>;

export const TrackListSchema = PageSchema(TrackCardSchema);
export type TrackList = Static<typeof TrackListSchema>;

export const TrackListQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    creator_id: Type.Optional(Type.String({ format: 'uuid', description: 'One creator’s public tracks' })),
    genre: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Tracks of this genre (exact spelling)' }),
    ),
  },
  closed,
);
export type TrackListQuery = Static<typeof TrackListQuerySchema>;

export const OwnTrackListQuerySchema = Type.Object({ ...PageQuerySchema.properties }, closed);
export type OwnTrackListQuery = Static<typeof OwnTrackListQuerySchema>;

export const TrendingQuerySchema = Type.Object(
  {
    limit: PageQuerySchema.properties.limit,
    cursor: PageQuerySchema.properties.cursor,
  },
  closed,
);
export type TrendingQuery = Static<typeof TrendingQuerySchema>;

export const TrendingItemSchema = Type.Object({
  ...TrackCardSchema.properties,
  trending_score: Type.Number({ description: 'Of the last refresh of the trending view (hourly)' }),
});
export const TrendingListSchema = PageSchema(TrendingItemSchema);
export type TrendingList = Static<typeof TrendingListSchema>;
