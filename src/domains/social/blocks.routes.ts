// HTTP surface of blocks (issue 15 §2; ADR 0061): the caller's own blocks, under /v1/me/blocks.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { BlockCreateSchema, BlockPageSchema, BlockSchema } from './blocks.schemas.ts';
import type { BlocksService } from './blocks.service.ts';
import { TargetUserParams } from './follows.schemas.ts';

const tags = ['social-graph'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };

export function registerBlocksRoutes(instance: FastifyInstance, service: BlocksService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/me/blocks/:user_id',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'follow' },
      schema: {
        ...authenticated,
        summary: 'Block someone',
        description:
          'In one step: follows and follow requests between you are deleted both ways, and so are the ' +
          'notifications between you. From then on each of you sees a missing account in place of the other ' +
          '(profile, posts, comments, likes, group posts, mentions, direct messages). They are never told. ' +
          '`reason`: a private note, one line, at most 255 characters. Blocking again changes nothing (or only the ' +
          'note, when given). Yourself: 422 `BLOCK_SELF`; no such account: 404 `USER_NOT_FOUND`.',
        params: TargetUserParams,
        body: BlockCreateSchema,
        response: { 200: BlockSchema, ...problems(400, 401, 404, 422, 429) },
      },
    },
    (request) => service.block(requireCaller(request), request.params.user_id, request.body ?? {}),
  );

  app.delete(
    '/me/blocks/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Unblock someone',
        description: 'Idempotent: 204 whether or not you blocked them. Follows the block deleted do not come back.',
        params: TargetUserParams,
        response: { 204: NoContent, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      await service.unblock(requireCaller(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/blocks',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The people you blocked, newest first, with your notes',
        description: 'Keyset-paginated (`limit`, `cursor`).',
        querystring: PageQuery,
        response: { 200: BlockPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query),
  );
}
