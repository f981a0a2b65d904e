SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP FUNCTION ensure_range_partitions(regclass, text, integer);
DROP FUNCTION update_updated_at_column();
DROP TYPE geo_coordinates;
DROP TYPE monetary_amount;
DROP TYPE notification_type;
DROP TYPE message_type;
DROP TYPE order_status;
DROP TYPE visibility;
DROP TYPE user_role;
