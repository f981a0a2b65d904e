// HTTP surface of search (issue 18 §1, 4; ADR 0088): the search endpoint (anyone), popular searches (anyone, only
// aggregates) and the caller's own history.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  HistoryQuerySchema,
  HistorySchema,
  HistorySettingsSchema,
  PopularQuerySchema,
  PopularSchema,
  SearchPageSchema,
  SearchQuerySchema,
} from './search.schemas.ts';
import type { SearchService } from './search.service.ts';

const tags = ['search'];
const own = { tags, security: AUTHENTICATED };

export function registerSearchRoutes(instance: FastifyInstance, service: SearchService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/search',
    {
      // ADR 0099: served from a read replica when one fits, the caller's own writes included.
      config: { reads: 'replica' },
      schema: {
        tags,
        summary: 'Search tracks, public profiles and playlists, products, posts, groups, courses and hashtags',
        description:
          'Without `type`, every kind in one ranked list. Only what anyone may list is found: nothing private, ' +
          'unlisted, unpublished, deleted, of a suspended account, or of someone who blocked you or whom you ' +
          'blocked. The order is the same for everyone. A query with no letter or digit finds nothing. A signed-in ' +
          'search is kept in your history unless you turned it off.',
        querystring: SearchQuerySchema,
        response: { 200: SearchPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.search(request.caller?.userId, request.query),
  );

  app.get(
    '/search/popular',
    {
      schema: {
        tags,
        summary: 'Popular searches of the week, as counts only',
        description: 'A text appears once at least 5 different people searched it; no one is named.',
        querystring: PopularQuerySchema,
        response: { 200: PopularSchema, ...problems(400, 401) },
      },
    },
    (request) => service.popular(request.query.limit),
  );

  app.get(
    '/me/search-history',
    {
      onRequest: signedIn,
      schema: {
        ...own,
        summary: 'Your recent searches, and whether they are being kept',
        description: 'Kept 90 days at most.',
        querystring: HistoryQuerySchema,
        response: { 200: HistorySchema, ...problems(400, 401) },
      },
    },
    (request) => service.history(requireCaller(request).userId, request.query.limit),
  );

  app.delete(
    '/me/search-history',
    {
      onRequest: signedIn,
      schema: {
        ...own,
        summary: 'Forget all your searches',
        response: { 204: NoContent, ...problems(401) },
      },
    },
    async (request, reply) => {
      await service.clearHistory(requireCaller(request).userId);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/me/search-history/settings',
    {
      onRequest: signedIn,
      schema: {
        ...own,
        summary: 'Turn the keeping of your searches on or off',
        body: HistorySettingsSchema,
        response: { 200: HistorySettingsSchema, ...problems(400, 401) },
      },
    },
    (request) => service.setRecording(requireCaller(request).userId, request.body.recording),
  );
}
