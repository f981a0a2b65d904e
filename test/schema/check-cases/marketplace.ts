import type { CheckCase } from './check-case.ts';

export const marketplaceCheckCases: CheckCase[] = [
  { table: 'products', constraint: 'chk_products_price_positive', bad: { price: '-0.01' } },
  { table: 'products', constraint: 'chk_products_rating_range', bad: { average_rating: '5.01' } },
  { table: 'products', constraint: 'chk_products_rating_range', bad: { average_rating: '-1' } },
  { table: 'products', constraint: 'chk_products_category_valid', bad: { category: 'nft' } },
  { table: 'products', constraint: 'chk_products_pricing_model_valid', bad: { pricing_model: 'auction' } },
  { table: 'products', constraint: 'chk_products_status_valid', bad: { status: 'archived' } },
  { table: 'orders', constraint: 'chk_orders_total_positive', bad: { total: '-1.00' } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_rating', bad: { rating: 0 } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_rating', bad: { rating: 6 } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_content_length', bad: { content: 'Nice.' } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_content_length', bad: { content: 'x'.repeat(2001) } },
  { table: 'seller_payouts', constraint: 'chk_seller_payouts_amount_positive', bad: { amount: '0' } },
  { table: 'seller_payouts', constraint: 'chk_seller_payouts_status_valid', bad: { status: 'cancelled' } },
  { table: 'discount_codes', constraint: 'chk_discount_codes_value_positive', bad: { discount_value: '0' } },
  {
    table: 'discount_codes',
    constraint: 'chk_discount_codes_validity',
    bad: { valid_from: new Date('2025-02-01T00:00:00Z'), valid_until: new Date('2025-01-01T00:00:00Z') },
  },
  { table: 'discount_codes', constraint: 'chk_discount_codes_discount_type_valid', bad: { discount_type: 'bogo' } },
  // codes differing only by case pass UNIQUE (code) but not the unique index on UPPER(code)
  {
    table: 'discount_codes',
    constraint: 'idx_discount_codes_code',
    first: { code: 'SPRING25' },
    bad: { code: 'spring25' },
  },
  { table: 'transactions', constraint: 'chk_transactions_transaction_type_valid', bad: { transaction_type: 'tip' } },
  { table: 'transactions', constraint: 'chk_transactions_status_valid', bad: { status: 'refunded' } },
];
