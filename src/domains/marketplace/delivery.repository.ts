// The SQL of delivery (issue 16 §8, ADR 0075): paid order lines as the buyer's purchases, their licence keys and
// download counts. Rows in, rows out; who may see which row is delivery.policy.ts's.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { positionStamp } from '../../platform/http/pagination.ts';
import type { Executor } from './carts.repository.ts';
import type { OrderStatus } from './orders.repository.ts';

/** An order line with what delivery needs of its order. */
export interface PurchaseRow {
  id: string;
  order_id: string;
  order_number: string;
  /** The buyer (orders.user_id). */
  user_id: string;
  status: OrderStatus;
  product_id: string;
  product_name: string;
  license_id: string | null;
  license_name: string | null;
  license_terms: string | null;
  license_usage_rights: unknown;
  license_key: string | null;
  seller_id: string;
  price: string;
  currency: string;
  download_file_ids: string[] | null;
  download_count: number;
  paid_at: Date | null;
  refunded_at: Date | null;
  position_stamp: string;
}

const PURCHASE_COLUMNS = sql`oi.id, oi.order_id, o.order_number, o.user_id, o.status::text AS status, oi.product_id,
  oi.product_name, oi.license_id, oi.license_name, oi.license_terms, oi.license_usage_rights, oi.license_key,
  oi.seller_id, oi.price::text AS price, o.currency::text AS currency, oi.download_file_ids, oi.download_count,
  o.paid_at, o.refunded_at,
  ${positionStamp('oi.created_at')} AS position_stamp`;

/** Orders whose lines are purchases: paid once (a refund keeps the line, revoked). */
const PURCHASED = sql`o.status IN ('paid', 'processing', 'completed', 'refunded')`;

/** The lines of an order that have no key yet, in a stable order (the payment transaction keys them). */
export async function unkeyedLines(tx: Transaction<DB>, orderId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    SELECT id FROM order_items WHERE order_id = ${orderId}::uuid AND license_key IS NULL ORDER BY id`.execute(tx);
  return result.rows.map((row) => row.id);
}

/**
 * Gives each line its key and freezes what it licenses: the licence's name and usage rights as they are now
 * (migration 0048). A line keyed already keeps its key (a replayed payment changes nothing).
 */
export async function keyLines(tx: Transaction<DB>, keys: { lineId: string; key: string }[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`
    UPDATE order_items oi
       SET license_key = k.key,
           license_name = (SELECT pl.name FROM product_licenses pl WHERE pl.id = oi.license_id),
           license_usage_rights = (SELECT pl.usage_rights FROM product_licenses pl WHERE pl.id = oi.license_id)
      FROM unnest(${keys.map((k) => k.lineId)}::uuid[], ${keys.map((k) => k.key)}::text[]) AS k(id, key)
     WHERE oi.id = k.id AND oi.license_key IS NULL`.execute(tx);
}

/** A buyer's purchases, newest first, keyset on the line's (created_at, id). */
export async function purchasesOf(
  executor: Executor,
  userId: string,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): Promise<PurchaseRow[]> {
  const result = await sql<PurchaseRow>`
    SELECT ${PURCHASE_COLUMNS}
      FROM orders o JOIN order_items oi ON oi.order_id = o.id
     WHERE o.user_id = ${userId}::uuid AND ${PURCHASED}
       ${after ? sql`AND (oi.created_at, oi.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
     ORDER BY oi.created_at DESC, oi.id DESC
     LIMIT ${limit + 1}`.execute(executor);
  return result.rows;
}

/** One order line as a purchase, whoever bought it, whatever its order's state (the policy decides). */
export async function findPurchase(executor: Executor, lineId: string): Promise<PurchaseRow | undefined> {
  const result = await sql<PurchaseRow>`
    SELECT ${PURCHASE_COLUMNS}
      FROM order_items oi JOIN orders o ON o.id = oi.order_id
     WHERE oi.id = ${lineId}::uuid`.execute(executor);
  return result.rows[0];
}

/** The purchase a key was issued for (uq_order_items_license_key), paid or refunded. */
export async function purchaseByKey(executor: Executor, key: string): Promise<PurchaseRow | undefined> {
  const result = await sql<PurchaseRow>`
    SELECT ${PURCHASE_COLUMNS}
      FROM order_items oi JOIN orders o ON o.id = oi.order_id
     WHERE oi.license_key = ${key} AND ${PURCHASED}`.execute(executor);
  return result.rows[0];
}

/** One more download of the line: a single UPDATE, so concurrent downloads each count once. */
export async function countDownload(executor: Executor, lineId: string): Promise<number> {
  const result = await sql<{ download_count: number }>`
    UPDATE order_items SET download_count = download_count + 1 WHERE id = ${lineId}::uuid
    RETURNING download_count`.execute(executor);
  return result.rows[0]?.download_count ?? 0;
}
