// What the education domain may know of the marketplace (issue 17 §1-2, ADR 0081): whether a product is a seller's
// own, to sell a course through it, and whether someone holds a paid order line of it, to enrol in that course.
// Education never reads products, orders or order_items itself (GUIDE, domain isolation).
import type { Database } from '../../platform/db/pool.ts';
import { PAID_STATUSES } from './reviews.repository.ts';

export interface CourseProduct {
  id: string;
  seller_id: string;
  name: string;
  price: string;
  currency: string;
  /** On sale now: active and not deleted. */
  on_sale: boolean;
}

export interface CourseAccess {
  /** A live (not deleted) product, or undefined. */
  product(productId: string): Promise<CourseProduct | undefined>;
  /** The id of a paid (not refunded, not cancelled) order of `userId` with a line of this product, if any. */
  paidOrderOf(userId: string, productId: string): Promise<string | undefined>;
}

export function createCourseAccess(db: Database): CourseAccess {
  return {
    async product(productId) {
      const row = await db
        .selectFrom('products')
        .select(['id', 'seller_id', 'name', 'price', 'currency', 'status'])
        .where('id', '=', productId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      const { status, ...rest } = row;
      return { ...rest, on_sale: status === 'active' };
    },
    async paidOrderOf(userId, productId) {
      const row = await db
        .selectFrom('order_items as i')
        .innerJoin('orders as o', 'o.id', 'i.order_id')
        .select('o.id')
        .where('i.product_id', '=', productId)
        .where('o.user_id', '=', userId)
        .where('o.status', 'in', [...PAID_STATUSES])
        .orderBy('o.paid_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.id;
    },
  };
}
