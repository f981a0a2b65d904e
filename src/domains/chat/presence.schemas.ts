// The presence and typing contract (issue 14 §5, ADR 0059): TypeBox schemas = the OpenAPI document of the
// `presence` routes.
import { Type, type Static } from 'typebox';
import { ONE_LINE_PATTERN } from '../../platform/http/text-patterns.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const PRESENCE_STATUSES = ['online', 'away', 'busy', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];
export const PRESENCE_VISIBILITIES = ['everyone', 'shared_rooms', 'nobody'] as const;
export type PresenceVisibility = (typeof PRESENCE_VISIBILITIES)[number];
/** user_presence.custom_status is VARCHAR(255); the API keeps 100, room for later. */
export const CUSTOM_STATUS_MAX_LENGTH = 100;
/** How many people one presence request may ask about. */
export const PRESENCE_BATCH_MAX = 100;

const Status = Type.Union(
  [Type.Literal('online'), Type.Literal('away'), Type.Literal('busy'), Type.Literal('offline')],
  { description: 'online, away, busy or offline' },
);
const Visibility = Type.Union([Type.Literal('everyone'), Type.Literal('shared_rooms'), Type.Literal('nobody')], {
  description:
    'Who sees your presence: everyone, shared_rooms (people who are members of a room with you; the default) ' +
    'or nobody. People blocked either way never do.',
});

export const PresenceSchema = Type.Object({
  user_id: Uuid,
  status: Status,
  custom_status: Nullable(Type.String()),
  last_seen_at: Timestamp,
});
export type Presence = Static<typeof PresenceSchema>;

export const OwnPresenceSchema = Type.Object({
  ...PresenceSchema.properties,
  visibility: Visibility,
});
export type OwnPresence = Static<typeof OwnPresenceSchema>;

export const PresenceUpdateSchema = Type.Object(
  {
    status: Type.Optional(Status),
    custom_status: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: CUSTOM_STATUS_MAX_LENGTH,
          pattern: ONE_LINE_PATTERN,
          description: `1 to ${CUSTOM_STATUS_MAX_LENGTH} characters once trimmed; null removes it`,
        }),
      ),
    ),
    visibility: Type.Optional(Visibility),
  },
  { ...closed, minProperties: 1 },
);
export type PresenceUpdate = Static<typeof PresenceUpdateSchema>;

export const PresenceQuerySchema = Type.Object(
  {
    user_id: Type.Array(Uuid, {
      minItems: 1,
      maxItems: PRESENCE_BATCH_MAX,
      description: `Up to ${PRESENCE_BATCH_MAX} people (repeat the parameter)`,
    }),
  },
  closed,
);
export type PresenceQuery = Static<typeof PresenceQuerySchema>;

export const PresenceListSchema = Type.Object({
  items: Type.Array(PresenceSchema, {
    description: 'Only the people who share their presence with you; the others are left out',
  }),
});

export const RoomIdParams = Type.Object({ id: Uuid }, closed);

export const TypingListSchema = Type.Object({
  items: Type.Array(Type.Object({ user_id: Uuid, expires_at: Timestamp })),
});
