// A seller's view of their business (issue 16 §10, ADR 0077): the lines they sold, their balance per currency (the
// ledger's own sellerBalance, the same numbers the payout job pays from) and their payouts. Everything is scoped to
// the caller: a seller only ever reads their own rows, so no other policy applies.
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import type { MarketMoneyConfig } from './checkout.config.ts';
import { sellerBalance } from './ledger.ts';
import { formatMoney } from './money.ts';
import { ledgerCurrencies, payoutsOf, salesOf } from './sales.repository.ts';

type PayoutStatus = 'pending' | 'processing' | 'completed' | 'failed';

const iso = (at: Date | null) => (at ? at.toISOString() : null);

export function createSalesService(deps: {
  db: Database;
  config: Pick<MarketMoneyConfig, 'holdDays' | 'payoutMinimum'>;
  now?: () => Date;
}) {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async sales(caller: Caller, query: PageQuery) {
      const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
      const page = toPage(await salesOf(db, caller.userId, query.limit + 1, after).execute(), query.limit);
      return {
        items: page.items.map((row) => ({
          id: row.id,
          order_number: row.order_number,
          product_id: row.product_id,
          product_name: row.product_name,
          license_id: row.license_id,
          license_name: row.license_name,
          price: row.price,
          currency: row.currency,
          status: row.status === 'refunded' ? ('refunded' as const) : ('paid' as const),
          paid_at: iso(row.paid_at),
          refunded_at: iso(row.refunded_at),
          download_count: row.download_count,
        })),
        next_cursor: page.next_cursor,
      };
    },

    async balances(caller: Caller) {
      const heldSince = new Date(now().getTime() - config.holdDays * 86_400_000);
      const items = [];
      for (const currency of await ledgerCurrencies(db, caller.userId)) {
        const { earned, payable, paidOut } = await sellerBalance(db, caller.userId, currency, heldSince);
        // What is earned and neither paid out nor payable is still held in the refund window.
        const held = earned - paidOut - payable;
        items.push({
          currency,
          earned: formatMoney(earned),
          held: formatMoney(held > 0n ? held : 0n),
          paid_out: formatMoney(paidOut),
          payable: formatMoney(payable),
          payout_minimum: formatMoney(config.payoutMinimum),
          hold_days: config.holdDays,
        });
      }
      return { items };
    },

    async payouts(caller: Caller, query: PageQuery) {
      const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
      const page = toPage(await payoutsOf(db, caller.userId, query.limit + 1, after).execute(), query.limit);
      return {
        items: page.items.map((row) => ({
          id: row.id,
          payout_number: row.payout_number,
          amount: row.amount,
          currency: row.currency,
          method: row.payout_method,
          // chk_seller_payouts_status_valid holds the column to these four.
          status: row.status as PayoutStatus,
          failure_reason: row.failure_reason,
          created_at: row.created_at.toISOString(),
          completed_at: iso(row.completed_at),
          failed_at: iso(row.failed_at),
        })),
        next_cursor: page.next_cursor,
      };
    },
  };
}

export type SalesService = ReturnType<typeof createSalesService>;
