// What the education domain may know of the marketplace (issue 17 §1-2, ADR 0081): whether a product is a seller's
// own, to sell a course through it, and whether someone holds a paid order line of it, to enrol in that course; and
// the one thing a refund does to education (ADR 0090). Education never reads products, orders or order_items itself,
// and the marketplace never writes education's tables: it calls education's index.ts (GUIDE, domain isolation).
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import { cancelEnrolmentsOfOrder } from '../education/index.ts';
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
  /**
   * The id of a paid (not refunded, not cancelled) order of `userId` with a line of this product, if any. In `tx`,
   * the order row is share-locked (FOR KEY SHARE) until it commits: a refund of it waits, and one under way is
   * waited for and then seen.
   */
  paidOrderOf(userId: string, productId: string, tx?: Transaction<DB>): Promise<string | undefined>;
}

/**
 * A refund takes back the course access the order paid for (ADR 0090): its enrolments are cancelled and their
 * certificates revoked. Called in the refund's transaction (checkout.service.ts `applyRefund`, the one place an
 * order becomes refunded), with the order row locked.
 */
export async function revokeCourseAccess(tx: Transaction<DB>, orderId: string, at: Date): Promise<void> {
  await cancelEnrolmentsOfOrder(tx, orderId, at, 'The order that paid for the course was refunded');
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
    async paidOrderOf(userId, productId, tx) {
      const query = (tx ?? db)
        .selectFrom('order_items as i')
        .innerJoin('orders as o', 'o.id', 'i.order_id')
        .select('o.id')
        .where('i.product_id', '=', productId)
        .where('o.user_id', '=', userId)
        .where('o.status', 'in', [...PAID_STATUSES])
        .orderBy('o.paid_at', 'desc')
        .limit(1);
      const row = await (tx ? query.forKeyShare('o') : query).executeTakeFirst();
      return row?.id;
    },
  };
}
