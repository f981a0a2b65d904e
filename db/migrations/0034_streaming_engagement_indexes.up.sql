SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0034-engagement-indexes.md

-- Issue 13 §3, ADR 0053: three pages of likes and comments sorted the whole group they filter on, because the
-- spec's indexes cover the filter but not the order (EXPLAIN on 102k likes and 480k comments: a listener's 2,000
-- likes read and joined to tracks for a page of 20, 12 ms; a thread of 20,000 replies read for a page, 48 ms; the
-- 40,000 pinned comments of a track read for 200 markers, 94 ms). Each index below serves its page in order, so
-- a page reads its rows and stops. New non-unique indexes: allowed without an RFC (spec, "AVERTISSEMENT").
-- The spec's indexes they extend (idx_track_likes_user_id, idx_track_comments_parent_comment_id,
-- idx_track_comments_timestamp_seconds) stay: dropping one is a change that needs an RFC, and they are small.
-- Index predicates are constants only: a prepared statement's generic plan cannot prove that a bound parameter
-- matches one (ADR 0027). Built without CONCURRENTLY, like 0022: node-pg-migrate runs each migration in a
-- transaction; at the one-year volume each takes seconds and blocks writes to its table meanwhile.

-- GET /v1/me/likes: a listener's likes, newest first.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_track_likes_user_id_created_at ON track_likes (user_id, created_at DESC, id DESC);

-- GET /v1/comments/{id}/replies: a thread's replies, oldest first; also counts a comment's replies.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_track_comments_parent_comment_id_created_at
    ON track_comments (parent_comment_id, created_at, id)
    WHERE parent_comment_id IS NOT NULL;

-- GET /v1/tracks/{id}/comments/markers: the live pinned comments of a time range, by moment then id.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_track_comments_track_id_timestamp_seconds_live
    ON track_comments (track_id, timestamp_seconds, id)
    WHERE timestamp_seconds IS NOT NULL AND deleted_at IS NULL AND NOT is_deleted;
