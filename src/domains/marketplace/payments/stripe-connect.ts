// Stripe Connect payouts behind PayoutProvider (ADRs 0074, 0077): a seller's payout is a Transfer from the platform's
// balance to their connected account, made once per payout whatever the retries (idempotency key per payout id).
// Where each seller's connected account id is kept is the caller's concern (`accountOf`): the schema has no such
// column yet (ADR 0077), so the payout job still uses the manual provider.
import Stripe from 'stripe';
import type { PayoutProvider } from '../payouts.ts';

export function stripeConnectPayoutProvider(
  stripe: Stripe,
  accountOf: (sellerId: string) => Promise<string | null>,
): PayoutProvider {
  return {
    method: 'stripe_connect',
    async transfer(payout) {
      const destination = await accountOf(payout.sellerId);
      if (!destination) return { ok: false, reason: 'the seller has no connected Stripe account' };
      try {
        const transfer = await stripe.transfers.create(
          {
            // Minor units (ADR 0071): every currency we sell in has two decimals.
            amount: Number(payout.amount),
            currency: payout.currency.toLowerCase(),
            destination,
            metadata: { payout_id: payout.id },
          },
          { idempotencyKey: `veza-payout-${payout.id}` },
        );
        return { ok: true, reference: transfer.id, accountId: destination };
      } catch (error) {
        // No answer, or Stripe's own trouble (5xx, rate limit, a concurrent request with this key): the transfer
        // may have happened. The payout stays processing and the next run asks again with the same key.
        if (
          error instanceof Stripe.errors.StripeConnectionError ||
          error instanceof Stripe.errors.StripeRateLimitError ||
          error instanceof Stripe.errors.StripeIdempotencyError ||
          (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 500) >= 500)
        ) {
          return { ok: 'unknown', reason: `stripe ${error.statusCode ?? 'no answer'} ${error.type}: ${error.message}` };
        }
        // Stripe refused (a closed account, an insufficient platform balance…): the payout fails and its money
        // returns to the seller's balance. The SDK already retried network errors with the same idempotency key.
        if (error instanceof Stripe.errors.StripeError) {
          return { ok: false, reason: `stripe ${error.statusCode ?? 'error'} ${error.type}: ${error.message}` };
        }
        throw error;
      }
    },
  };
}
