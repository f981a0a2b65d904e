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
import { formatMoney, type Cents } from './money.ts';

/** Where the money goes (manual bank transfer by staff, or a Stripe Connect transfer behind the same interface). */
export interface PayoutProvider {
  readonly method: string;
  transfer(payout: {
    id: string;
    sellerId: string;
    amount: Cents;
    currency: string;
  }): Promise<{ ok: true; reference: string | null } | { ok: false; reason: string }>;
}

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

export interface PayoutRun {
  paid: number;
  failed: number;
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
  const run: PayoutRun = { paid: 0, failed: 0 };
  for (const { user_id: sellerId, currency } of candidates.rows) {
    const payout = await db.transaction().execute(async (tx) => {
      await lockSeller(tx, sellerId);
      const { payable } = await sellerBalance(tx, sellerId, currency, heldSince);
      if (payable < config.payoutMinimum) return undefined;
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
        })
        .execute();
      return { id: row.id, sellerId, amount: payable, currency };
    });
    if (!payout) continue;
    const result = await provider.transfer(payout).catch((error: unknown) => ({
      ok: false as const,
      reason: error instanceof Error ? error.message : 'transfer failed',
    }));
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('seller_payouts')
        .set(
          result.ok
            ? { status: 'completed', completed_at: sql`now()` }
            : { status: 'failed', failed_at: sql`now()`, failure_reason: result.reason.slice(0, 1000) },
        )
        .where('id', '=', payout.id)
        .execute();
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
    });
    if (result.ok) run.paid += 1;
    else run.failed += 1;
  }
  return run;
}
