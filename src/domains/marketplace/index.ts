// The marketplace domain (spec §10 Marketplace). Other domains import from this file only.
export { marketplaceModule } from './marketplace.module.ts';
export { checkBooks, splitOrder, type BooksReport } from './ledger.ts';
// The ledger's arithmetic, reused by the seed so seeded books balance by construction (src/seed/domains/marketplace.ts).
export { allocate } from './money.ts';
export { LICENSE_KEY_PATTERN } from './delivery.service.ts';
export { marketExpireUnpaidOrders, marketPayouts } from './marketplace.jobs.ts';
export { createCourseAccess, type CourseAccess, type CourseProduct } from './course-access.ts';

/** Tables this domain owns: only its repositories read or write them (migration 0008). */
export const marketplaceTables = [
  'products',
  'product_licenses',
  'carts',
  'cart_items',
  'orders',
  'order_items',
  'product_reviews',
  'product_favorites',
  'seller_payouts',
  'seller_payout_accounts',
  'discount_codes',
  'discount_code_usage',
  'transactions',
  'payment_webhook_events',
] as const;
export { productModeration } from './product-moderation.ts';
