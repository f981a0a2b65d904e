// The SQL of orders and their lines (spec §10.5-10.6, issue 16 §6). Rows in, rows out. Orders and lines are kept 7
// years (legal retention, ADR 0005): nothing here deletes them.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from './carts.repository.ts';

export type OrderStatus = 'pending' | 'paid' | 'processing' | 'completed' | 'cancelled' | 'refunded';

export interface OrderRow {
  id: string;
  user_id: string;
  order_number: string;
  subtotal: string;
  discount_total: string;
  tax_total: string;
  total: string;
  currency: string;
  payment_method: string | null;
  payment_intent_id: string | null;
  status: OrderStatus;
  billing_email: string;
  billing_name: string | null;
  billing_address: unknown;
  paid_at: Date | null;
  cancelled_at: Date | null;
  refunded_at: Date | null;
  created_at: Date;
}

export interface OrderItemRow {
  id: string;
  order_id: string;
  product_id: string;
  license_id: string | null;
  product_name: string;
  seller_id: string;
  price: string;
  license_terms: string | null;
}

const ORDER_COLUMNS = sql`o.id, o.user_id, o.order_number, o.subtotal::text AS subtotal,
  o.discount_total::text AS discount_total, o.tax_total::text AS tax_total, o.total::text AS total,
  o.currency::text AS currency, o.payment_method, o.payment_intent_id, o.status::text AS status, o.billing_email,
  o.billing_name, o.billing_address, o.paid_at, o.cancelled_at, o.refunded_at, o.created_at`;

export interface NewOrder {
  userId: string;
  orderNumber: string;
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
  currency: string;
  paymentMethod: string;
  billingEmail: string;
  billingName: string | null;
  billingAddress: Record<string, string> | null;
}

export async function insertOrder(tx: Transaction<DB>, order: NewOrder): Promise<OrderRow> {
  const result = await sql<OrderRow>`
    WITH o AS (
      INSERT INTO orders (user_id, order_number, subtotal, discount_total, tax_total, total, currency, payment_method,
                          billing_email, billing_name, billing_address)
      VALUES (${order.userId}::uuid, ${order.orderNumber}, ${order.subtotal}, ${order.discountTotal}, ${order.taxTotal},
              ${order.total}, ${order.currency}, ${order.paymentMethod}, ${order.billingEmail}, ${order.billingName},
              ${order.billingAddress === null ? null : JSON.stringify(order.billingAddress)}::jsonb)
      RETURNING *)
    SELECT ${ORDER_COLUMNS} FROM o`.execute(tx);
  return result.rows[0]!;
}

export interface NewOrderItem {
  productId: string;
  licenseId: string | null;
  productName: string;
  productDescription: string | null;
  sellerId: string;
  price: string;
  licenseTerms: string | null;
  downloadFileIds: string[] | null;
}

export async function insertOrderItems(tx: Transaction<DB>, orderId: string, items: NewOrderItem[]): Promise<void> {
  if (items.length === 0) return;
  await tx
    .insertInto('order_items')
    .values(
      items.map((item) => ({
        order_id: orderId,
        product_id: item.productId,
        license_id: item.licenseId,
        product_name: item.productName,
        product_description: item.productDescription,
        seller_id: item.sellerId,
        price: item.price,
        license_terms: item.licenseTerms,
        download_file_ids: item.downloadFileIds,
      })),
    )
    .execute();
}

export async function findOrder(executor: Executor, orderId: string): Promise<OrderRow | undefined> {
  const result = await sql<OrderRow>`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ${orderId}::uuid`.execute(
    executor,
  );
  return result.rows[0];
}

/** The order row locked for a state change: payment, refund, expiry and webhooks take it in this order. */
export async function lockOrder(tx: Transaction<DB>, orderId: string): Promise<OrderRow | undefined> {
  const result = await sql<OrderRow>`
    SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ${orderId}::uuid FOR UPDATE`.execute(tx);
  return result.rows[0];
}

export async function orderIdByPaymentIntent(executor: Executor, intentId: string): Promise<string | undefined> {
  const row = await executor
    .selectFrom('orders')
    .select('id')
    .where('payment_intent_id', '=', intentId)
    .executeTakeFirst();
  return row?.id;
}

export async function orderItems(executor: Executor, orderIds: string[]): Promise<OrderItemRow[]> {
  if (orderIds.length === 0) return [];
  const result = await sql<OrderItemRow>`
    SELECT id, order_id, product_id, license_id, product_name, seller_id, price::text AS price, license_terms
      FROM order_items WHERE order_id = ANY(${orderIds}::uuid[]) ORDER BY created_at, id`.execute(executor);
  return result.rows;
}

export async function setOrderStatus(
  tx: Transaction<DB>,
  orderId: string,
  status: OrderStatus,
  stamp: 'paid_at' | 'cancelled_at' | 'refunded_at' | 'completed_at' | null,
): Promise<void> {
  await sql`UPDATE orders SET status = ${status}::order_status
            ${stamp ? sql`, ${sql.ref(stamp)} = now()` : sql``} WHERE id = ${orderId}::uuid`.execute(tx);
}

export async function setPaymentIntent(executor: Executor, orderId: string, intentId: string): Promise<void> {
  await executor.updateTable('orders').set({ payment_intent_id: intentId }).where('id', '=', orderId).execute();
}

/** A buyer's orders, newest first, keyset on (created_at, id) (idx_orders_user_id_created_at). */
export async function ordersOfBuyer(
  executor: Executor,
  userId: string,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): Promise<(OrderRow & { position_stamp: string })[]> {
  const result = await sql<OrderRow & { position_stamp: string }>`
    SELECT ${ORDER_COLUMNS},
           to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_stamp
      FROM orders o
     WHERE o.user_id = ${userId}::uuid
       ${after ? sql`AND (o.created_at, o.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT ${limit + 1}`.execute(executor);
  return result.rows;
}

/** Unpaid orders created before `cutoff`, oldest first (idx_orders_status). */
export async function stalePendingOrders(executor: Executor, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await executor
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'pending')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
