SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §3.2: enumerated types.
CREATE TYPE user_role AS ENUM ('user', 'creator', 'premium', 'moderator', 'admin');
CREATE TYPE visibility AS ENUM ('public', 'unlisted', 'private');
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'processing', 'completed', 'cancelled', 'refunded');
CREATE TYPE message_type AS ENUM ('text', 'image', 'audio', 'video', 'file');
CREATE TYPE notification_type AS ENUM ('follow', 'like', 'comment', 'message', 'mention', 'system');

COMMENT ON TYPE user_role IS 'Platform-wide role of an account (spec §3.2)';
COMMENT ON TYPE visibility IS 'Who may see a track, playlist, post or profile (spec §3.2)';
COMMENT ON TYPE order_status IS 'Lifecycle of a marketplace order (spec §3.2)';
COMMENT ON TYPE message_type IS 'Kind of content carried by a chat or direct message (spec §3.2)';
COMMENT ON TYPE notification_type IS 'Reason a notification was sent (spec §3.2)';

-- spec §3.3 names these "money" and "point", which are built-in types: an unqualified "money"
-- would keep resolving to pg_catalog.money. ADR 0001 renames them.
CREATE TYPE monetary_amount AS (
    amount DECIMAL(10,2),
    currency CHAR(3)
);
CREATE TYPE geo_coordinates AS (
    latitude DECIMAL(10,8),
    longitude DECIMAL(11,8)
);
COMMENT ON TYPE monetary_amount IS 'Amount with its ISO 4217 currency (spec §3.3 "money", renamed: ADR 0001)';
COMMENT ON TYPE geo_coordinates IS 'WGS84 latitude/longitude (spec §3.3 "point", renamed: ADR 0001)';

-- spec §22.1
CREATE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION update_updated_at_column() IS 'BEFORE UPDATE trigger keeping updated_at current (spec §22.1)';

-- spec §21: creates the partition holding the current period, the next `premake` ones and the
-- default partition of a range-partitioned table, named <table>_YYYY_MM (month) or <table>_YYYY_MM_DD (day).
-- Periods are computed in UTC so that every server makes the same partitions. Idempotent.
CREATE FUNCTION ensure_range_partitions(parent regclass, period text, premake integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    step interval;
    name_format text;
    period_start timestamp;
    partition_name text;
    created integer := 0;
BEGIN
    IF period = 'month' THEN
        step := INTERVAL '1 month';
        name_format := 'YYYY_MM';
    ELSIF period = 'day' THEN
        step := INTERVAL '1 day';
        name_format := 'YYYY_MM_DD';
    ELSE
        RAISE EXCEPTION 'period must be month or day, got %', period;
    END IF;
    IF premake < 0 THEN
        RAISE EXCEPTION 'premake must be >= 0, got %', premake;
    END IF;

    period_start := date_trunc(period, NOW() AT TIME ZONE 'UTC');
    FOR i IN 0..premake LOOP
        partition_name := format('%s_%s', parent::text, to_char(period_start, name_format));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                partition_name, parent,
                to_char(period_start, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                to_char(period_start + step, 'YYYY-MM-DD HH24:MI:SS') || '+00');
            created := created + 1;
        END IF;
        period_start := period_start + step;
    END LOOP;

    partition_name := parent::text || '_default';
    IF to_regclass(partition_name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %s DEFAULT', partition_name, parent);
        created := created + 1;
    END IF;
    RETURN created;
END;
$$;
COMMENT ON FUNCTION ensure_range_partitions(regclass, text, integer) IS
    'Creates the current and next N range partitions (UTC periods) plus the default partition; returns how many it created (spec §21)';
