// HTTP surface of posts, reposts, likes, pins, profile posts and attachments (issue 15 §3; ADR 0062). Reads are
// open to anonymous callers for what they may see; a post the caller may not see is 404 POST_NOT_FOUND.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import {
  AttachmentParams,
  CreatePostSchema,
  EditPostSchema,
  LikeResultSchema,
  LikersPageSchema,
  PostPageQuery,
  PostPageSchema,
  PostParams,
  PostSchema,
  ProfilePostsSchema,
  RepostSchema,
  UserPostsParams,
} from './posts.schemas.ts';
import type { PostsService } from './posts.service.ts';

const tags = ['posts'];
const signed = { tags, security: AUTHENTICATED };
const SEEN =
  'A post you may not see (deleted, private without following, a private profile you do not follow, a private ' +
  'group you are not in, or a block either way) is 404 POST_NOT_FOUND.';

const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const Bytes = {
  description: 'The attachment (206: the one range asked for)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified (If-None-Match or If-Modified-Since)', type: 'null' };

export function registerPostsRoutes(instance: FastifyInstance, service: PostsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/posts',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'posting' },
      schema: {
        ...signed,
        summary: 'Publish a post',
        description:
          'Text (1 to 5,000 characters) with `#hashtags` (at most 30, each at most 100 characters: 422 beyond) and ' +
          '`@mentions` (unknown names stay text; mentioned people who may see the post are notified, blocked pairs ' +
          'silently not). Attachments: up to 4 images, one audio, one video, each a clean processed file of yours ' +
          '(422 otherwise). With `group_id` you must be an active member of the group (422 otherwise). Rate-limited ' +
          'per account (429 with Retry-After).',
        body: CreatePostSchema,
        response: { 201: PostSchema, ...problems(400, 401, 422, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/posts/:id',
    {
      schema: {
        tags,
        summary: 'A post page: the post, its author, counts, whether you liked it, and its first comments',
        description: `Anyone may read what they may see. ${SEEN}`,
        params: PostParams,
        querystring: PostPageQuery,
        response: { 200: PostPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.page(request.caller?.userId, request.params.id, request.query.comments),
  );

  app.patch(
    '/posts/:id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Edit your post’s text and/or visibility',
        description: `Only the author (403 POST_NOT_AUTHOR). The last edit wins; hashtags follow the new text exactly. ${SEEN}`,
        params: PostParams,
        body: EditPostSchema,
        response: { 200: PostSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    (request) => service.edit(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/posts/:id',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Delete your post (soft; deleting again changes nothing)',
        description: `Only the author (403). Its likes, comments and reposts go out of sight with it. ${SEEN}`,
        params: PostParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.delete(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  for (const [method, pinned] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/posts/:id/pin',
      {
        onRequest: signedIn,
        schema: {
          ...signed,
          summary: pinned ? 'Pin your post on your profile (at most 3; idempotent)' : 'Unpin your post (idempotent)',
          description: `Only the author (403). A fourth pin is 409 POST_TOO_MANY_PINNED. ${SEEN}`,
          params: PostParams,
          response: { 200: PostSchema, ...problems(400, 401, 403, 404, 409) },
        },
      },
      (request) => service.setPinned(requireCaller(request), request.params.id, pinned),
    );
  }

  app.get(
    '/users/:username/posts',
    {
      schema: {
        tags,
        summary: 'A user’s posts, newest first; the first page also lists their pinned posts',
        description:
          'Only the posts you may see (a private profile shows its posts to accepted followers). A user who does ' +
          'not exist, or with whom a block exists either way, is 404.',
        params: UserPostsParams,
        querystring: PageQuerySchema,
        response: { 200: ProfilePostsSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.profile(request.caller?.userId, request.params.username, request.query),
  );

  app.post(
    '/posts/:id/reposts',
    {
      onRequest: signedIn,
      config: { rateLimitPolicy: 'posting' },
      schema: {
        ...signed,
        summary: 'Repost a post, optionally with a quote',
        description:
          'Body `{}` for a plain repost. Only public or unlisted posts of public profiles, outside private groups ' +
          '(422 POST_NOT_SHAREABLE). A ' +
          'plain repost again answers your existing one (200). A plain repost of a plain repost reposts the ' +
          `original. ${SEEN}`,
        params: PostParams,
        body: RepostSchema,
        response: { 200: PostSchema, 201: PostSchema, ...problems(400, 401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const { post, created } = await service.repost(requireCaller(request), request.params.id, request.body ?? {});
      return reply.code(created ? 201 : 200).send(post);
    },
  );

  app.delete(
    '/posts/:id/reposts',
    {
      onRequest: signedIn,
      schema: {
        ...signed,
        summary: 'Take back your plain repost of a post (idempotent)',
        params: PostParams,
        response: { 204: NoContent, ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      await service.unrepost(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  for (const [method, liked] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/posts/:id/like',
      {
        onRequest: signedIn,
        schema: {
          ...signed,
          summary: liked ? 'Like a post (idempotent)' : 'Take back your like (idempotent)',
          description: `The author is notified once per group of likes. ${SEEN}`,
          params: PostParams,
          response: { 200: LikeResultSchema, ...problems(400, 401, 404) },
        },
      },
      (request) => service.setLiked(requireCaller(request), request.params.id, liked),
    );
  }

  app.get(
    '/posts/:id/likes',
    {
      schema: {
        tags,
        summary: 'Who liked a post, newest first',
        description: `People with whom a block exists either way are left out. ${SEEN}`,
        params: PostParams,
        querystring: PageQuerySchema,
        response: { 200: LikersPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.likers(request.caller?.userId, request.params.id, request.query),
  );

  app.get(
    '/posts/:id/attachments/:file_id',
    {
      config: { swagger: { exposeHeadRoute: true } },
      schema: {
        tags,
        summary: 'The bytes of one of a post’s attachments',
        description:
          `For whoever may see the post. Ranges, ETag and If-None-Match as for files. HEAD answers the same ` +
          `headers. A file that is not attached to the post is 404 POST_ATTACHMENT_NOT_FOUND. ${SEEN}`,
        params: AttachmentParams,
        headers: RangeHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 401, 404, 416) },
      },
    },
    async (request, reply) => {
      const answer = await service.attachment(request.caller, request.params.id, request.params.file_id, {
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer, request.params.file_id);
    },
  );
}
