// The likes contract (issue 13 §3): TypeBox schemas = the OpenAPI document of the `likes` routes.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const TrackIdParams = Type.Object({ id: Uuid }, closed);

export const LikeStateSchema = Type.Object(
  {
    track_id: Uuid,
    liked: Type.Boolean({ description: 'Whether you like the track' }),
    liked_at: Nullable(Timestamp),
    like_count: Type.Integer({ minimum: 0, description: 'Everyone’s likes of the track, exact when read' }),
  },
  { description: 'Your like of a track, and its count' },
);
export type LikeState = Static<typeof LikeStateSchema>;

/** A person as a list shows them: enough for a name and a link to the profile. */
export const PersonSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  display_name: Nullable(Type.String()),
});
export type Person = Static<typeof PersonSchema>;

export const LikedTrackCardSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  genre: Nullable(Type.String()),
  duration_seconds: Type.Integer({ minimum: 0 }),
  cover_art_file_id: Nullable(Uuid),
  creator: PersonSchema,
  play_count: Type.Integer({ minimum: 0 }),
  like_count: Type.Integer({ minimum: 0 }),
  comment_count: Type.Integer({ minimum: 0 }),
  published_at: Nullable(Timestamp),
});
export type LikedTrackCard = Static<typeof LikedTrackCardSchema>;

export const LikedTrackSchema = Type.Object({
  track_id: Uuid,
  liked_at: Timestamp,
  available: Type.Boolean({
    description:
      'false when the track was deleted or is no longer visible to you (made private, unpublished): it stays in ' +
      'your list, without its details, so that you can still unlike it',
  }),
  track: Nullable(LikedTrackCardSchema),
});
export type LikedTrack = Static<typeof LikedTrackSchema>;

export const LikeListQuerySchema = Type.Object(PageQuerySchema.properties, closed);
export type LikeListQuery = Static<typeof LikeListQuerySchema>;

export const LikeListSchema = PageSchema(LikedTrackSchema);
