// Stripe behind the PaymentProvider interface (ADR 0073): PaymentIntents for payment, Refunds for refunds, and the
// webhook signature checked by the SDK (stripe.webhooks.constructEvent) before anything is read from the body.
import Stripe from 'stripe';
import { parseMoney } from '../money.ts';
import type { OrderRow } from '../orders.repository.ts';
import type { PaymentProvider } from './provider.ts';

/** The SDK client; a placeholder key serves webhook verification only (it makes no request). */
export function stripeClient(secretKey: string | undefined): Stripe {
  return new Stripe(secretKey ?? 'sk_test_webhook_verification_only', { maxNetworkRetries: 2, timeout: 10_000 });
}

export function stripeProvider(stripe: Stripe): PaymentProvider {
  return {
    method: 'stripe',
    async start(order: OrderRow) {
      const intent = await stripe.paymentIntents.create(
        {
          // Minor units (ADR 0071): every currency we sell in has two decimals.
          amount: Number(parseMoney(order.total)),
          currency: order.currency.toLowerCase(),
          metadata: { order_id: order.id, order_number: order.order_number },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `veza-order-${order.id}` },
      );
      return { intentId: intent.id, clientSecret: intent.client_secret };
    },
    async refund(order: OrderRow) {
      if (!order.payment_intent_id) throw new Error('a Stripe order without a PaymentIntent');
      const refund = await stripe.refunds.create(
        { payment_intent: order.payment_intent_id },
        { idempotencyKey: `veza-refund-${order.id}` },
      );
      return refund.id;
    },
  };
}

/** The events the webhook acts on; every other verified event is recorded as ignored. */
export interface VerifiedEvent {
  id: string;
  type: string;
  /** The PaymentIntent the event is about (a charge's payment_intent for charge.refunded). */
  paymentIntentId: string | null;
  /** The provider's transaction id to book (the charge or refund id). */
  providerTransactionId: string | null;
}

/**
 * Verifies the signature (throws Stripe's StripeSignatureVerificationError when it does not match, is too old or is
 * missing) and extracts what the service needs from the event.
 */
export function verifyStripeEvent(
  stripe: Stripe,
  rawBody: string | Buffer,
  signature: string | undefined,
  secret: string,
): VerifiedEvent {
  const event = stripe.webhooks.constructEvent(rawBody, signature ?? '', secret);
  const object = event.data.object as {
    id?: string;
    object?: string;
    payment_intent?: unknown;
    latest_charge?: unknown;
  };
  let paymentIntentId: string | null = null;
  if (object.object === 'payment_intent' && typeof object.id === 'string') paymentIntentId = object.id;
  else if (typeof object.payment_intent === 'string') paymentIntentId = object.payment_intent;
  const charge = typeof object.latest_charge === 'string' ? object.latest_charge : null;
  return {
    id: event.id,
    type: event.type,
    paymentIntentId,
    providerTransactionId: object.object === 'charge' ? (object.id ?? null) : charge,
  };
}
