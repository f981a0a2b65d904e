SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';

-- Issue 6 (docs/benchmarks.md, "Fixes"): three list pages sorted the whole group they filter on, because the
-- spec's indexes cover the filter but not the order. Each index below serves the page in order, so a page reads
-- its 20 rows and stops. New non-unique indexes: allowed without an RFC (spec, "AVERTISSEMENT").
-- The status-like values (visibility, status) are key columns, not index predicates: the service binds them as
-- parameters, and a prepared statement's generic plan cannot prove a parameter matches a predicate.
-- Built without CONCURRENTLY: node-pg-migrate runs each migration in a transaction. At the one-year volume these
-- take a few seconds each (500k tracks, 2M follows, 50k products) and block writes to their table meanwhile.

-- A genre's newest public tracks (bench workload streaming.tracks_by_genre).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_tracks_genre_visibility_published_at
    ON tracks (genre, visibility, published_at DESC, id DESC)
    WHERE published_at IS NOT NULL AND deleted_at IS NULL;

-- A user's newest followers (social.followers).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_follows_following_id_created_at ON follows (following_id, created_at DESC, id DESC);

-- A category's newest products on sale (marketplace.products_by_category).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_products_category_status_published_at
    ON products (category, status, published_at DESC, id DESC)
    WHERE deleted_at IS NULL;
