import type { CheckCase } from './check-case.ts';

export const marketplaceCheckCases: CheckCase[] = [
  { table: 'products', constraint: 'chk_products_price_positive', bad: { price: '-0.01' } },
  { table: 'products', constraint: 'chk_products_rating_range', bad: { average_rating: '5.01' } },
  { table: 'products', constraint: 'chk_products_rating_range', bad: { average_rating: '-1' } },
  { table: 'products', constraint: 'chk_products_category_valid', bad: { category: 'nft' } },
  { table: 'products', constraint: 'chk_products_pricing_model_valid', bad: { pricing_model: 'auction' } },
  { table: 'products', constraint: 'chk_products_status_valid', bad: { status: 'archived' } },
  { table: 'orders', constraint: 'chk_orders_total_positive', bad: { total: '-1.00' } },
  // Migration 0045 (ADR 0069): licence units.
  { table: 'product_licenses', constraint: 'chk_product_licenses_units_within_limit', bad: { units_sold: -1 } },
  {
    table: 'product_licenses',
    constraint: 'chk_product_licenses_units_within_limit',
    bad: { is_exclusive: true, units_sold: 1, units_reserved: 1 },
  },
  {
    table: 'product_licenses',
    constraint: 'chk_product_licenses_units_within_limit',
    bad: { distribution_limit: 2, units_sold: 3 },
  },
  {
    table: 'product_licenses',
    constraint: 'chk_product_licenses_distribution_limit_positive',
    bad: { distribution_limit: 0 },
  },
  { table: 'product_licenses', constraint: 'chk_product_licenses_price_positive', bad: { price: '-0.01' } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_rating', bad: { rating: 0 } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_rating', bad: { rating: 6 } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_content_length', bad: { content: 'Nice.' } },
  { table: 'product_reviews', constraint: 'chk_product_reviews_content_length', bad: { content: 'x'.repeat(2001) } },
  { table: 'seller_payouts', constraint: 'chk_seller_payouts_amount_positive', bad: { amount: '0' } },
  { table: 'seller_payouts', constraint: 'chk_seller_payouts_status_valid', bad: { status: 'cancelled' } },
  {
    table: 'seller_payout_accounts',
    constraint: 'chk_seller_payout_accounts_provider_valid',
    bad: { provider: 'paypal' },
  },
  {
    table: 'seller_payout_accounts',
    constraint: 'chk_seller_payout_accounts_account_id_format',
    bad: { account_id: 'ba_1234567890' },
  },
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
  // Migration 0048 (ADR 0075): a licence key names one order line.
  {
    table: 'order_items',
    constraint: 'uq_order_items_license_key',
    first: { license_key: 'VZL-00000-00000-00000-00000-00000-00001' },
    bad: { license_key: 'VZL-00000-00000-00000-00000-00000-00001' },
  },
  // Migration 0047 (ADRs 0072-0074).
  { table: 'transactions', constraint: 'chk_transactions_amount_not_negative', bad: { amount: '-0.01' } },
  {
    table: 'discount_codes',
    constraint: 'chk_discount_codes_percentage_max',
    bad: { discount_type: 'percentage', discount_value: '100.01' },
  },
  {
    table: 'discount_codes',
    constraint: 'chk_discount_codes_usage_within_limit',
    bad: { usage_limit: 1, usage_count: 2 },
  },
  { table: 'payment_webhook_events', constraint: 'chk_payment_webhook_events_outcome_valid', bad: { outcome: 'done' } },
  {
    table: 'payment_webhook_events',
    constraint: 'chk_payment_webhook_events_event_type_format',
    bad: { event_type: 'Payment Succeeded' },
  },
];
