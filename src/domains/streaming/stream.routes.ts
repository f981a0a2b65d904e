// GET/HEAD of a track's audio and cover, its download, and signed stream links (issue 13 §2, ADR 0047). The
// bytes, ranges and validators are the files module's (sendDelivery); anonymous listeners need no token for a
// published public or unlisted track.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import { LINK_TTL, type StreamService } from './stream.service.ts';
import { QUALITIES, type Quality } from './stream.negotiation.ts';
import { TrackIdParams } from './tracks.schemas.ts';

const tags = ['tracks'];

const QualitySchema = Type.Unsafe<Quality>({
  type: 'string',
  enum: [...QUALITIES],

  description:
    'low: AAC 128 kb/s; high (default): AAC 256 kb/s; original: the uploaded file, for its creator or when ' +
    'the track is downloadable',
});

const StreamQuery = Type.Object(
  {
    quality: Type.Optional(QualitySchema),
    expires: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'Of a signed link' })),
    signature: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'Of a signed link' })),
  },
  { additionalProperties: false },
);

const RangeHeaders = {
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
};
const StreamHeaders = Type.Object({
  ...RangeHeaders,
  accept: Type.Optional(
    Type.String({
      maxLength: 1000,
      description: 'Media types you can play (audio/mp4 for the renditions); 406 when none fits',
    }),
  ),
});
const DownloadHeaders = Type.Object(RangeHeaders);

const StreamLinkRequest = Type.Object(
  {
    quality: Type.Optional(QualitySchema),
    ttl_seconds: Type.Integer({
      minimum: LINK_TTL.min,
      maximum: LINK_TTL.max,
      default: LINK_TTL.default,
      description: 'How long the link plays',
    }),
  },
  { additionalProperties: false },
);
type StreamLinkRequest = Static<typeof StreamLinkRequest>;

const StreamLink = Type.Object({
  url: Type.String({ description: 'Path and query of the stream with its signature; no token needed' }),
  quality: QualitySchema,
  expires_at: Type.String({ format: 'date-time' }),
});

const Bytes = (what: string) => ({
  description: `${what} (206: the one range asked for, Content-Range says which)`,
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
});
const NotModified = { description: 'Not modified (If-None-Match or If-Modified-Since)', type: 'null' };

export function registerStreamRoutes(instance: FastifyInstance, service: StreamService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/tracks/:id/stream',
    {
      schema: {
        tags,
        summary: 'Play a track: its audio, whole or one byte range',
        description:
          'Anyone may play a published public or unlisted track without a token; the creator plays their drafts ' +
          'and private tracks with theirs; a signed link (`expires`, `signature` from POST ' +
          '/v1/tracks/{id}/stream-links) plays without one. `quality` picks the rendition (falling back to the ' +
          'other rendition, then to the original when it may go); `Accept` narrows the media type (406 when none ' +
          'fits). Ranges, ETag, If-Range, If-None-Match as for files (one range per request). 409 while the ' +
          'audio is still processing; 404 TRACK_AUDIO_UNAVAILABLE when it can no longer be served. HEAD answers ' +
          'the same headers.',
        params: TrackIdParams,
        querystring: StreamQuery,
        headers: StreamHeaders,
        response: {
          200: Bytes('The audio'),
          206: Bytes('The audio'),
          304: NotModified,
          ...problems(400, 401, 403, 404, 406, 409, 416),
        },
      },
    },
    async (request, reply) => {
      const { quality, expires, signature } = request.query;
      const answer = await service.stream({
        caller: request.caller,
        trackId: request.params.id,
        quality,
        accept: request.headers.accept,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
        ...(expires !== undefined || signature !== undefined ? { link: { expires, signature } } : {}),
      });
      return sendDelivery(request, reply, answer.delivery, answer.fileId);
    },
  );

  app.post(
    '/tracks/:id/stream-links',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security: AUTHENTICATED,
        summary: 'A signed link that plays a track without a token until it expires',
        description:
          'For players that cannot send a bearer token (<audio src>, a cast device). The link plays that track at ' +
          'that quality for whoever holds it, for `ttl_seconds` (60 to 86,400), unless the track is deleted.',
        params: TrackIdParams,
        body: StreamLinkRequest,
        response: { 201: StreamLink, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const body: StreamLinkRequest = request.body;
      return reply.code(201).send(await service.signLink(requireCaller(request), request.params.id, body));
    },
  );

  app.get(
    '/tracks/:id/download',
    {
      schema: {
        tags,
        summary: 'Download the original audio file of a track',
        description:
          'When the creator made the track downloadable (and always for the creator): the uploaded file as an ' +
          'attachment named after the title, with ranges to resume. Each download from the first byte by someone ' +
          'other than the creator is counted (track_downloads; no address or user agent is kept).',
        params: TrackIdParams,
        headers: DownloadHeaders,
        response: {
          200: Bytes('The original file'),
          206: Bytes('The original file'),
          304: NotModified,
          ...problems(400, 401, 403, 404, 409, 416),
        },
      },
    },
    async (request, reply) => {
      const answer = await service.download({
        caller: request.caller,
        trackId: request.params.id,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer.delivery, answer.fileId);
    },
  );

  app.get(
    '/tracks/:id/cover',
    {
      schema: {
        tags,
        summary: 'The cover art of a track',
        description: 'To whoever may see the track; 404 when it has none.',
        params: TrackIdParams,
        headers: DownloadHeaders,
        response: {
          200: Bytes('The image'),
          206: Bytes('The image'),
          304: NotModified,
          ...problems(400, 401, 404, 416),
        },
      },
    },
    async (request, reply) => {
      const answer = await service.cover({
        caller: request.caller,
        trackId: request.params.id,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer.delivery, answer.fileId);
    },
  );
}
