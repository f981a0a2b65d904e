// A seller's payout account (issue 16 §10, ADR 0084): the Stripe connected account their payouts go to, registered
// by the seller, verified by Stripe's signed account.updated event on the Connect webhook. Scoped to the caller: a
// seller only ever reads or changes their own, so no other policy applies.
import type Stripe from 'stripe';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { MoneyProblems } from './checkout.errors.ts';
import { verifyConnectEvent, type ConnectEvent } from './payments/stripe-connect.ts';
import { insertWebhookEvent, setWebhookOutcome } from './payments/webhook-events.repository.ts';
import { PayoutAccountProblems } from './payout-accounts.errors.ts';
import {
  deletePayoutAccount,
  findPayoutAccount,
  savePayoutAccount,
  setPayoutAccountVerified,
  type PayoutAccountRow,
} from './payout-accounts.repository.ts';
import type { PayoutAccountInput } from './payout-accounts.schemas.ts';

function viewOf(row: PayoutAccountRow) {
  return {
    provider: 'stripe_connect' as const,
    account_id: row.account_id,
    verified_at: row.verified_at ? row.verified_at.toISOString() : null,
    payouts_enabled: row.verified_at !== null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function createPayoutAccountsService(deps: {
  db: Database;
  /** The SDK client verifying Connect webhooks; undefined when Stripe is not configured. */
  stripe: Stripe | undefined;
  connectWebhookSecret: string | undefined;
}) {
  const { db } = deps;
  return {
    async get(caller: Caller) {
      const row = await findPayoutAccount(db, caller.userId);
      if (!row) throw new ApiError(PayoutAccountProblems.notFound);
      return viewOf(row);
    },

    async put(caller: Caller, input: PayoutAccountInput) {
      const row = await savePayoutAccount(db, caller.userId, input.account_id);
      if (!row) throw new ApiError(PayoutAccountProblems.taken);
      return viewOf(row);
    },

    async remove(caller: Caller): Promise<void> {
      if (!(await deletePayoutAccount(db, caller.userId))) throw new ApiError(PayoutAccountProblems.notFound);
    },

    /**
     * The Connect webhook: the SDK verifies the signature first (a bad one: 400, nothing written); each event id is
     * recorded with its effect in one transaction, so a replay changes nothing. account.updated sets or clears the
     * account's verification from `payouts_enabled`; every other event is recorded as ignored.
     */
    async connectWebhook(rawBody: string | Buffer, signature: string | undefined) {
      if (!deps.stripe || !deps.connectWebhookSecret) throw new ApiError(PayoutAccountProblems.webhookNotConfigured);
      let event: ConnectEvent;
      try {
        event = verifyConnectEvent(deps.stripe, rawBody, signature, deps.connectWebhookSecret);
      } catch {
        throw new ApiError(MoneyProblems.webhookSignatureInvalid);
      }
      const outcome = await db.transaction().execute(async (tx) => {
        const rowId = await insertWebhookEvent(tx, {
          provider: 'stripe_connect',
          eventId: event.id,
          eventType: event.type,
          orderId: undefined,
        });
        if (!rowId) return 'duplicate';
        const result =
          event.type === 'account.updated' && event.accountId
            ? await setPayoutAccountVerified(tx, event.accountId, event.payoutsEnabled, event.created)
            : 'ignored';
        await setWebhookOutcome(tx, rowId, result);
        return result;
      });
      return { received: true as const, outcome };
    },
  };
}

export type PayoutAccountsService = ReturnType<typeof createPayoutAccountsService>;
