// The playlist API contract (issue 13 §4, ADR 0049): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

/** Entries a playlist may hold, placeholders of unavailable tracks included (chk_playlist_tracks_position_range). */
export const MAX_PLAYLIST_ENTRIES = 10_000;
/** Collaborators a playlist may have besides its owner. */
export const MAX_PLAYLIST_COLLABORATORS = 50;
/** The largest page of entries (a 500-track page is one request: issue 13, performance). */
export const MAX_ENTRY_PAGE = 500;
export const DEFAULT_ENTRY_PAGE = 100;

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private')], {
  description:
    'public: listed on the owner’s page and visible to anyone; unlisted: visible to anyone holding its id, not ' +
    'listed; private: the owner and the collaborators only',
});

const Name = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '\\S',
  description: '1 to 255 characters, not only spaces',
});
const Description = Type.String({ maxLength: 5000, description: 'At most 5,000 characters' });

export const PlaylistIdParams = Type.Object({ id: Uuid }, closed);
export const EntryParams = Type.Object(
  { id: Uuid, entry: Type.String({ format: 'uuid', description: 'The entry’s id, or the id of its track' }) },
  closed,
);
export const CollaboratorParams = Type.Object({ id: Uuid, user_id: Uuid }, closed);

export const CreatePlaylistSchema = Type.Object(
  {
    name: Name,
    description: Type.Optional(Nullable(Description)),
    visibility: Type.Optional(Visibility),
    is_collaborative: Type.Optional(Type.Boolean({ description: 'Whether invited collaborators may edit its tracks' })),
  },
  closed,
);
export type CreatePlaylist = Static<typeof CreatePlaylistSchema>;

export const UpdatePlaylistSchema = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Nullable(Description)),
    visibility: Type.Optional(Visibility),
    is_collaborative: Type.Optional(Type.Boolean()),
  },
  { ...closed, minProperties: 1 },
);
export type UpdatePlaylist = Static<typeof UpdatePlaylistSchema>;

export const UserSummarySchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  display_name: Nullable(Type.String()),
});
export type UserSummary = Static<typeof UserSummarySchema>;

export const PlaylistSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  cover_url: Nullable(Type.String()),
  visibility: Visibility,
  is_collaborative: Type.Boolean(),
  owner: Nullable(UserSummarySchema, { description: 'null once the owner’s account is deleted' }),
  track_count: Type.Integer({ minimum: 0, description: 'Entries whose track is not deleted' }),
  duration_seconds: Type.Integer({ minimum: 0, description: 'Total duration of those tracks' }),
  follower_count: Type.Integer({ minimum: 0 }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Playlist = Static<typeof PlaylistSchema>;

export const PlaylistListSchema = PageSchema(PlaylistSchema);
export const PlaylistListQuerySchema = PageQuerySchema;
export type PlaylistListQuery = Static<typeof PlaylistListQuerySchema>;
export const OwnerPlaylistsQuerySchema = Type.Object(
  {
    owner_id: Type.String({ format: 'uuid', description: 'Whose playlists' }),
    ...PageQuerySchema.properties,
  },
  closed,
);

export const TrackCardSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  duration_seconds: Type.Integer({ minimum: 1 }),
  cover_art_file_id: Nullable(Uuid),
  creator: Nullable(UserSummarySchema),
});
export type TrackCard = Static<typeof TrackCardSchema>;

export const EntrySchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The entry (not the track): what DELETE and moves name' }),
  position: Type.Integer({ minimum: 0, description: '0-based; positions are 0..entry_count-1, without gaps' }),
  added_at: Timestamp,
  added_by: Nullable(UserSummarySchema, { description: 'null once that account is deleted' }),
  available: Type.Boolean({ description: 'false for a placeholder (ADR 0046): `track` is then null' }),
  track: Nullable(TrackCardSchema, {
    description:
      'null: a placeholder for a track you may not play any more (deleted, made private or unpublished by its ' +
      'creator); it keeps its place, and the owner or a collaborator may remove it',
  }),
});
export type Entry = Static<typeof EntrySchema>;

export const EntryPageQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: MAX_ENTRY_PAGE, default: DEFAULT_ENTRY_PAGE }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'next_cursor of the previous page' }),
    ),
  },
  closed,
);
export type EntryPageQuery = Static<typeof EntryPageQuerySchema>;
export const EntryPageSchema = PageSchema(EntrySchema);
export type EntryPage = Static<typeof EntryPageSchema>;

export const PlaylistDetailSchema = Type.Object({
  ...PlaylistSchema.properties,
  entry_count: Type.Integer({
    minimum: 0,
    description: 'Entries, placeholders included: positions run 0..entry_count-1',
  }),
  viewer: Type.Object({
    role: Type.Union([Type.Literal('owner'), Type.Literal('collaborator'), Type.Null()]),
    following: Type.Boolean(),
    may_edit_tracks: Type.Boolean(),
  }),
  tracks: EntryPageSchema,
});
export type PlaylistDetail = Static<typeof PlaylistDetailSchema>;

export const AddEntrySchema = Type.Object(
  {
    track_id: Uuid,
    position: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_PLAYLIST_ENTRIES - 1,
        description: 'Where to insert it (0 = first); the entries from there move down one. Default: at the end',
      }),
    ),
  },
  closed,
);
export type AddEntry = Static<typeof AddEntrySchema>;

export const MoveEntrySchema = Type.Object(
  {
    position: Type.Integer({
      minimum: 0,
      maximum: MAX_PLAYLIST_ENTRIES - 1,
      description: 'The entry’s new position, from 0 to entry_count-1; the entries in between shift by one',
    }),
  },
  closed,
);
export type MoveEntry = Static<typeof MoveEntrySchema>;

export const ReorderSchema = Type.Object(
  {
    entry_ids: Type.Array(Uuid, {
      minItems: 1,
      maxItems: MAX_PLAYLIST_ENTRIES,
      uniqueItems: true,
      description: 'Every entry of the playlist, once each, in the new order',
    }),
  },
  closed,
);
export type Reorder = Static<typeof ReorderSchema>;

export const ReorderResultSchema = Type.Object({ entry_count: Type.Integer({ minimum: 0 }) });

export const AddCollaboratorSchema = Type.Object({ user_id: Uuid }, closed);
export type AddCollaborator = Static<typeof AddCollaboratorSchema>;

export const CollaboratorSchema = Type.Object({
  user: UserSummarySchema,
  added_by: Nullable(UserSummarySchema),
  added_at: Timestamp,
});
export type Collaborator = Static<typeof CollaboratorSchema>;
export const CollaboratorListSchema = Type.Object({
  items: Type.Array(CollaboratorSchema, { maxItems: MAX_PLAYLIST_COLLABORATORS }),
});
