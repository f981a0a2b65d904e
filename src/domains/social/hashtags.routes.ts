// HTTP surface of hashtags (issue 15 §4; ADR 0063): a tag's page and tag suggestions, open to anonymous callers.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problems } from '../../platform/http/route-kit.ts';
import {
  HashtagPageSchema,
  HashtagParams,
  HashtagPostsQuery,
  SuggestionsSchema,
  SuggestQuerySchema,
} from './hashtags.schemas.ts';
import type { HashtagsService } from './hashtags.service.ts';

const tags = ['hashtags'];

export function registerHashtagsRoutes(instance: FastifyInstance, service: HashtagsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/hashtags',
    {
      schema: {
        tags,
        summary: 'Tag suggestions: the tags starting with a prefix, most used first',
        description: 'Case and accents do not matter (`caf` finds #Café). Tags no live post uses are left out.',
        querystring: SuggestQuerySchema,
        response: { 200: SuggestionsSchema, ...problems(400, 401) },
      },
    },
    (request) => service.suggest(request.query.prefix, request.query.limit),
  );

  app.get(
    '/hashtags/:tag/posts',
    {
      schema: {
        tags,
        summary: 'A tag’s posts, newest use first',
        description:
          'Case and accents do not matter (#CAFE is #café). Only posts you may see, never unlisted ones. No such ' +
          'tag: 404 HASHTAG_NOT_FOUND.',
        params: HashtagParams,
        querystring: HashtagPostsQuery,
        response: { 200: HashtagPageSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.page(request.caller?.userId, request.params.tag, request.query),
  );
}
