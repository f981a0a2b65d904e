SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';

-- Issue 6 (docs/benchmarks.md, "Fixes"): a creator's newest public tracks. idx_tracks_creator_id (spec §20.2)
-- finds every track of the creator, scattered over the table by release date, and sorts them: a prolific creator
-- costs hundreds of page visits for a page of 20. With the order in the index the page reads 20 rows and stops.
-- Visibility is a key column, not a predicate, for the reason of ADR 0027. A new non-unique index needs no RFC;
-- built without CONCURRENTLY like 0022 (500k tracks at the one-year volume: seconds).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_tracks_creator_id_visibility_published_at
    ON tracks (creator_id, visibility, published_at DESC, id DESC)
    WHERE published_at IS NOT NULL AND deleted_at IS NULL;
