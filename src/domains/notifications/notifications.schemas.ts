// The API contract of notifications (issue 15 §7): TypeBox schemas, also the OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { NOTIFICATION_ENTITY_TYPES } from './notifications.catalogue.ts';

const closed = { additionalProperties: false };
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const NotificationSchema = Type.Object(
  {
    id: Uuid,
    type: Type.Union([
      Type.Literal('follow'),
      Type.Literal('like'),
      Type.Literal('comment'),
      Type.Literal('message'),
      Type.Literal('mention'),
      Type.Literal('system'),
    ]),
    actor_id: Nullable(Uuid),
    actor_count: Type.Integer({ minimum: 0, description: 'How many people this (grouped) notification counts' }),
    actor_ids: Type.Array(Uuid, { description: 'The newest few of them, newest first' }),
    entity_type: Nullable(Type.String({ enum: [...NOTIFICATION_ENTITY_TYPES] })),
    entity_id: Nullable(Uuid),
    title: Type.String(),
    body: Nullable(Type.String()),
    snippet: Nullable(Type.String()),
    is_read: Type.Boolean(),
    read_at: Nullable(Type.String({ format: 'date-time' })),
    created_at: Type.String({ format: 'date-time', description: 'Latest activity of the group' }),
  },
  closed,
);
export type NotificationView = Static<typeof NotificationSchema>;

export const NotificationPageSchema = PageSchema(NotificationSchema);

export const NotificationListQuery = Type.Object(
  {
    ...PageQuerySchema.properties,
    unread: Type.Optional(Type.Boolean({ description: 'Only the unread ones' })),
  },
  closed,
);

export const NotificationIdParams = Type.Object({ id: Uuid }, closed);

export const UnreadCountSchema = Type.Object({ unread: Type.Integer({ minimum: 0 }) });

export const ReadAllSchema = Type.Object(
  {
    up_to: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Mark read only what happened at or before this time (the created_at of the newest notification you ' +
          'saw): one arriving meanwhile stays unread. Absent: everything unread now.',
      }),
    ),
  },
  closed,
);
export const ReadAllResultSchema = Type.Object({ marked: Type.Integer({ minimum: 0 }) });

const Channel = Type.Union([Type.Literal('in_app'), Type.Literal('email'), Type.Literal('none')]);
const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM local time' });

export const PreferencesSchema = Type.Object(
  {
    channels: Type.Object(
      {
        follow: Channel,
        like: Channel,
        comment: Channel,
        mention: Channel,
        message: Channel,
      },
      {
        ...closed,
        description:
          'in_app: listed and pushed live; email: also mailed; none: never created. system notices are always in_app',
      },
    ),
    quiet_hours: Nullable(
      Type.Object(
        { start: LocalTime, end: LocalTime },
        { ...closed, description: 'Nothing is pushed live in [start, end) local time; it is still listed' },
      ),
    ),
    time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
    digest: Type.Union([Type.Literal('off'), Type.Literal('daily'), Type.Literal('weekly')], {
      description: 'Opt-in email digest of unread notifications',
    }),
  },
  closed,
);
export type PreferencesView = Static<typeof PreferencesSchema>;
