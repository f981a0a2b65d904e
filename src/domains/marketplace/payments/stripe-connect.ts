// Stripe Connect payouts behind PayoutProvider (ADRs 0074, 0077): a seller's payout is a Transfer from the platform's
// balance to their connected account, made once per payout whatever the retries (idempotency key per payout id).
// Each seller's connected account comes from `accountOf`: the payout job reads seller_payout_accounts (ADR 0084),
// where only an account Stripe verified (account.updated, payouts enabled) counts; a seller without one is skipped.
import Stripe from 'stripe';
import type { PayoutProvider } from '../payouts.ts';

/** Why a seller is skipped by Stripe Connect payouts: said to staff in the job's log. */
export const NO_VERIFIED_ACCOUNT =
  'no verified Stripe Connect account (register one with PUT /v1/me/payout-account and finish Stripe onboarding); ' +
  'the balance is kept for a later run';

export function stripeConnectPayoutProvider(
  stripe: Stripe,
  accountOf: (sellerId: string) => Promise<string | null>,
): PayoutProvider {
  return {
    method: 'stripe_connect',
    async unpayable(sellerId) {
      return (await accountOf(sellerId)) ? null : NO_VERIFIED_ACCOUNT;
    },
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

/** What a signed Connect event says about a connected account (ADR 0084); null fields when it is about none. */
export interface ConnectEvent {
  id: string;
  type: string;
  /** When Stripe created the event: a late event older than the current state does not undo it. */
  created: Date;
  accountId: string | null;
  /** account.updated: whether the account can receive payouts now. */
  payoutsEnabled: boolean;
}

/** Verifies a Connect webhook's signature with the SDK (throws when it does not match) and reads the account. */
export function verifyConnectEvent(
  stripe: Stripe,
  rawBody: string | Buffer,
  signature: string | undefined,
  secret: string,
): ConnectEvent {
  const event = stripe.webhooks.constructEvent(rawBody, signature ?? '', secret);
  const object = event.data.object as { id?: unknown; object?: unknown; payouts_enabled?: unknown };
  const accountId = object.object === 'account' && typeof object.id === 'string' ? object.id : (event.account ?? null);
  return {
    id: event.id,
    type: event.type,
    created: new Date(event.created * 1000),
    accountId,
    payoutsEnabled: object.object === 'account' && object.payouts_enabled === true,
  };
}
