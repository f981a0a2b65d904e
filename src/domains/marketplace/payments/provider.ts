// The payment-provider boundary (issue 16 §7, ADR 0073): the checkout and refunds talk to this interface only, so the
// outgoing calls to Stripe stay behind it (this machine cannot reach Stripe; tests use the manual provider and signed
// webhooks). A provider never changes an order itself: the service does, in one transaction with the ledger.
import type { OrderRow } from '../orders.repository.ts';

export type PaymentMethod = 'manual' | 'stripe';

export interface PaymentStart {
  /** The provider's id of the payment (Stripe PaymentIntent id), kept on the order; null for manual. */
  intentId: string | null;
  /** What the buyer's client needs to pay (Stripe's client_secret); null for manual. */
  clientSecret: string | null;
}

export interface PaymentProvider {
  readonly method: PaymentMethod;
  /** Starts collecting the order's total. Idempotent per order (the provider's own idempotency key). */
  start(order: OrderRow): Promise<PaymentStart>;
  /** Gives the whole payment back. Idempotent per order. Returns the provider's refund id (null for manual). */
  refund(order: OrderRow): Promise<string | null>;
}

/**
 * Development and embedded default: nothing leaves the server; an admin confirms payment
 * (POST /v1/admin/orders/{id}/confirm-payment) once the money arrived by whatever means.
 */
export const manualProvider: PaymentProvider = {
  method: 'manual',
  start: () => Promise.resolve({ intentId: null, clientSecret: null }),
  refund: () => Promise.resolve(null),
};
