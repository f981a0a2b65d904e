// HTTP surface of likes (issue 13 §3): PUT/DELETE/GET /v1/tracks/{id}/like, GET /v1/me/likes.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { LikeListQuerySchema, LikeListSchema, LikeStateSchema, TrackIdParams } from './likes.schemas.ts';
import type { LikesService } from './likes.service.ts';

const tags = ['likes'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerLikesRoutes(instance: FastifyInstance, service: LikesService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/tracks/:id/like',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Like a track',
        description:
          'Idempotent: 201 when this request made the like, 200 when you already liked the track (nothing ' +
          'changes, `liked_at` is the first like’s). Either way the body is your like state with the track’s ' +
          'exact like count. A track you may not see: 404 TRACK_NOT_FOUND.',
        params: TrackIdParams,
        response: { 200: LikeStateSchema, 201: LikeStateSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { created, state } = await service.like(requireCaller(request), request.params.id);
      return reply.code(created ? 201 : 200).send(state);
    },
  );

  app.delete(
    '/tracks/:id/like',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Stop liking a track',
        description:
          'Idempotent: 204 whether or not you liked it, and whatever became of the track (a like of a track ' +
          'since deleted or made private can still be removed). Says nothing about whether the track exists.',
        params: TrackIdParams,
        response: { 204: NoContent, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      await service.unlike(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/tracks/:id/like',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Whether you like a track, and its like count',
        params: TrackIdParams,
        response: { 200: LikeStateSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.state(requireCaller(request), request.params.id),
  );

  app.get(
    '/me/likes',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The tracks you like, most recently liked first',
        description:
          'Keyset-paginated (`limit`, `cursor`). A liked track you may no longer see (deleted, unpublished, made ' +
          'private) stays in the list with `available: false` and `track: null`.',
        querystring: LikeListQuerySchema,
        response: { 200: LikeListSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query),
  );
}
