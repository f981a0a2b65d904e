// GET|HEAD of the file attached to a room message or a direct message (issue 14 follow-up; ADRs 0057, 0058);
// who may read, and the delivery, are attachments.service.ts's.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { sendDelivery } from '../files/index.ts';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import type { AttachmentsService } from './attachments.service.ts';
import { MessageParams } from './messages.schemas.ts';

const RangeHeadersSchema = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const Bytes = {
  description: 'The attached file (206: the one range asked for, Content-Range says which)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified (If-None-Match or If-Modified-Since)', type: 'null' };
const DirectAttachmentParams = Type.Object(
  {
    user_id: Type.String({ format: 'uuid', description: 'The other person of the conversation' }),
    message_id: Type.String({ format: 'uuid' }),
  },
  { additionalProperties: false },
);

export function registerAttachmentsRoutes(instance: FastifyInstance, service: AttachmentsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const responses = { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 401, 404, 416) };

  app.get(
    '/rooms/:id/messages/:message_id/attachment',
    {
      onRequest: signedIn,
      schema: {
        tags: ['chat-attachments'],
        security: AUTHENTICATED,
        summary: 'Download the file attached to a room message',
        description:
          'For members of the room (404 `ROOM_NOT_FOUND` otherwise); a deleted message, or one without a file: 404 ' +
          '`MESSAGE_NOT_FOUND`. Ranges, ETag, If-Range, If-None-Match as for files (one range per request); served ' +
          'as an attachment under its original name, never cached by shared caches. HEAD answers the same headers.',
        params: MessageParams,
        headers: RangeHeadersSchema,
        response: responses,
      },
    },
    async (request, reply) => {
      const { answer, fileId } = await service.room(
        requireCaller(request),
        request.params.id,
        request.params.message_id,
        request.headers,
        request.method === 'HEAD',
      );
      return sendDelivery(request, reply, answer, fileId);
    },
  );

  app.get(
    '/me/conversations/:user_id/messages/:message_id/attachment',
    {
      onRequest: signedIn,
      schema: {
        tags: ['chat-attachments'],
        security: AUTHENTICATED,
        summary: 'Download the file attached to a direct message of yours',
        description:
          'For both people of the conversation while the message is in their view; under a block either way 404 ' +
          '`CONVERSATION_NOT_FOUND`; a message deleted on your side, not of this conversation, or without a file: ' +
          '404 `DIRECT_MESSAGE_NOT_FOUND`. Ranges and validators as for room attachments.',
        params: DirectAttachmentParams,
        headers: RangeHeadersSchema,
        response: responses,
      },
    },
    async (request, reply) => {
      const { answer, fileId } = await service.direct(
        requireCaller(request),
        request.params.user_id,
        request.params.message_id,
        request.headers,
        request.method === 'HEAD',
      );
      return sendDelivery(request, reply, answer, fileId);
    },
  );
}
