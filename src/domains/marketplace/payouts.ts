// Seller payouts (issue 16 §10, ADR 0074): a seller's payable balance (shares out of the hold window, minus their
// reversals and earlier payouts not failed) is paid out when it reaches the minimum. Each seller is handled under a
// transaction-level advisory lock that refunds take too, so a refund and a payout of one seller never interleave; and
// refunds are refused once the hold window is over, so no payout includes money that can still be refunded.
import { randomInt } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { MarketMoneyConfig } from './checkout.config.ts';
import { sellerBalance } from './ledger.ts';
import { formatMoney, parseMoney, type Cents } from './money.ts';

/** Where the money goes (manual bank transfer by staff, or a Stripe Connect transfer behind the same interface). */
export interface PayoutProvider {
  readonly method: string;
  /**
   * Why this provider cannot pay the seller now (Stripe Connect: no verified connected account, ADR 0084), or null.
   * Asked before a payout is created: a seller it names is skipped and keeps their balance for a later run.
   */
  unpayable?(sellerId: string): Promise<string | null>;
  transfer(payout: { id: string; sellerId: string; amount: Cents; currency: string }): Promise<TransferOutcome>;
}

/**
 * What a transfer came to: done; refused (the payout fails, its money returns to the balance); or unknown (a
 * timeout, a provider error: the money may have moved), in which case the payout stays `processing`, still counted
 * against the balance, and the next run asks again with the same payout id, which the provider must treat as the
 * same transfer (Stripe: the idempotency key), so a seller is never paid twice for one payout.
 */
export type TransferOutcome =
  | { ok: true; reference: string | null; accountId?: string | null }
  | { ok: false; reason: string }
  | { ok: 'unknown'; reason: string };

/** Records the payout for staff to wire by hand: it always "succeeds" here. */
export const manualPayoutProvider: PayoutProvider = {
  method: 'bank_transfer',
  transfer: () => Promise.resolve({ ok: true, reference: null }),
};

/** Serialises the money movements of one seller (payouts and refunds touching their shares). */
export async function lockSeller(tx: Transaction<DB>, sellerId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`veza.market.seller:${sellerId}`}))`.execute(tx);
}

function payoutNumber(now: Date): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let suffix = '';
  for (let i = 0; i < 10; i += 1) suffix += alphabet[randomInt(32)];
  return `PO-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${suffix}`;
}

/**
 * Whether a payout (not failed) of `sellerId` already counted the share this order booked them, that is, was made
 * with a hold cutoff later than the share (ADR 0077). A refund must not reverse a share that may have been paid out:
 * checked under the seller's lock, it closes the race between a refund that found the window still open and a
 * payout run whose clock said it was over.
 */
export async function orderSharePaidOut(tx: Transaction<DB>, orderId: string, sellerId: string): Promise<boolean> {
  const result = await sql<{ paid: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM transactions share
        JOIN transactions payout ON payout.user_id = share.user_id AND payout.currency = share.currency
       WHERE share.order_id = ${orderId}::uuid AND share.user_id = ${sellerId}::uuid
         AND share.transaction_type = 'seller_share'
         AND payout.transaction_type = 'payout' AND payout.status <> 'failed'
         AND (payout.metadata ->> 'held_since')::timestamptz > share.created_at) AS paid`.execute(tx);
  return result.rows[0]?.paid ?? false;
}

export interface PayoutRun {
  paid: number;
  failed: number;
  /** Payouts whose transfer's outcome is still unknown (left `processing`, asked again by the next run). */
  unsettled: number;
  /** Sellers with a payable balance this provider could not pay (no payout created, the balance kept), and why. */
  skipped: { sellerId: string; currency: string; reason: string }[];
}

interface PendingPayout {
  id: string;
  sellerId: string;
  amount: Cents;
  currency: string;
}

