// The SQL of a seller's side of the marketplace (issue 16 §10): the lines they sold, their balances and payouts.
// Rows in, rows out; every statement is scoped to the seller it is given (sales.service.ts passes the caller).
import { sql } from 'kysely';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { Executor } from './carts.repository.ts';

/** Lines of orders that were paid (a refunded one stays listed, as refunded). */
const SOLD = ['paid', 'processing', 'completed', 'refunded'] as const;

/** The lines `sellerId` sold, newest first by the line's time: no buyer identity (ADR 0077). */
export function salesOf(db: Executor, sellerId: string, limit: number, after: Position | null) {
  let query = db
    .selectFrom('order_items as oi')
    .innerJoin('orders as o', 'o.id', 'oi.order_id')
    .select([
      'oi.id',
      'o.order_number',
      'oi.product_id',
      'oi.product_name',
      'oi.license_id',
      'oi.license_name',
      'oi.price',
      'o.currency',
      'o.status',
      'o.paid_at',
      'o.refunded_at',
      'oi.download_count',
      positionStamp('oi.created_at').as(POSITION_STAMP),
    ])
    .where('oi.seller_id', '=', sellerId)
    .where(sql<boolean>`o.status::text IN (${sql.join(SOLD.map((s) => sql.lit(s)))})`)
    .orderBy('oi.created_at', 'desc')
    .orderBy('oi.id', 'desc')
    .limit(pageSize(limit));
  if (after !== null) query = query.where(beforePosition(after, { createdAt: 'oi.created_at', id: 'oi.id' }));
  return query;
}

/** The currencies in which `sellerId` has ledger rows (shares, reversals, payouts). */
export async function ledgerCurrencies(db: Executor, sellerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('transactions')
    .select(sql<string>`currency::text`.as('currency'))
    .distinct()
    .where('user_id', '=', sellerId)
    .where('transaction_type', 'in', ['seller_share', 'seller_share_reversal', 'payout'])
    .orderBy('currency')
    .execute();
  return rows.map((row) => row.currency);
}

/** The payouts of `sellerId`, newest first. */
export function payoutsOf(db: Executor, sellerId: string, limit: number, after: Position | null) {
  let query = db
    .selectFrom('seller_payouts')
    .select([
      'id',
      'payout_number',
      'amount',
      'currency',
      'payout_method',
      'status',
      'failure_reason',
      'created_at',
      'completed_at',
      'failed_at',
      positionStamp('created_at').as(POSITION_STAMP),
    ])
    .where('seller_id', '=', sellerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(pageSize(limit));
  if (after !== null) query = query.where(beforePosition(after));
  return query;
}
