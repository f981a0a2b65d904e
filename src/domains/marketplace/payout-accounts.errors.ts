// Error catalogue of sellers' payout accounts (ADR 0084). Stable codes, rendered as RFC 9457 problem details.
import { problemType } from '../../platform/http/problem.ts';

export const PayoutAccountProblems = {
  /** The caller registered no payout account. */
  notFound: problemType('PAYOUT_ACCOUNT_NOT_FOUND', 404, 'You have no payout account'),
  /** Another seller registered this Stripe account (one connected account pays one seller). */
  taken: problemType('PAYOUT_ACCOUNT_TAKEN', 409, 'This account is registered by another seller'),
  /** VEZA_STRIPE_CONNECT_WEBHOOK_SECRET is not set: the Connect webhook cannot verify anything. */
  webhookNotConfigured: problemType(
    'CONNECT_WEBHOOK_NOT_CONFIGURED',
    422,
    'The Stripe Connect webhook is not configured',
  ),
} as const;
