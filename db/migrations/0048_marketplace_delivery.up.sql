SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0048-marketplace-delivery.md

-- Issue 16 §8, ADR 0075: what a paid line licenses, copied from the licence row when the order is paid, in the
-- transaction that issues its key. Sellers may rename a licence or change its usage rights later (ADR 0069); the
-- certificate and the public verification must keep saying what was sold. license_terms (checkout) is the text.
ALTER TABLE order_items
    ADD COLUMN license_name VARCHAR(255),
    ADD COLUMN license_usage_rights JSONB;
COMMENT ON COLUMN order_items.license_name IS 'Snapshot of the licence name, taken when the order was paid (ADR 0075)';
COMMENT ON COLUMN order_items.license_usage_rights IS 'Snapshot of the licence usage_rights, taken when the order was paid (ADR 0075)';

-- Issue 16 §8, ADR 0075: a licence key names one order line; the public verification looks it up by equality.
-- Not CONCURRENTLY: the ALTER above holds ACCESS EXCLUSIVE on order_items until commit anyway, and the partial
-- index covers keyed (paid) lines only: at most 150,000 at the one-year volume (spec §1.3: 50,000 users x 2 orders x
-- 1.5 lines), a build of well under a second (RFC 0048).
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX uq_order_items_license_key ON order_items(license_key) WHERE license_key IS NOT NULL;
COMMENT ON COLUMN order_items.license_key IS 'Licence key, issued when the order is paid: 150 random bits, stored in clear (ADR 0075)';
