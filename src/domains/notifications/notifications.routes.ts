// HTTP surface of notifications (issue 15 §7): the caller's own, under /v1/me/notifications.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  NotificationIdParams,
  NotificationListQuery,
  NotificationPageSchema,
  NotificationSchema,
  PreferencesSchema,
  ReadAllResultSchema,
  ReadAllSchema,
  UnreadCountSchema,
} from './notifications.schemas.ts';
import type { NotificationsService } from './notifications.service.ts';

const tags = ['notifications'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerNotificationsRoutes(instance: FastifyInstance, service: NotificationsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/notifications',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your notifications, latest activity first',
        description:
          'Keyset-paginated (`limit`, `cursor`); `unread=true` for the unread ones only. A grouped notification ' +
          '("alice and 12 others liked your track") is one item whose `created_at` is its latest activity.',
        querystring: NotificationListQuery,
        response: { 200: NotificationPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query),
  );

  app.get(
    '/me/notifications/unread-count',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'How many of your notifications are unread (the badge)',
        response: { 200: UnreadCountSchema, ...problems(401) },
      },
    },
    (request) => service.unreadCount(requireCaller(request)),
  );

  app.post(
    '/me/notifications/read-all',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Mark your notifications read, up to a time',
        description:
          'Send `up_to`, the `created_at` of the newest notification you saw: a notification arriving (or a group ' +
          'growing) meanwhile stays unread. `marked`: how many changed.',
        body: ReadAllSchema,
        response: { 200: ReadAllResultSchema, ...problems(400, 401) },
      },
    },
    (request) => service.markAllRead(requireCaller(request), request.body),
  );

  app.post(
    '/me/notifications/:id/read',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Mark one of your notifications read',
        description: 'Idempotent. 404 `NOTIFICATION_NOT_FOUND` for one that is not yours or no longer exists.',
        params: NotificationIdParams,
        response: { 200: NotificationSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.markRead(requireCaller(request), request.params.id),
  );

  app.delete(
    '/me/notifications/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Delete one of your notifications',
        description: '404 `NOTIFICATION_NOT_FOUND` for one that is not yours or no longer exists.',
        params: NotificationIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/notification-preferences',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your notification preferences',
        description: 'Channel per type, quiet hours, digest. Never set: the defaults (all in_app, none, off).',
        response: { 200: PreferencesSchema, ...problems(401) },
      },
    },
    (request) => service.preferences(requireCaller(request)),
  );

  app.put(
    '/me/notification-preferences',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Set your notification preferences',
        description:
          'Per type: `in_app` (listed and pushed live), `email` (also mailed), `none` (never created). ' +
          '`quiet_hours`: nothing is pushed live between `start` and `end` (local time in `time_zone`; may span ' +
          'midnight), still listed. `digest`: opt-in daily or weekly email of unread notifications.',
        body: PreferencesSchema,
        response: { 200: PreferencesSchema, ...problems(400, 401) },
      },
    },
    (request) => service.setPreferences(requireCaller(request), request.body),
  );
}
