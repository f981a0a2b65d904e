// The reviews routes (issue 16 §9). Validation by schema, rules in ReviewsService.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { ProductIdParams } from './products.schemas.ts';
import {
  CreateReviewSchema,
  ReviewListQuerySchema,
  ReviewListSchema,
  ReviewParams,
  ReviewResponseSchema,
  ReviewSchema,
} from './reviews.schemas.ts';
import type { ReviewsService } from './reviews.service.ts';

const reviews = { tags: ['reviews'] };
const secured = { tags: ['reviews'], security: AUTHENTICATED };

export function registerReviewsRoutes(instance: FastifyInstance, service: ReviewsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/products/:id/reviews',
    {
      schema: {
        ...reviews,
        summary: "A product's reviews, newest first",
        params: ProductIdParams,
        querystring: ReviewListQuerySchema,
        response: { 200: ReviewListSchema, ...problems(400, 404) },
      },
    },
    async (request) => service.list(request.caller, request.params.id, request.query),
  );

  app.post(
    '/products/:id/reviews',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Review a product you bought',
        description:
          'Name your paid order line of this product (403 REVIEW_NOT_PURCHASED otherwise); one review per line ' +
          '(409 REVIEW_ALREADY_EXISTS). Rating 1-5, content 10 to 2,000 characters.',
        params: ProductIdParams,
        body: CreateReviewSchema,
        response: { 201: ReviewSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(requireCaller(request), request.params.id, request.body)),
  );

  app.put(
    '/products/:id/reviews/:review_id/response',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Answer a review of your product (once)',
        params: ReviewParams,
        body: ReviewResponseSchema,
        response: { 200: ReviewSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      service.respond(requireCaller(request), request.params.id, request.params.review_id, request.body.response),
  );

  app.delete(
    '/products/:id/reviews/:review_id',
    {
      onRequest: signedIn,
      schema: {
        ...secured,
        summary: 'Withdraw your review',
        params: ReviewParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id, request.params.review_id);
      return reply.code(204).send(null);
    },
  );
}
