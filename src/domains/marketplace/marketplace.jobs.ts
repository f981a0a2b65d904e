// The marketplace's scheduled jobs (ADRs 0073, 0074, 0077), run by `veza serve` on their cron and by hand with
// `veza jobs run <name>`: unpaid orders expire (their licence units and code use are given back) and matured seller
// balances are paid out. Both measure time from the run's clock (JobContext.now) and are idempotent: a second run at
// the same instant finds nothing left to do.
import { sql } from 'kysely';
import { loadConfig } from '../../platform/config/config.ts';
import type { JobContext, JobDefinition } from '../../platform/jobs/job.ts';
import { moneyConfigOf, type MarketMoneyConfig } from './checkout.config.ts';
import { createCheckoutService } from './checkout.service.ts';
import { sellerBalance } from './ledger.ts';
import { formatMoney } from './money.ts';
import { stalePendingOrders } from './orders.repository.ts';
import { manualProvider } from './payments/provider.ts';
import { stripeConnectPayoutProvider } from './payments/stripe-connect.ts';
import { stripeClient } from './payments/stripe.ts';
import { verifiedPayoutAccount } from './payout-accounts.repository.ts';
import type { Database } from '../../platform/db/pool.ts';
import { manualPayoutProvider, runPayouts, type PayoutProvider } from './payouts.ts';

const EXPIRY_BATCH = 500;

/** Unpaid orders past VEZA_MARKET_ORDER_TTL_MINUTES: cancelled, their licence units and discount use released. */
export function createExpireUnpaidOrdersJob(config: () => MarketMoneyConfig): JobDefinition {
  return {
    name: 'market.expire-unpaid-orders',
    description: 'cancel orders left unpaid past VEZA_MARKET_ORDER_TTL_MINUTES, releasing their units (ADR 0073)',
    defaultSchedule: '* * * * *',
    async run(context) {
      const settings = config();
      if (context.dryRun) {
        // The expiry locks each order in a transaction of its own, which a dry run's transaction cannot hold.
        const cutoff = new Date(context.now.getTime() - settings.orderTtlMinutes * 60_000);
        const due = await stalePendingOrders(context.db, cutoff, 100_000);
        context.log(`dry run: ${due.length} unpaid order(s) would expire`);
        return;
      }
      const checkout = createCheckoutService({
        db: context.db,
        config: settings,
        providers: { manual: manualProvider },
        stripe: undefined,
        now: () => context.now,
      });
      for (;;) {
        const expired = await checkout.expireUnpaidOrders(context.now, EXPIRY_BATCH);
        if (expired > 0) context.count('orders', expired);
        if (expired < EXPIRY_BATCH) return;
      }
    },
  };
}

/** What a run would pay, without writing: one line per seller and currency at or above the minimum. */
async function previewPayouts(context: JobContext, settings: MarketMoneyConfig): Promise<void> {
  const heldSince = new Date(context.now.getTime() - settings.holdDays * 86_400_000);
  const candidates = await sql<{ user_id: string; currency: string }>`
    SELECT DISTINCT user_id, currency::text AS currency FROM transactions
     WHERE transaction_type = 'seller_share' AND user_id IS NOT NULL AND created_at < ${heldSince}`.execute(context.db);
  let due = 0;
  for (const { user_id: sellerId, currency } of candidates.rows) {
    const { payable } = await sellerBalance(context.db, sellerId, currency, heldSince);
    if (payable < settings.payoutMinimum) continue;
    due += 1;
    context.log(`dry run: seller ${sellerId} would be paid ${formatMoney(payable)} ${currency}`);
  }
  context.log(`dry run: ${due} payout(s) would be made`);
}

/**
 * Matured seller balances at or above VEZA_MARKET_PAYOUT_MINIMUM become payouts through `provider` (manual bank
 * transfer by default). A failed transfer is recorded and its money stays in the balance for the next run.
 */
export function createPayoutsJob(
  config: () => MarketMoneyConfig,
  provider: (db: Database, settings: MarketMoneyConfig) => PayoutProvider,
): JobDefinition {
  return {
    name: 'market.payouts',
    description: 'pay sellers their balance once out of the hold window and above the minimum (ADR 0074)',
    defaultSchedule: '30 4 * * *',
    async run(context) {
      const settings = config();
      if (context.dryRun) return previewPayouts(context, settings);
      const run = await runPayouts(context.db, settings, provider(context.db, settings), context.now);
      if (run.paid + run.failed > 0) context.count('seller_payouts', run.paid + run.failed);
      for (const { sellerId, currency, reason } of run.skipped) {
        context.log(`market.payouts: seller ${sellerId} (${currency}) skipped: ${reason}`);
      }
      if (run.failed > 0)
        context.log(`market.payouts: ${run.failed} payout(s) failed; their money stays in the balance`);
    },
  };
}

const fromEnvironment = () => moneyConfigOf(loadConfig().market);

export const marketExpireUnpaidOrders = createExpireUnpaidOrdersJob(fromEnvironment);
/**
 * With VEZA_STRIPE_SECRET_KEY, payouts are Stripe Connect transfers to each seller's verified account
 * (seller_payout_accounts, ADR 0084), sellers without one skipped; without it, they are recorded for staff to wire.
 */
export function payoutProviderFor(db: Database, settings: MarketMoneyConfig): PayoutProvider {
  if (!settings.stripeSecretKey) return manualPayoutProvider;
  return stripeConnectPayoutProvider(stripeClient(settings.stripeSecretKey), (sellerId) =>
    verifiedPayoutAccount(db, sellerId),
  );
}

export const marketPayouts = createPayoutsJob(fromEnvironment, payoutProviderFor);
