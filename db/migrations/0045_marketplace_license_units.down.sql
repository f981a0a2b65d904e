SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
ALTER TABLE product_licenses DROP CONSTRAINT IF EXISTS chk_product_licenses_price_positive;
ALTER TABLE product_licenses DROP CONSTRAINT IF EXISTS chk_product_licenses_distribution_limit_positive;
ALTER TABLE product_licenses DROP CONSTRAINT IF EXISTS chk_product_licenses_units_within_limit;
ALTER TABLE product_licenses DROP COLUMN IF EXISTS withdrawn_at;
ALTER TABLE product_licenses DROP COLUMN IF EXISTS units_reserved;
ALTER TABLE product_licenses DROP COLUMN IF EXISTS units_sold;
