// The SQL of product reviews (spec §10.7, issue 16 §9). Rows in, rows out. review_count and average_rating follow
// by the trigger of migration 0016, in the writing transaction, with the product row locked: exact under concurrency.
import { sql } from 'kysely';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export interface ReviewRow {
  id: string;
  product_id: string;
  user_id: string;
  order_item_id: string;
  rating: number;
  title: string | null;
  content: string | null;
  is_verified_purchase: boolean;
  seller_response: string | null;
  seller_responded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const REVIEW_COLUMNS = [
  'id',
  'product_id',
  'user_id',
  'order_item_id',
  'rating',
  'title',
  'content',
  'is_verified_purchase',
  'seller_response',
  'seller_responded_at',
  'created_at',
  'updated_at',
] as const;

/** Orders whose lines were paid for and not refunded or cancelled (spec §3.2 order_status). */
export const PAID_STATUSES = ['paid', 'processing', 'completed'] as const;

export function createReviewsRepository(pool: Pool) {
  const { db } = pool;
  return {
    /** The caller's paid order line of this product named `orderItemId`, if it is one. */
    async paidLine(userId: string, productId: string, orderItemId: string): Promise<boolean> {
      const row = await db
        .selectFrom('order_items as i')
        .innerJoin('orders as o', 'o.id', 'i.order_id')
        .select('i.id')
        .where('i.id', '=', orderItemId)
        .where('i.product_id', '=', productId)
        .where('o.user_id', '=', userId)
        .where('o.status', 'in', [...PAID_STATUSES])
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Inserts the review; undefined when this order line has one already (uq_product_reviews_order_item). */
    async insert(review: {
      product_id: string;
      user_id: string;
      order_item_id: string;
      rating: number;
      title: string | null;
      content: string;
    }): Promise<ReviewRow | undefined> {
      return await db
        .insertInto('product_reviews')
        .values({ ...review, is_verified_purchase: true })
        .onConflict((oc) => oc.column('order_item_id').doNothing())
        .returning(REVIEW_COLUMNS)
        .executeTakeFirst();
    },

    async find(productId: string, reviewId: string): Promise<ReviewRow | undefined> {
      return await db
        .selectFrom('product_reviews')
        .select(REVIEW_COLUMNS)
        .where('id', '=', reviewId)
        .where('product_id', '=', productId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /** The seller's answer, once: undefined when the review was answered already (or is gone). */
    async respond(reviewId: string, response: string): Promise<ReviewRow | undefined> {
      return await db
        .updateTable('product_reviews')
        .set({ seller_response: response, seller_responded_at: sql<Date>`now()` })
        .where('id', '=', reviewId)
        .where('seller_response', 'is', null)
        .where('deleted_at', 'is', null)
        .returning(REVIEW_COLUMNS)
        .executeTakeFirst();
    },

    /** The author withdraws their review (soft delete; the trigger recounts the product's figures). */
    async softDelete(reviewId: string): Promise<void> {
      await db.updateTable('product_reviews').set({ deleted_at: new Date() }).where('id', '=', reviewId).execute();
    },

    /** A product's live reviews, newest first (idx_product_reviews_product_id_created_at). */
    async ofProduct(productId: string, limit: number, after?: Position) {
      let query = db
        .selectFrom('product_reviews')
        .select(REVIEW_COLUMNS)
        .select(positionStamp('created_at').as(POSITION_STAMP))
        .where('product_id', '=', productId)
        .where('deleted_at', 'is', null);
      if (after) query = query.where(beforePosition(after));
      return (await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as (ReviewRow & { [POSITION_STAMP]: string })[];
    },
  };
}

export type ReviewsRepository = ReturnType<typeof createReviewsRepository>;
