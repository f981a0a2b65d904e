// HTTP surface of discount codes (issue 16 §5, ADR 0072): a seller's own codes under /v1/me, platform codes under
// /v1/admin. Redemption is a field of the checkout.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, problems, signedIn, withRole } from '../../platform/http/route-kit.ts';
import { DiscountCodeCreateSchema, DiscountCodePageSchema, DiscountCodeSchema } from './discounts.schemas.ts';
import type { DiscountsService } from './discounts.service.ts';

const tags = ['marketplace-discounts'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };
const CREATE_DESCRIPTION =
  'Percentage (0.01-100) or fixed amount, in one `currency`; optional minimum purchase, maximum discount and ' +
  'usage limit; valid from `valid_from` until `valid_until`. Codes are case-insensitive and unique whatever the ' +
  'case (409 `DISCOUNT_CODE_TAKEN`). One code per order.';

export function registerDiscountRoutes(instance: FastifyInstance, service: DiscountsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/me/discount-codes',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Create a discount code for your own products',
        description: `${CREATE_DESCRIPTION} It applies to your products only, whoever else's are in the cart.`,
        body: DiscountCodeCreateSchema,
        response: { 201: DiscountCodeSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body, false)),
  );

  app.get(
    '/me/discount-codes',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The discount codes you created, newest first',
        querystring: PageQuery,
        response: { 200: DiscountCodePageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.list(requireCaller(request), request.query, false),
  );

  app.post(
    '/admin/discount-codes',
    {
      onRequest: withRole('admin'),
      schema: {
        ...authenticated,
        tags: ['admin'],
        summary: 'Create a platform discount code (admin): it applies to every product',
        description: CREATE_DESCRIPTION,
        body: DiscountCodeCreateSchema,
        response: { 201: DiscountCodeSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body, true)),
  );

  app.get(
    '/admin/discount-codes',
    {
      onRequest: withRole('admin'),
      schema: {
        ...authenticated,
        tags: ['admin'],
        summary: 'Platform discount codes, newest first (admin)',
        querystring: PageQuery,
        response: { 200: DiscountCodePageSchema, ...problems(400, 401, 403) },
      },
    },
    (request) => service.list(requireCaller(request), request.query, true),
  );
}
