// GET and HEAD of a file's bytes (issue 12 §5, ADR 0042). Public files and signed links need no token.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { problems } from '../../platform/http/route-kit.ts';
import type { DeliveryService } from './delivery.service.ts';
import { sendDelivery } from './delivery.reply.ts';
import { ContentHeaders, ContentQuerySchema, FileIdParams } from './files.schemas.ts';

const Bytes = {
  description: 'The bytes (206: the one range asked for, Content-Range says which)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified (If-None-Match or If-Modified-Since)', type: 'null' };

export function registerDeliveryRoutes(instance: FastifyInstance, service: DeliveryService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/files/:id/content',
    {
      schema: {
        tags: ['files'],
        summary: 'The content of a file: whole, or one byte range',
        description:
          'Readable by its owner (bearer token), by anyone when the file is public, and through a signed link ' +
          '(`expires` and `signature`, from POST /v1/files/{id}/links). One range per request (`Range: bytes=a-b`, ' +
          '`a-`, `-n`); a request for several ranges gets the whole file with 200. Strong `ETag` (the SHA-256) and ' +
          '`Last-Modified`; `If-None-Match`, `If-Modified-Since` and `If-Range` are honoured. Audio, video and ' +
          'raster images are inline; every other type is an attachment. HEAD answers the same headers.',
        params: FileIdParams,
        querystring: ContentQuerySchema,
        headers: ContentHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 401, 403, 404, 416) },
      },
    },
    async (request, reply) => {
      const answer = await service.deliver({
        caller: request.caller,
        id: request.params.id,
        query: request.query,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer, request.params.id);
    },
  );
}
