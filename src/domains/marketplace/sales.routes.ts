// HTTP surface of the seller's side (issue 16 §10, ADR 0077): sales, balances, payouts. Signed-in callers read their
// own rows only; a buyer who never sold gets empty lists, never someone else's.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import { BalancesSchema, PayoutPageSchema, SalePageSchema } from './sales.schemas.ts';
import type { SalesService } from './sales.service.ts';

const seller = { tags: ['marketplace-selling'], security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };

export function registerSalesRoutes(instance: FastifyInstance, service: SalesService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/sales',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'What you sold: the lines of paid orders of your products, newest first',
        description: 'Buyers stay anonymous to sellers: a sale carries the order reference, never who bought it.',
        querystring: PageQuery,
        response: { 200: SalePageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.sales(requireCaller(request), request.query),
  );

  app.get(
    '/me/balance',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Your balance per currency: earned, held in the refund window, paid out, payable',
        description:
          'The same figures the payout job pays from (the ledger, ADR 0074): a share becomes payable once the ' +
          'refund window is over, and is paid when the payable amount reaches the minimum.',
        response: { 200: BalancesSchema, ...problems(401) },
      },
    },
    (request) => service.balances(requireCaller(request)),
  );

  app.get(
    '/me/payouts',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Your payouts, newest first',
        description: 'A failed payout’s money is back in your balance and paid by a later run.',
        querystring: PageQuery,
        response: { 200: PayoutPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.payouts(requireCaller(request), request.query),
  );
}
