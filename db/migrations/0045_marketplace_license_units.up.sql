SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0045-license-units.md

-- Issue 16 §2, ADR 0069: a licence holds its own sale state, so "no oversell" is one conditional UPDATE of one row.
-- units_reserved counts the units held by unpaid orders (released when they expire or fail), units_sold the units
-- of paid orders; withdrawn_at is set on every other licence when an exclusive licence is sold. The CHECK is the
-- last line of defence under the conditional UPDATE: an exclusive licence is one unit whatever its
-- distribution_limit says. Constant defaults are catalog-only (no rewrite); the CHECKs scan product_licenses once
-- under the ALTER's lock (RFC 0045).
ALTER TABLE product_licenses
    ADD COLUMN units_sold INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN units_reserved INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN withdrawn_at TIMESTAMPTZ;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE product_licenses ADD CONSTRAINT chk_product_licenses_units_within_limit
    CHECK (units_sold >= 0 AND units_reserved >= 0
           AND units_sold + units_reserved <= CASE WHEN is_exclusive THEN 1 ELSE COALESCE(distribution_limit, 2147483647) END);
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE product_licenses ADD CONSTRAINT chk_product_licenses_distribution_limit_positive
    CHECK (distribution_limit IS NULL OR distribution_limit > 0);
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE product_licenses ADD CONSTRAINT chk_product_licenses_price_positive CHECK (price >= 0);
COMMENT ON COLUMN product_licenses.units_sold IS 'Units of paid orders (ADR 0069)';
COMMENT ON COLUMN product_licenses.units_reserved IS 'Units held by unpaid orders; released when the order expires, fails or is cancelled (ADR 0069)';
COMMENT ON COLUMN product_licenses.withdrawn_at IS 'Set when an exclusive licence of the same product was sold: no longer on sale (ADR 0069)';

-- No catalogue index: on 200,000 products (70% on sale) EXPLAIN showed the planner keeps the spec's
-- idx_products_published_at_desc with an incremental sort on id for the catalogue page, with or without a category
-- (0.1-0.4 ms), and left two partial (published_at, id) indexes unused (ADR 0068).
