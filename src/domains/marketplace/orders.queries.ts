// The statements of the marketplace's hot paths (spec §10): unexecuted Kysely queries, run by callers and compiled
// as they are by the benchmark (bench/).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** A category's products on sale, newest first (idx_products_category_status). */
export function productsByCategory(db: Executor, category: string, limit: number) {
  return db
    .selectFrom('products')
    .select([
      'id',
      'seller_id',
      'name',
      'slug',
      'category',
      'price',
      'currency',
      'pricing_model',
      'thumbnail_url',
      'genre',
      'bpm',
      'sale_count',
      'average_rating',
      'published_at',
    ])
    .where('category', '=', category)
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(pageSize(limit));
}

/** A buyer's orders, newest first (idx_orders_user_id_created_at). */
export function ordersOfUser(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('orders')
    .select(['id', 'order_number', 'total', 'currency', 'status', 'paid_at', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(pageSize(limit));
}

/**
 * Places a pending order for one product on sale, in one statement: the order and its line are written together
 * or not at all, priced from the product row as it is now. Returns nothing when the product is not on sale.
 * The order number is random, so two buyers never collide (uq_orders_order_number).
 */
export function placeSingleProductOrder(db: Executor, buyerId: string, productId: string) {
  return db
    .with('product', (q) =>
      q
        .selectFrom('products')
        .select(['id', 'seller_id', 'name', 'price', 'currency'])
        .where('id', '=', productId)
        .where('status', '=', 'active')
        .where('deleted_at', 'is', null),
    )
    .with('buyer', (q) => q.selectFrom('users').select(['id', 'email']).where('id', '=', buyerId))
    .with('new_order', (q) =>
      q
        .insertInto('orders')
        .columns(['user_id', 'order_number', 'subtotal', 'tax_total', 'total', 'currency', 'billing_email'])
        .expression((eb) =>
          eb
            .selectFrom(['product', 'buyer'])
            .select([
              'buyer.id',
              sql<string>`'VZ-' || replace(gen_random_uuid()::text, '-', '')`.as('order_number'),
              'product.price as subtotal',
              sql<number>`0`.as('tax_total'),
              'product.price as total',
              'product.currency',
              'buyer.email',
            ]),
        )
        .returning(['id', 'order_number']),
    )
    .insertInto('order_items')
    .columns(['order_id', 'product_id', 'product_name', 'seller_id', 'price'])
    .expression((eb) =>
      eb
        .selectFrom(['new_order', 'product'])
        .select(['new_order.id', 'product.id as product_id', 'product.name', 'product.seller_id', 'product.price']),
    )
    .returning(['order_id', 'price']);
}
