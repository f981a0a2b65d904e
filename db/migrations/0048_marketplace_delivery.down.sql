SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

COMMENT ON COLUMN order_items.license_key IS 'Generated license key';
DROP INDEX uq_order_items_license_key;
ALTER TABLE order_items
    DROP COLUMN license_usage_rights,
    DROP COLUMN license_name;
