// The SQL of carts (spec §10.3-10.4, issue 16 §4). Rows in, rows out. One cart per user (uq_carts_user_id).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';

export type Executor = Database | Transaction<DB>;

/** A cart line with what the catalogue says now: the checkout compares the two. */
export interface CartLineRow {
  id: string;
  product_id: string;
  license_id: string | null;
  /** Price snapshot taken when the line was added. */
  price: string;
  added_at: Date;
  product_name: string;
  product_description: string;
  seller_id: string;
  currency: string;
  pricing_model: string;
  minimum_price: string | null;
  download_file_ids: string[] | null;
  product_on_sale: boolean;
  license_name: string | null;
  license_price: string | null;
  license_terms: string | null;
  license_on_sale: boolean;
}

/** The user's cart id, created on first use (the unique constraint makes two first uses agree). */
export async function cartIdOf(executor: Executor, userId: string): Promise<string> {
  await executor
    .insertInto('carts')
    .values({ user_id: userId })
    .onConflict((c) => c.column('user_id').doNothing())
    .execute();
  const row = await executor.selectFrom('carts').select('id').where('user_id', '=', userId).executeTakeFirstOrThrow();
  return row.id;
}

/** Locks the user's cart row for a checkout or a change: two checkouts of one cart run one after the other. */
export async function lockCart(tx: Transaction<DB>, userId: string): Promise<string> {
  const id = await cartIdOf(tx, userId);
  await tx.selectFrom('carts').select('id').where('id', '=', id).forUpdate().execute();
  return id;
}

export async function cartLines(executor: Executor, cartId: string): Promise<CartLineRow[]> {
  const result = await sql<CartLineRow>`
    SELECT ci.id, ci.product_id, ci.license_id, ci.price::text AS price, ci.added_at,
           p.name AS product_name, p.description AS product_description, p.seller_id, p.currency::text AS currency,
           p.pricing_model, p.minimum_price::text AS minimum_price, p.download_file_ids,
           (p.status = 'active' AND p.deleted_at IS NULL) AS product_on_sale,
           l.name AS license_name, l.price::text AS license_price, l.terms AS license_terms,
           COALESCE(l.deleted_at IS NULL AND l.withdrawn_at IS NULL
                    AND l.units_sold + l.units_reserved
                        < CASE WHEN l.is_exclusive THEN 1 ELSE COALESCE(l.distribution_limit, 2147483647) END,
                    false) AS license_on_sale
      FROM cart_items ci
      JOIN products p ON p.id = ci.product_id
      LEFT JOIN product_licenses l ON l.id = ci.license_id
     WHERE ci.cart_id = ${cartId}::uuid
     ORDER BY ci.added_at, ci.id`.execute(executor);
  return result.rows;
}

/** What the catalogue says of a product and one of its licences, to price a new cart line. */
export interface OfferRow {
  product_id: string;
  seller_id: string;
  currency: string;
  pricing_model: string;
  minimum_price: string | null;
  product_on_sale: boolean;
  license_id: string;
  license_price: string;
  license_on_sale: boolean;
}

export async function offer(executor: Executor, productId: string, licenseId: string): Promise<OfferRow | undefined> {
  const result = await sql<OfferRow>`
    SELECT p.id AS product_id, p.seller_id, p.currency::text AS currency, p.pricing_model,
           p.minimum_price::text AS minimum_price, (p.status = 'active' AND p.deleted_at IS NULL) AS product_on_sale,
           l.id AS license_id, l.price::text AS license_price,
           (l.deleted_at IS NULL AND l.withdrawn_at IS NULL
            AND l.units_sold + l.units_reserved
                < CASE WHEN l.is_exclusive THEN 1 ELSE COALESCE(l.distribution_limit, 2147483647) END) AS license_on_sale
      FROM products p JOIN product_licenses l ON l.product_id = p.id
     WHERE p.id = ${productId}::uuid AND l.id = ${licenseId}::uuid`.execute(executor);
  return result.rows[0];
}

/** Adds a line, or replaces the licence and price of the product's line (a product is in a cart at most once). */
export async function upsertLine(
  tx: Transaction<DB>,
  cartId: string,
  line: { productId: string; licenseId: string; price: string },
): Promise<void> {
  await tx
    .insertInto('cart_items')
    .values({ cart_id: cartId, product_id: line.productId, license_id: line.licenseId, price: line.price })
    .onConflict((c) =>
      c.constraint('uq_cart_items_cart_product').doUpdateSet({
        license_id: line.licenseId,
        price: line.price,
        added_at: sql`now()`,
      }),
    )
    .execute();
}

export async function removeLine(tx: Transaction<DB>, cartId: string, itemId: string): Promise<boolean> {
  const result = await tx
    .deleteFrom('cart_items')
    .where('id', '=', itemId)
    .where('cart_id', '=', cartId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function setLinePrice(tx: Transaction<DB>, itemId: string, price: string): Promise<void> {
  await tx.updateTable('cart_items').set({ price }).where('id', '=', itemId).execute();
}

export async function clearCart(tx: Transaction<DB>, cartId: string): Promise<void> {
  await tx.deleteFrom('cart_items').where('cart_id', '=', cartId).execute();
}

/** The denormalised totals of spec §10.3, written with every change of the lines. */
export async function setCartTotals(
  tx: Transaction<DB>,
  cartId: string,
  totals: { itemCount: number; subtotal: string },
): Promise<void> {
  await tx
    .updateTable('carts')
    .set({ item_count: totals.itemCount, subtotal: totals.subtotal, tax_total: '0', total: totals.subtotal })
    .where('id', '=', cartId)
    .execute();
}