/** Asks the provider for one payout and records what it answered; an unknown outcome leaves it processing. */
async function settle(db: Database, provider: PayoutProvider, payout: PendingPayout, run: PayoutRun): Promise<void> {
  const result: TransferOutcome = await provider.transfer(payout).catch((error: unknown) => ({
    ok: false as const,
    reason: error instanceof Error ? error.message : 'transfer failed',
  }));
  if (result.ok === 'unknown') {
    run.unsettled += 1;
    await db
      .updateTable('seller_payouts')
      .set({ failure_reason: `outcome unknown, asked again by the next run: ${result.reason}`.slice(0, 1000) })
      .where('id', '=', payout.id)
      .where('status', '=', 'processing')
      .execute();
    return;
  }
  await db.transaction().execute(async (tx) => {
    const settled = await tx
      .updateTable('seller_payouts')
      .set(
        result.ok
          ? {
              status: 'completed',
              completed_at: sql`now()`,
              payout_account_id: result.accountId ?? null,
              failure_reason: null,
            }
          : { status: 'failed', failed_at: sql`now()`, failure_reason: result.reason.slice(0, 1000) },
      )
      .where('id', '=', payout.id)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    // Another run settled it in between: its answer stands.
    if (settled.numUpdatedRows === 0n) return;
    // A failed payout's row is `failed`: sellerBalance no longer counts it, the money is back in the balance.
    await tx
      .updateTable('transactions')
      .set({
        status: result.ok ? 'completed' : 'failed',
        completed_at: result.ok ? sql`now()` : null,
        provider_transaction_id: result.ok ? result.reference : null,
      })
      .where('payout_id', '=', payout.id)
      .execute();
    if (result.ok) run.paid += 1;
    else run.failed += 1;
  });
}

/** The payout job: one payout per seller and currency whose payable balance reaches the minimum. Idempotent. */
export async function runPayouts(
  db: Database,
  config: Pick<MarketMoneyConfig, 'holdDays' | 'payoutMinimum'>,
  provider: PayoutProvider,
  now: Date = new Date(),
): Promise<PayoutRun> {
  const heldSince = new Date(now.getTime() - config.holdDays * 86_400_000);
  const candidates = await sql<{ user_id: string; currency: string }>`
    SELECT DISTINCT user_id, currency::text AS currency FROM transactions
     WHERE transaction_type = 'seller_share' AND user_id IS NOT NULL AND created_at < ${heldSince}`.execute(db);
  const run: PayoutRun = { paid: 0, failed: 0, unsettled: 0, skipped: [] };
  // First the payouts an earlier run left unsettled, asked again under the same id (the provider's idempotency).
  const unsettled = await db
    .selectFrom('seller_payouts')
    .select(['id', 'seller_id', 'amount', 'currency'])
    .where('status', '=', 'processing')
    .where('payout_method', '=', provider.method)
    .execute();
  for (const row of unsettled) {
    const payout = { id: row.id, sellerId: row.seller_id, amount: parseMoney(row.amount), currency: row.currency };
    await settle(db, provider, payout, run);
  }
  for (const { user_id: sellerId, currency } of candidates.rows) {
    const payout = await db.transaction().execute(async (tx) => {
      await lockSeller(tx, sellerId);
      const { payable } = await sellerBalance(tx, sellerId, currency, heldSince);
      if (payable < config.payoutMinimum) return undefined;
      const reason = (await provider.unpayable?.(sellerId)) ?? null;
      if (reason !== null) {
        run.skipped.push({ sellerId, currency, reason });
        return undefined;
      }
      const row = await tx
        .insertInto('seller_payouts')
        .values({
          seller_id: sellerId,
          payout_number: payoutNumber(now),
          amount: formatMoney(payable),
          currency,
          payout_method: provider.method,
          status: 'processing',
          processed_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('transactions')
        .values({
          transaction_type: 'payout',
          user_id: sellerId,
          payout_id: row.id,
          amount: formatMoney(payable),
          currency,
          provider: provider.method,
          status: 'pending',
          // The cutoff this payout counted shares up to: a refund of a share booked before it is refused
          // (orderSharePaidOut), whatever the clocks of the refund and of this run said.
          metadata: JSON.stringify({ held_since: heldSince.toISOString() }),
        })
        .execute();
      return { id: row.id, sellerId, amount: payable, currency };
    });
    if (payout) await settle(db, provider, payout, run);
  }
  return run;
}
