// HTTP surface of post comments (issue 15 §3; ADR 0062): threaded one level deep, oldest first.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  CommentParams,
  CommentSchema,
  CommentsPageSchema,
  CreateCommentSchema,
  EditCommentSchema,
  PostCommentsParams,
} from './comments.schemas.ts';
import type { CommentsService } from './comments.service.ts';

const tags = ['posts'];
const signed = { tags, security: AUTHENTICATED };
const SEEN =
  'Comments of a post you may not see are 404 POST_NOT_FOUND; comments of people with whom a block exists either ' +
  'way, or of a private profile you do not follow, are left out (404 POST_COMMENT_NOT_FOUND when named).';

export function registerCommentsRoutes(instance: FastifyInstance, service: CommentsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/posts/:id/comments',
    {
      schema: {
        tags,
        summary: 'The top-level comments of a post, oldest first',
        description: SEEN,
        params: PostCommentsParams,
        querystring: PageQuerySchema,
        response: { 200: CommentsPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.list(request.caller?.userId, request.params.id, null, request.query),
  );

  app.get(
    '/posts/:id/comments/:comment_id/replies',
    {
      schema: {
        tags,
        summary: 'The replies of a comment, oldest first',
        description: SEEN,
        params: CommentParams,
        querystring: PageQuerySchema,
        response: { 200: CommentsPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.list(request.caller?.userId, request.params.id, request.params.comment_id, request.query),
  );

  app.post(
    '/posts/:id/comments',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'commenting' },
      schema: {
        ...signed,
        summary: 'Comment on a post, or reply to a comment',
        description:
          'The post’s author is notified, and for a reply the parent comment’s author too; `@mentions` notify ' +
          `those who may see the post. Rate-limited per account (429 with Retry-After). ${SEEN}`,
        params: PostCommentsParams,
        body: CreateCommentSchema,
        response: { 201: CommentSchema, ...problems(400, 401, 404, 422, 429) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(requireCaller(request), request.params.id, request.body)),
  );

  app.patch(
    '/posts/:id/comments/:comment_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Edit your comment',
        description: `Only its author (403 POST_COMMENT_NOT_AUTHOR). ${SEEN}`,
        params: CommentParams,
        body: EditCommentSchema,
        response: { 200: CommentSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) =>
      service.edit(requireCaller(request), request.params.id, request.params.comment_id, request.body.content),
  );

  app.delete(
    '/posts/:id/comments/:comment_id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Delete a comment: yours, or any on your post (soft; again changes nothing)',
        description: SEEN,
        params: CommentParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id, request.params.comment_id);
      return reply.code(204).send(null);
    },
  );
}
