SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

DROP MATERIALIZED VIEW user_statistics;
DROP MATERIALIZED VIEW trending_tracks;
