// HTTP surface of the marketplace's money side (issue 16 §4-7; ADRs 0071-0073): the caller's cart, checkout, orders;
// staff confirmation and refunds under /v1/admin; the Stripe webhook. Routes validate, call one service method.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, problems, signedIn, withRole } from '../../platform/http/route-kit.ts';
import {
  CartItemCreateSchema,
  CartSchema,
  CheckoutResultSchema,
  CheckoutSchema,
  IdParams,
  OrderPageSchema,
  OrderSchema,
  WebhookResultSchema,
} from './checkout.schemas.ts';
import type { CheckoutService } from './checkout.service.ts';
import { registerStripeWebhookRoute } from './payments/webhook-route.ts';

const tags = ['marketplace-orders'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };

export function registerCheckoutRoutes(instance: FastifyInstance, service: CheckoutService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/cart',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your cart: its lines with their price snapshots, and the subtotal',
        response: { 200: CartSchema, ...problems(401) },
      },
    },
    (request) => service.cart(requireCaller(request)),
  );

  app.post(
    '/me/cart/items',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Put a product with one of its licences in your cart (again: replaces the licence and price)',
        description:
          'The price is a snapshot of the licence price now (pay-what-you-want: your `amount`, at least the minimum, ' +
          'else 422 `AMOUNT_UNDER_MINIMUM`). One currency per cart (422 `CURRENCY_MISMATCH`); not your own product ' +
          '(422 `OWN_PRODUCT`); on sale only (422 `PRODUCT_NOT_ON_SALE`, also for a licence of another product).',
        body: CartItemCreateSchema,
        response: { 201: CartSchema, ...problems(400, 401, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.addToCart(requireCaller(request), request.body)),
  );

  app.delete(
    '/me/cart/items/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Take a line out of your cart',
        description: '404 `CART_ITEM_NOT_FOUND` for a line that is not in your cart.',
        params: IdParams,
        response: { 200: CartSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.removeFromCart(requireCaller(request), request.params.id),
  );

  app.post(
    '/me/checkout',
    {
      onRequest: signedIn,
      config: { idempotent: true },
      schema: {
        ...authenticated,
        summary: 'Turn your cart into an order (send an Idempotency-Key)',
        description:
          'Re-prices the cart against the catalogue: a changed price or a product no longer on sale is 409 ' +
          '`CART_CHANGED` with each difference in `errors`, and the cart is updated for you to review. Reserves the ' +
          'licences (409 `LICENSE_SOLD_OUT`), applies one `discount_code` (422 `DISCOUNT_CODE_*`), adds tax by the ' +
          'billing country, and answers the pending order; it expires unpaid after `expires_at`. `payment_method`: ' +
          '`manual` (staff confirm) or `stripe` (answers `client_secret`). A retry with the same key answers the ' +
          'same order.',
        body: CheckoutSchema,
        response: { 201: CheckoutResultSchema, ...problems(400, 401, 409, 422, 502) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.checkout(requireCaller(request), request.body)),
  );

  app.get(
    '/me/orders',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your orders, newest first',
        querystring: PageQuery,
        response: { 200: OrderPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.orders(requireCaller(request), request.query),
  );

  app.get(
    '/me/orders/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'One of your orders',
        description: '404 `ORDER_NOT_FOUND` for an order that is not yours.',
        params: IdParams,
        response: { 200: OrderSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.order(requireCaller(request), request.params.id),
  );

  app.post(
    '/admin/orders/:id/confirm-payment',
    {
      onRequest: withRole('admin', 'moderator'),
      config: { idempotent: true },
      schema: {
        ...authenticated,
        tags: ['admin'],
        summary: 'Manual provider: record that the payment of an order arrived (staff)',
        description:
          'Sells the reserved licences and books the payment, sellers’ shares, commission and tax. Confirming a ' +
          'paid order again changes nothing; a cancelled (expired) order: 409 `ORDER_STATE_CONFLICT`.',
        params: IdParams,
        response: { 200: OrderSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    (request) => service.confirmManualPayment(request.params.id),
  );

  app.post(
    '/admin/orders/:id/refund',
    {
      onRequest: withRole('admin'),
      config: { idempotent: true },
      schema: {
        ...authenticated,
        tags: ['admin'],
        summary: 'Refund a paid order in full (admin), within the refund window',
        description:
          'Through the order’s provider, then reverses the ledger rows of its payment. 409 `REFUND_WINDOW_OVER` ' +
          'after the hold window (its money may have been paid out); an unpaid order: 409 `ORDER_STATE_CONFLICT`.',
        params: IdParams,
        response: { 200: OrderSchema, ...problems(400, 401, 403, 404, 409, 422, 502) },
      },
    },
    (request) => service.refund(request.params.id),
  );

  // The Stripe webhook reads the raw body: the signature is over the exact bytes (ADR 0073).
  registerStripeWebhookRoute(instance, {
    url: '/payments/stripe/webhook',
    tags,
    summary: 'Stripe webhook (signed by Stripe)',
    description:
      'Verified with the SDK against VEZA_STRIPE_WEBHOOK_SECRET: a bad or missing signature is 400 ' +
      '`WEBHOOK_SIGNATURE_INVALID` and changes nothing. Each event id is processed once; replays answer ' +
      '`duplicate`.',
    result: WebhookResultSchema,
    handle: (rawBody, signature) => service.stripeWebhook(rawBody, signature),
  });
}
