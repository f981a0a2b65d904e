// HTTP surface of a seller's payout account (ADR 0084): register, read and remove the Stripe connected account
// payouts go to, under /v1/me (the caller's own only); and the Stripe Connect webhook that verifies it.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  ConnectWebhookResultSchema,
  PayoutAccountInputSchema,
  PayoutAccountSchema,
} from './payout-accounts.schemas.ts';
import type { PayoutAccountsService } from './payout-accounts.service.ts';
import { registerStripeWebhookRoute } from './payments/webhook-route.ts';

const seller = { tags: ['marketplace-selling'], security: AUTHENTICATED };

export function registerPayoutAccountRoutes(instance: FastifyInstance, service: PayoutAccountsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/payout-account',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Your payout account: the Stripe connected account your payouts go to',
        description: '404 `PAYOUT_ACCOUNT_NOT_FOUND` when you registered none.',
        response: { 200: PayoutAccountSchema, ...problems(401, 404) },
      },
    },
    (request) => service.get(requireCaller(request)),
  );

  app.put(
    '/me/payout-account',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Register or replace your Stripe connected account',
        description:
          'A new account starts unverified: payouts skip you (your balance is kept) until Stripe reports it able ' +
          'to receive payouts. The same account again changes nothing. An account another seller registered: ' +
          '409 `PAYOUT_ACCOUNT_TAKEN`.',
        body: PayoutAccountInputSchema,
        response: { 200: PayoutAccountSchema, ...problems(400, 401, 409) },
      },
    },
    (request) => service.put(requireCaller(request), request.body),
  );

  app.delete(
    '/me/payout-account',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Remove your payout account',
        description:
          'Stripe Connect payouts skip you from then on; payouts already made keep the account they went to.',
        response: { 204: NoContent, ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request));
      return reply.code(204).send(null);
    },
  );

  registerStripeWebhookRoute(instance, {
    url: '/payments/stripe/connect-webhook',
    tags: ['marketplace-selling'],
    summary: 'Stripe Connect webhook (signed by Stripe): connected accounts’ events',
    description:
      'Verified with the SDK against VEZA_STRIPE_CONNECT_WEBHOOK_SECRET: a bad or missing signature is 400 ' +
      '`WEBHOOK_SIGNATURE_INVALID` and changes nothing. `account.updated` marks the seller’s payout account ' +
      'verified when `payouts_enabled`, unverified when not. Each event id is processed once.',
    result: ConnectWebhookResultSchema,
    handle: (rawBody, signature) => service.connectWebhook(rawBody, signature),
  });
}
