// The ledger (issue 16 §10, ADR 0074): every money movement is a `transactions` row, written in the transaction of
// the change it records. A paid order books `payment` (the buyer's total) = Σ `seller_share` (one row per seller) +
// `commission` + `tax`; a refund books `refund` = Σ `seller_share_reversal` + `commission_reversal` +
// `tax_reversal`, copies of what the payment booked. A payout books `payout` (status failed when it failed, which
// returns the amount to the balance). The unique indexes of migration 0047 make a second booking of one order fail.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Executor } from './carts.repository.ts';
import { formatMoney, parseMoney, splitByRate, type Cents, type Rate } from './money.ts';
import type { OrderItemRow, OrderRow } from './orders.repository.ts';

type EntryType =
  | 'payment'
  | 'refund'
  | 'payout'
  | 'commission'
  | 'seller_share'
  | 'tax'
  | 'seller_share_reversal'
  | 'commission_reversal'
  | 'tax_reversal';

interface Entry {
  type: EntryType;
  userId: string | null;
  amount: Cents;
  metadata?: Record<string, unknown>;
}

async function book(
  tx: Transaction<DB>,
  order: OrderRow,
  provider: string,
  providerTransactionId: string | null,
  entries: Entry[],
): Promise<void> {
  await tx
    .insertInto('transactions')
    .values(
      entries.map((entry) => ({
        transaction_type: entry.type,
        user_id: entry.userId,
        order_id: order.id,
        amount: formatMoney(entry.amount),
        currency: order.currency,
        provider,
        provider_transaction_id: providerTransactionId,
        status: 'completed',
        metadata: entry.metadata ? JSON.stringify(entry.metadata) : null,
        completed_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/**
 * The split of a paid order: each line's commission is rounded half-up once and the seller keeps the rest (ADR
 * 0071), so Σ shares + commission = Σ lines = subtotal − discount, and + tax = total.
 */
export function splitOrder(
  order: Pick<OrderRow, 'total' | 'tax_total'>,
  items: Pick<OrderItemRow, 'seller_id' | 'price'>[],
  commissionRate: Rate,
): { shares: Map<string, Cents>; commission: Cents; tax: Cents; total: Cents } {
  const shares = new Map<string, Cents>();
  let commission = 0n;
  for (const item of items) {
    const [fee, share] = splitByRate(parseMoney(item.price), commissionRate);
    commission += fee;
    shares.set(item.seller_id, (shares.get(item.seller_id) ?? 0n) + share);
  }
  return { shares, commission, tax: parseMoney(order.tax_total), total: parseMoney(order.total) };
}

export async function bookPayment(
  tx: Transaction<DB>,
  order: OrderRow,
  items: OrderItemRow[],
  commissionRate: Rate,
  provider: string,
  providerTransactionId: string | null,
): Promise<void> {
  const split = splitOrder(order, items, commissionRate);
  const entries: Entry[] = [{ type: 'payment', userId: order.user_id, amount: split.total }];
  for (const [sellerId, share] of split.shares) entries.push({ type: 'seller_share', userId: sellerId, amount: share });
  entries.push({ type: 'commission', userId: null, amount: split.commission });
  entries.push({ type: 'tax', userId: null, amount: split.tax });
  await book(tx, order, provider, providerTransactionId, entries);
}

/** Reverses exactly what the payment of the order booked, and books the refund to the buyer. */
export async function bookRefund(
  tx: Transaction<DB>,
  order: OrderRow,
  provider: string,
  providerTransactionId: string | null,
): Promise<void> {
  const booked = await tx
    .selectFrom('transactions')
    .select(['transaction_type', 'user_id', 'amount'])
    .where('order_id', '=', order.id)
    .where('transaction_type', 'in', ['payment', 'seller_share', 'commission', 'tax'])
    .execute();
  const reversal: Record<string, EntryType> = {
    payment: 'refund',
    seller_share: 'seller_share_reversal',
    commission: 'commission_reversal',
    tax: 'tax_reversal',
  };
  await book(
    tx,
    order,
    provider,
    providerTransactionId,
    booked.map((row) => ({
      type: reversal[row.transaction_type]!,
      userId: row.user_id,
      amount: parseMoney(String(row.amount)),
    })),
  );
}

/**
 * A seller's balances in one currency: `earned` = shares − reversals, `payable` = the part of it booked before
 * `heldSince` (out of the refund window) minus what payouts took (failed payouts excluded: their money is back).
 * Refunds are refused once the window is over (checkout.service.ts), so a share that can still be reversed is never
 * payable, and no seller is paid more than they earned.
 */
export async function sellerBalance(
  executor: Executor,
  sellerId: string,
  currency: string,
  heldSince: Date,
): Promise<{ earned: Cents; payable: Cents; paidOut: Cents }> {
  const result = await sql<{ earned: string; matured: string; paid_out: string }>`
    SELECT COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share'), 0)
           - COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share_reversal'), 0) AS earned,
           COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share' AND created_at < ${heldSince}), 0)
           - COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share_reversal'
                                           AND order_created_before_hold), 0) AS matured,
           COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'payout' AND status <> 'failed'), 0) AS paid_out
      FROM (SELECT t.*, EXISTS (SELECT 1 FROM transactions s
                                 WHERE s.order_id = t.order_id AND s.transaction_type = 'seller_share'
                                   AND s.user_id = t.user_id AND s.created_at < ${heldSince}) AS order_created_before_hold
              FROM transactions t
             WHERE t.user_id = ${sellerId}::uuid AND t.currency = ${currency}
               AND t.transaction_type IN ('seller_share', 'seller_share_reversal', 'payout')) x`.execute(executor);
  const row = result.rows[0]!;
  const [earned, paidOut, matured] = [cents(row.earned), cents(row.paid_out), cents(row.matured)];
  return { earned, paidOut, payable: matured > paidOut ? matured - paidOut : 0n };
}

export interface BooksReport {
  ordersChecked: number;
  sellersChecked: number;
  problems: string[];
}

/**
 * Proves the books (issue 16 §10): for every order with a payment, payment = Σ shares + commission + tax and the
 * payment equals the order's total; a refunded order's refund mirrors it; no transaction of an unpaid order; and for
 * every seller, payouts not failed ≤ shares − reversals. Read-only; `veza market books` and the tests run it.
 */
export async function checkBooks(db: Database): Promise<BooksReport> {
  const problems: string[] = [];
  const orders = await sql<{
    order_number: string;
    status: string;
    total: string;
    payment: string | null;
    split: string;
    refund: string | null;
    reversal: string;
    payments: number;
  }>`
    SELECT o.order_number, o.status::text AS status, o.total::text AS total,
           SUM(t.amount) FILTER (WHERE t.transaction_type = 'payment')::text AS payment,
           COALESCE(SUM(t.amount) FILTER (WHERE t.transaction_type IN ('seller_share', 'commission', 'tax')), 0)::text AS split,
           SUM(t.amount) FILTER (WHERE t.transaction_type = 'refund')::text AS refund,
           COALESCE(SUM(t.amount) FILTER (WHERE t.transaction_type IN
                    ('seller_share_reversal', 'commission_reversal', 'tax_reversal')), 0)::text AS reversal,
           COUNT(*) FILTER (WHERE t.transaction_type = 'payment')::int AS payments
      FROM orders o LEFT JOIN transactions t ON t.order_id = o.id
     GROUP BY o.id`.execute(db);
  for (const o of orders.rows) {
    const paid = ['paid', 'processing', 'completed', 'refunded'].includes(o.status);
    if (!paid) {
      if (o.payment !== null) problems.push(`${o.order_number}: ${o.status} but a payment is booked`);
      continue;
    }
    if (o.payment === null) {
      problems.push(`${o.order_number}: ${o.status} but no payment booked`);
      continue;
    }
    const [payment, total, split] = [cents(o.payment), cents(o.total), cents(o.split)];
    const [refund, reversal] = [o.refund === null ? 0n : cents(o.refund), cents(o.reversal)];
    if (o.payments !== 1) problems.push(`${o.order_number}: ${o.payments} payments`);
    if (payment !== total) problems.push(`${o.order_number}: payment ${o.payment} ≠ total ${o.total}`);
    if (payment !== split) problems.push(`${o.order_number}: payment ${o.payment} ≠ shares+commission+tax ${o.split}`);
    if (o.status === 'refunded' && refund !== payment) {
      problems.push(`${o.order_number}: refunded but refund ${o.refund ?? 'none'} ≠ payment ${o.payment}`);
    }
    if (refund !== reversal) problems.push(`${o.order_number}: refund ${o.refund ?? 'none'} ≠ reversals ${o.reversal}`);
  }
  const sellers = await sql<{ user_id: string; earned: string; paid_out: string }>`
    SELECT user_id,
           (COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share'), 0)
            - COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share_reversal'), 0))::text AS earned,
           COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'payout' AND status <> 'failed'), 0)::text AS paid_out
      FROM transactions
     WHERE transaction_type IN ('seller_share', 'seller_share_reversal', 'payout') AND user_id IS NOT NULL
     GROUP BY user_id, currency`.execute(db);
  for (const s of sellers.rows) {
    if (cents(s.paid_out) > cents(s.earned)) {
      problems.push(`seller ${s.user_id}: paid out ${s.paid_out} > earned ${s.earned}`);
    }
  }
  return { ordersChecked: orders.rows.length, sellersChecked: sellers.rows.length, problems };
}

/** A signed SQL decimal ("-1.5", "0", "12.30") as cents: sums and differences of the ledger. */
function cents(value: string): Cents {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const result = BigInt(whole ?? '0') * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2) || '0');
  return negative ? -result : result;
}
