// HTTP surface of presence and typing (issue 14 §5, ADR 0059). The WebSocket gateway sets presence too, through
// PresenceService.connected / disconnected.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  OwnPresenceSchema,
  PresenceListSchema,
  PresenceQuerySchema,
  PresenceUpdateSchema,
  RoomIdParams,
  TypingListSchema,
} from './presence.schemas.ts';
import type { PresenceService } from './presence.service.ts';

const tags = ['presence'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerPresenceRoutes(instance: FastifyInstance, service: PresenceService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/presence',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your presence, and who may see it',
        response: { 200: OwnPresenceSchema, ...problems(401) },
      },
    },
    (request) => service.own(requireCaller(request)),
  );

  app.patch(
    '/me/presence',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Set your status, custom status, or who may see your presence',
        description:
          '`status`: online, away, busy or offline (the WebSocket connection also sets online/offline). ' +
          '`custom_status`: 1 to 100 characters, null removes it. `visibility`: everyone, shared_rooms (the ' +
          'default: people in a room with you) or nobody; blocked people never see it.',
        body: PresenceUpdateSchema,
        response: { 200: OwnPresenceSchema, ...problems(400, 401) },
      },
    },
    (request) => service.update(requireCaller(request), request.body),
  );

  app.get(
    '/presence',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The presence of up to 100 people, as far as each shares it with you',
        description:
          'Repeat `user_id`. People who do not share their presence with you, or who have none yet, are left out ' +
          '(never an error: their presence is theirs to show).',
        querystring: PresenceQuerySchema,
        response: { 200: PresenceListSchema, ...problems(400, 401) },
      },
    },
    async (request) => ({ items: await service.visible(requireCaller(request), request.query.user_id) }),
  );

  app.get(
    '/rooms/:id/typing',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Who is typing in a room now',
        description: 'Members only (404 `ROOM_NOT_FOUND` for anyone else); an indicator lapses 10 s after its renewal.',
        params: RoomIdParams,
        response: { 200: TypingListSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.typing(requireCaller(request), request.params.id),
  );

  app.put(
    '/rooms/:id/typing',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Say you are typing in a room (for 10 seconds; call again to renew)',
        description: 'Members who may send (a muted member: 403). Answers when the indicator lapses.',
        params: RoomIdParams,
        response: {
          200: Type.Object({ expires_at: Type.String({ format: 'date-time' }) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    (request) => service.startTyping(requireCaller(request), request.params.id),
  );

  app.delete(
    '/rooms/:id/typing',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Say you stopped typing in a room',
        params: RoomIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.stopTyping(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
