SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

-- spec §23.1, corrected (ADR 0014). One row per public, non-deleted track, whether or not it was played in the
-- last 7 days: plays are aggregated per track before the join, so a track without plays has 0 plays and
-- 0 listeners (the spec's COUNT(*) over its LEFT JOIN gave it 1 play), and its score is computed with no
-- completion term (the spec's AVG over no rows made the whole score NULL, which sorts first under DESC).
-- No ORDER BY or LIMIT: a materialized view's order is not kept, and the top of the list is read with
-- `ORDER BY trending_score DESC, id LIMIT 100` through idx_trending_tracks_trending_score.
-- Listeners are distinct signed-in users; anonymised plays (user_id NULL) count as plays, not as listeners.
-- Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY (every hour in the spec), which needs the unique index.
CREATE MATERIALIZED VIEW trending_tracks AS
SELECT
    t.id,
    t.title,
    t.artist,
    t.creator_id,
    t.cover_art_file_id,
    COALESCE(p.unique_listeners_7d, 0) AS unique_listeners_7d,
    COALESCE(p.play_count_7d, 0) AS play_count_7d,
    p.avg_completion,
    t.like_count,
    COALESCE(p.unique_listeners_7d, 0) * 0.4
        + COALESCE(p.play_count_7d, 0) * 0.3
        + COALESCE(p.avg_completion, 0) * 0.2
        + t.like_count * 0.1 AS trending_score
FROM tracks t
LEFT JOIN (
    SELECT ph.track_id,
           count(DISTINCT ph.user_id) AS unique_listeners_7d,
           count(*) AS play_count_7d,
           avg(ph.completion_percentage) AS avg_completion
    FROM playback_history ph
    WHERE ph.played_at > NOW() - INTERVAL '7 days'
    GROUP BY ph.track_id
) p ON p.track_id = t.id
WHERE t.deleted_at IS NULL
  AND t.visibility = 'public'
WITH DATA;
-- REFRESH ... CONCURRENTLY matches old and new rows on a unique index without WHERE clause. The view was
-- created by this transaction and nobody can write to it: CONCURRENTLY is neither needed nor allowed here.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_trending_tracks_id_unique ON trending_tracks(id);
-- spec §23.1
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_trending_tracks_trending_score ON trending_tracks(trending_score DESC);
COMMENT ON MATERIALIZED VIEW trending_tracks IS
    'Public, non-deleted tracks with their plays of the last 7 days and trending score (spec §23.1, corrected: ADR 0014); refreshed concurrently';
COMMENT ON COLUMN trending_tracks.unique_listeners_7d IS 'Distinct signed-in listeners in the 7 days before the refresh; 0 without plays';
COMMENT ON COLUMN trending_tracks.play_count_7d IS 'Plays in the 7 days before the refresh; 0 without plays';
COMMENT ON COLUMN trending_tracks.avg_completion IS 'Mean completion_percentage of those plays; NULL without plays';
COMMENT ON COLUMN trending_tracks.like_count IS 'tracks.like_count at the refresh';
COMMENT ON COLUMN trending_tracks.trending_score IS
    'unique_listeners_7d * 0.4 + play_count_7d * 0.3 + avg_completion * 0.2 + like_count * 0.1, a missing average counting 0; never NULL';

-- spec §23.2, corrected (ADR 0014). Each figure is aggregated in its own subquery and joined one row per user:
-- the spec joins tracks, playlists and both sides of follows in one GROUP BY, so every track row is repeated
-- once per playlist x follower x followed account, which COUNT(DISTINCT) hides and SUM(t.play_count) does not.
-- Tracks and playlists count as in user_profiles (ADR 0012): public and not soft-deleted; so do the sums of
-- plays and likes, which would otherwise publish figures of private tracks. Follows count as follows rows.
-- Sums are 0, not NULL, for a user without tracks; last_track_uploaded is NULL then.
CREATE MATERIALIZED VIEW user_statistics AS
SELECT
    u.id AS user_id,
    u.username,
    COALESCE(t.track_count, 0) AS track_count,
    COALESCE(p.playlist_count, 0) AS playlist_count,
    COALESCE(f1.follower_count, 0) AS follower_count,
    COALESCE(f2.following_count, 0) AS following_count,
    COALESCE(t.total_plays, 0) AS total_plays,
    COALESCE(t.total_likes, 0) AS total_likes,
    t.last_track_uploaded
FROM users u
LEFT JOIN (
    SELECT creator_id,
           count(*) AS track_count,
           sum(play_count) AS total_plays,
           sum(like_count) AS total_likes,
           max(created_at) AS last_track_uploaded
    FROM tracks
    WHERE deleted_at IS NULL AND visibility = 'public'
    GROUP BY creator_id
) t ON t.creator_id = u.id
LEFT JOIN (
    SELECT user_id, count(*) AS playlist_count
    FROM playlists
    WHERE deleted_at IS NULL AND visibility = 'public'
    GROUP BY user_id
) p ON p.user_id = u.id
LEFT JOIN (SELECT following_id, count(*) AS follower_count FROM follows GROUP BY following_id) f1
    ON f1.following_id = u.id
LEFT JOIN (SELECT follower_id, count(*) AS following_count FROM follows GROUP BY follower_id) f2
    ON f2.follower_id = u.id
WHERE u.deleted_at IS NULL
WITH DATA;
-- For REFRESH ... CONCURRENTLY; a view created by this transaction (see above).
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_user_statistics_user_id_unique ON user_statistics(user_id);
COMMENT ON MATERIALIZED VIEW user_statistics IS
    'Per-user totals of public, non-deleted tracks and playlists and of follows, for accounts not deleted (spec §23.2, corrected: ADR 0014); refreshed concurrently';
COMMENT ON COLUMN user_statistics.track_count IS 'Public, non-deleted tracks of the user';
COMMENT ON COLUMN user_statistics.playlist_count IS 'Public, non-deleted playlists of the user';
COMMENT ON COLUMN user_statistics.follower_count IS 'follows rows whose following_id is the user';
COMMENT ON COLUMN user_statistics.following_count IS 'follows rows whose follower_id is the user';
COMMENT ON COLUMN user_statistics.total_plays IS 'Sum of tracks.play_count over the counted tracks; 0 without tracks';
COMMENT ON COLUMN user_statistics.total_likes IS 'Sum of tracks.like_count over the counted tracks; 0 without tracks';
COMMENT ON COLUMN user_statistics.last_track_uploaded IS 'Latest created_at of the counted tracks; NULL without tracks';
