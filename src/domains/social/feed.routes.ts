// HTTP surface of the home feed (issue 15 §6, ADR 0064).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import type { FeedService } from './feed.service.ts';
import { PostsPageSchema } from './posts.schemas.ts';

export function registerFeedRoutes(instance: FastifyInstance, service: FeedService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/feed',
    {
      onRequest: signedIn,
      schema: {
        tags: ['feed'],
        security: AUTHENTICATED,
        summary: 'Your home feed: the posts of the people you follow and of your groups, and your own, newest first',
        description:
          '**Our promise: this feed is chronological and complete.** It holds exactly the posts of the accounts you ' +
          'follow (accepted follows), of the groups you are an active member of, and your own, newest first. ' +
          'Nothing is ranked, boosted, hidden for engagement or injected: no ads, no suggestions, no "posts you ' +
          'might like". What you may not see is left out (a block either way, a private post or profile you do not ' +
          'follow, a private group you are not in, a deleted post). Keyset pages: follow `next_cursor`; a page ' +
          'can be shorter than `limit` when a post was deleted meanwhile.',
        querystring: PageQuerySchema,
        response: { 200: PostsPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.home(requireCaller(request), request.query),
  );
}
