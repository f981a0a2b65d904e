// HTTP surface of follows and follow requests (issue 15 §1; ADR 0060). The caller's own relations live under
// /v1/me/…; anyone's followers and following under /v1/users/{username}/…, next to the profile.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  ConnectionPageSchema,
  ConnectionsParams,
  FollowRequestPageSchema,
  FollowStateSchema,
  TargetUserParams,
} from './follows.schemas.ts';
import type { FollowsService } from './follows.service.ts';

const tags = ['social-graph'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };

export function registerFollowsRoutes(instance: FastifyInstance, service: FollowsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/me/following/:user_id',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'follow' },
      schema: {
        ...authenticated,
        summary: 'Follow someone (or ask to, when their profile is private)',
        description:
          'Public and unlisted profiles: you follow them at once (`following`). Private profiles: a follow request ' +
          'they accept or decline (`requested`); until then you see nothing more of them. Idempotent: following ' +
          'again answers the same state and changes nothing. Yourself: 422 `FOLLOW_SELF`. No such account, or a ' +
          'block either way: 404 `USER_NOT_FOUND` (which of you blocked is never told). Rate-limited per account ' +
          '(429 with Retry-After).',
        params: TargetUserParams,
        response: { 200: FollowStateSchema, ...problems(400, 401, 404, 422, 429) },
      },
    },
    (request) => service.follow(requireCaller(request), request.params.user_id),
  );

  app.delete(
    '/me/following/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Stop following someone, or cancel your request to',
        description: 'Idempotent: 204 whether or not you followed them. Yourself: 422 `FOLLOW_SELF`.',
        params: TargetUserParams,
        response: { 204: NoContent, ...problems(400, 401, 422) },
      },
    },
    async (request, reply) => {
      await service.unfollow(requireCaller(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/follow-requests',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The pending requests to follow you, newest first',
        description: 'Only a private profile receives requests. Keyset-paginated (`limit`, `cursor`).',
        querystring: PageQuery,
        response: { 200: FollowRequestPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.incomingRequests(requireCaller(request), request.query),
  );

  app.post(
    '/me/follow-requests/:user_id/accept',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Accept a request to follow you: they follow you from now on',
        description: '404 `FOLLOW_REQUEST_NOT_FOUND` when this person has no pending request (answered, cancelled).',
        params: TargetUserParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.accept(requireCaller(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/me/follow-requests/:user_id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Decline a request to follow you',
        description:
          'The request is deleted; nothing tells them it was declined rather than not yet answered. 404 ' +
          '`FOLLOW_REQUEST_NOT_FOUND` when this person has no pending request.',
        params: TargetUserParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.decline(requireCaller(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  const listDescription =
    'Newest first, keyset-paginated (`limit`, `cursor`). Anyone may read those of a public or unlisted profile; ' +
    'of a private one, its owner and accepted followers only. People blocked either way with you are left out; ' +
    'an account you may not see, or a block between you: 404 `USER_NOT_FOUND`.';

  app.get(
    '/users/:username/followers',
    {
      schema: {
        tags,
        summary: 'The people who follow someone',
        description: listDescription,
        params: ConnectionsParams,
        querystring: PageQuery,
        response: { 200: ConnectionPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.followers(request.params.username, request.caller, request.query),
  );

  app.get(
    '/users/:username/following',
    {
      schema: {
        tags,
        summary: 'The people someone follows',
        description: listDescription,
        params: ConnectionsParams,
        querystring: PageQuery,
        response: { 200: ConnectionPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.following(request.params.username, request.caller, request.query),
  );
}
