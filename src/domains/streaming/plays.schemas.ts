// The play reporting and listening history contract (issue 13 §2, ADR 0045): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** The longest play a report may carry: a day (a track is never longer in practice; the track's own bound applies). */
export const MAX_PLAYED_SECONDS = 86_400;

export const PLAY_SOURCES = ['playlist', 'album', 'search', 'direct'] as const;
export const DEVICE_TYPES = ['mobile', 'desktop', 'web'] as const;
const PlaySource = Type.Union(
  PLAY_SOURCES.map((source) => Type.Literal(source)),
  { description: 'Where the play started (spec §7.4)' },
);
const DeviceType = Type.Union(
  DEVICE_TYPES.map((device) => Type.Literal(device)),
  { description: 'The kind of device only: no identifier or user agent is stored' },
);

export const TrackIdParams = Type.Object({ id: Uuid }, closed);
export const HistoryEntryIdParams = Type.Object({ id: Uuid }, closed);

export const PlayReportSchema = Type.Object(
  {
    played_duration: Type.Integer({
      minimum: 0,
      maximum: MAX_PLAYED_SECONDS,
      description:
        'Seconds of the track actually heard in this play (seeking does not add the skipped part). At most the ' +
        "track's duration plus 10 seconds; completion is computed from it and the duration.",
    }),
    source: Type.Optional(PlaySource),
    source_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'The playlist or album named by source; needs source' }),
    ),
    device_type: Type.Optional(DeviceType),
  },
  closed,
);
export type PlayReport = Static<typeof PlayReportSchema>;

export const PlayOutcomeSchema = Type.Object({
  counted: Type.Boolean({ description: "Whether this report counted as a play (and is in the listener's history)" }),
  outcome: Type.Union([Type.Literal('counted'), Type.Literal('too_short'), Type.Literal('within_window')], {
    description:
      'counted; too_short: under the minimum listening time; within_window: this listener already has a counted ' +
      'play of the track in the current window (ADR 0045)',
  }),
  history_entry_id: Nullable(Type.String({ format: 'uuid', description: 'The history entry made, when counted' })),
  played_at: Nullable(Timestamp),
  completion_percentage: Type.Integer({ minimum: 0, maximum: 100, description: 'played_duration / duration, capped' }),
  minimum_seconds: Type.Integer({ minimum: 1, description: 'Listening time a play of this track needs to count' }),
});
export type PlayOutcome = Static<typeof PlayOutcomeSchema>;

const HistoryTrackSchema = Type.Object({
  id: Uuid,
  creator_id: Uuid,
  title: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  duration: Type.Integer({ minimum: 1, description: 'Seconds' }),
  cover_art_file_id: Nullable(Uuid),
});

export const HistoryEntrySchema = Type.Object({
  id: Uuid,
  track_id: Uuid,
  track: Type.Union([HistoryTrackSchema, Type.Null()], {
    description: 'null when the track is no longer available to you (deleted, made private, unpublished)',
  }),
  played_at: Timestamp,
  played_duration: Type.Integer({ minimum: 0 }),
  completion_percentage: Type.Integer({ minimum: 0, maximum: 100 }),
  source: Nullable(PlaySource),
  source_id: Nullable(Uuid),
  device_type: Nullable(DeviceType),
});
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

export const HistoryQuerySchema = PageQuerySchema;
export type HistoryQuery = Static<typeof HistoryQuerySchema>;
export const HistoryPageSchema = PageSchema(HistoryEntrySchema);
