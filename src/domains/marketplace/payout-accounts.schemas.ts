// The contract of a seller's payout account (ADR 0084): the Stripe connected account their payouts go to.
import { Type, type Static } from 'typebox';
import { closed, Nullable, Timestamp } from './common.schemas.ts';

const AccountId = Type.String({
  pattern: '^acct_[A-Za-z0-9]{1,250}$',
  maxLength: 255,
  description: 'Your Stripe connected account id, as Stripe shows it (acct_…)',
  examples: ['acct_1Nv0FGQ9RKHgCVdK'],
});

export const PayoutAccountInputSchema = Type.Object({ account_id: AccountId }, closed);
export type PayoutAccountInput = Static<typeof PayoutAccountInputSchema>;

export const PayoutAccountSchema = Type.Object(
  {
    provider: Type.Literal('stripe_connect'),
    account_id: AccountId,
    verified_at: Nullable(Timestamp, {
      description:
        'When Stripe reported the account able to receive payouts; null: not yet (finish onboarding at Stripe) ' +
        'or no longer. Payouts skip you, keeping your balance, until it is set',
    }),
    payouts_enabled: Type.Boolean({ description: 'Whether the next payout run can pay you through this account' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  closed,
);

export const ConnectWebhookResultSchema = Type.Object(
  {
    received: Type.Literal(true),
    outcome: Type.String({
      description:
        'applied (an account changed), ignored (no registered account, or nothing new), stale (older than the ' +
        'current state) or duplicate (a replay: nothing changed)',
    }),
  },
  closed,
);
