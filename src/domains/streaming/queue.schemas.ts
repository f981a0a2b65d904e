// The play queue contract (issue 13 §5, ADR 0050): TypeBox schemas = the OpenAPI document of the `queue` routes.
import { Type, type Static } from 'typebox';

/** The most items a queue holds, unavailable ones included (ADR 0050). */
export const MAX_QUEUE_ITEMS = 1000;
/** The longest playback position accepted, in seconds (the column is an INTEGER; a day is longer than any track). */
export const MAX_POSITION_SECONDS = 86_400;

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const RepeatMode = Type.Union([Type.Literal('off'), Type.Literal('track'), Type.Literal('queue')], {
  description: '`off`, `track` (repeat the current track) or `queue` (start again after the last item)',
});
const CurrentPosition = Type.Integer({
  minimum: 0,
  maximum: MAX_POSITION_SECONDS,
  description: 'Seconds into the current track; at most its duration, and 0 when there is no current track',
});
const Volume = Type.Integer({ minimum: 0, maximum: 100, description: 'Volume in percent' });
const ItemPosition = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_QUEUE_ITEMS, description });
const TrackIds = (minItems: number) =>
  Type.Array(Uuid, {
    minItems,
    maxItems: MAX_QUEUE_ITEMS,
    description: `Tracks in order; a track may appear more than once; at most ${MAX_QUEUE_ITEMS}`,
  });

export const QueueItemIdParams = Type.Object({ id: Uuid }, closed);

export const QueueTrackSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  artist: Nullable(Type.String()),
  album: Nullable(Type.String()),
  duration_seconds: Type.Integer({ minimum: 0 }),
  cover_art_file_id: Nullable(Uuid),
  creator_id: Uuid,
});
export type QueueTrack = Static<typeof QueueTrackSchema>;

export const QueueItemSchema = Type.Object({
  id: Uuid,
  position: Type.Integer({ minimum: 0, description: '0-based; the items are 0..n-1, in order' }),
  track_id: Uuid,
  added_at: Timestamp,
  available: Type.Boolean({
    description:
      'false when the track was deleted or is no longer playable by you (made private, unpublished): the item ' +
      'keeps its place, without the track’s details, so that positions match on every device; players skip it, ' +
      'and you may remove it',
  }),
  track: Nullable(QueueTrackSchema),
});
export type QueueItem = Static<typeof QueueItemSchema>;

export const QueueSchema = Type.Object(
  {
    current_track_id: Nullable(Uuid),
    current_track_available: Type.Boolean({
      description: 'Whether you may play the current track now (false when there is none)',
    }),
    current_position: Type.Integer({ minimum: 0, description: 'Seconds into the current track' }),
    is_playing: Type.Boolean(),
    shuffle: Type.Boolean(),
    repeat_mode: RepeatMode,
    volume: Volume,
    updated_at: Nullable(Timestamp),
    item_count: Type.Integer({ minimum: 0, maximum: MAX_QUEUE_ITEMS }),
    max_items: Type.Integer({ description: 'The most items the queue may hold' }),
    items: Type.Array(QueueItemSchema, { maxItems: MAX_QUEUE_ITEMS }),
  },
  {
    description:
      'Your play queue, the same on all your devices. Its `ETag` changes with every change of the state or the ' +
      'items; send it back as `If-Match` with a change, to get a 412 instead of overwriting what another device ' +
      'did since. `updated_at` is null until the first change.',
  },
);
export type Queue = Static<typeof QueueSchema>;

export const QueueStatePatchSchema = Type.Object(
  {
    current_track_id: Type.Optional(
      Nullable(
        Type.String({
          format: 'uuid',
          description:
            'A track you may play, in the queue or not; null for none. Changing it without `current_position` ' +
            'starts the new track at 0',
        }),
      ),
    ),
    current_position: Type.Optional(CurrentPosition),
    is_playing: Type.Optional(Type.Boolean()),
    shuffle: Type.Optional(Type.Boolean()),
    repeat_mode: Type.Optional(RepeatMode),
    volume: Type.Optional(Volume),
  },
  { ...closed, minProperties: 1, examples: [{ current_position: 73, is_playing: true }] },
);
export type QueueStatePatch = Static<typeof QueueStatePatchSchema>;

export const QueueReplaceSchema = Type.Object(
  {
    track_ids: TrackIds(0),
    current_track_id: Type.Optional(Nullable(Uuid)),
    current_position: Type.Optional(CurrentPosition),
    is_playing: Type.Optional(Type.Boolean()),
    shuffle: Type.Optional(Type.Boolean()),
    repeat_mode: Type.Optional(RepeatMode),
    volume: Type.Optional(Volume),
  },
  {
    ...closed,
    description:
      'The whole queue at once: the items (new ids), the current track (none when omitted) and the position (0 ' +
      'when omitted). Playback settings (is_playing, shuffle, repeat_mode, volume) change only when given.',
    examples: [{ track_ids: ['4f9d1a2e-3b6c-4d8e-9f0a-1b2c3d4e5f60'], current_position: 0 }],
  },
);
export type QueueReplace = Static<typeof QueueReplaceSchema>;

export const QueueAddSchema = Type.Object(
  {
    track_ids: TrackIds(1),
    mode: Type.Optional(
      Type.Union([Type.Literal('append'), Type.Literal('next'), Type.Literal('at')], {
        description:
          '`append` (default): at the end; `next`: right after the first item of the current track (at the ' +
          'front when the current track is not in the queue); `at`: at `position`, the items from there on ' +
          'moving down',
      }),
    ),
    position: Type.Optional(
      ItemPosition('With `mode: at` only: where the first added track goes, 0 to the number of items'),
    ),
  },
  { ...closed, examples: [{ track_ids: ['4f9d1a2e-3b6c-4d8e-9f0a-1b2c3d4e5f60'], mode: 'next' }] },
);
export type QueueAdd = Static<typeof QueueAddSchema>;

export const QueueMoveSchema = Type.Object(
  { position: ItemPosition('Where the item ends: 0 to the number of items minus one') },
  { ...closed, examples: [{ position: 0 }] },
);
export type QueueMove = Static<typeof QueueMoveSchema>;
