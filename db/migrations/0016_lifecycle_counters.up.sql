SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

-- spec §22.2: every denormalised counter of the schema is kept exact by triggers in the transaction that changes
-- the counted rows. ADR 0012 says which rows count (soft deletes, visibility, statuses) and why.
--
-- How a counter moves: each change of a counted row gives at most two (parent, delta) pairs, the old parent
-- losing what the old row counted for and the new parent gaining what the new row counts for; the parent is
-- then changed by `SET n = n + delta` (or `sum = sum + amount`), which PostgreSQL evaluates on the latest row
-- version under the row lock, so concurrent changes never lose an increment. Parents are updated in id order
-- (no deadlock between two changes moving rows in opposite directions), and a decrement never goes below 0.
-- A parent row that does not exist is simply not updated: a follow never fails for a missing profile.
--
-- Where whether a row counts depends on another row (a playlist entry on its track's deleted_at, a post's
-- hashtags and group entry on the post's deleted_at, an order line on its order's status), the child's trigger
-- reads that row FOR SHARE, and the row's own trigger updates the counters of all its children: whichever of the
-- two transactions comes second sees the other's committed result (READ COMMITTED, ADR 0012). When that row is
-- hard-deleted, its BEFORE DELETE trigger uncounts its children first, and the children's triggers, no longer
-- finding it, leave the counters alone.

-- The net change of a parent's counter for one row change, as at most two (parent_id, count, amount) rows in
-- parent_id order. A row moving parents yields one negative and one positive row; a change that leaves the
-- counted state as it was yields none. Used by every counter trigger below.
CREATE FUNCTION counter_changes(
    old_parent uuid, old_count integer, old_amount numeric,
    new_parent uuid, new_count integer, new_amount numeric)
RETURNS TABLE (parent_id uuid, count_delta integer, amount_delta numeric)
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.parent_id, COALESCE(sum(c.count_delta), 0)::integer, COALESCE(sum(c.amount_delta), 0)
    FROM (VALUES (old_parent, -old_count, -old_amount), (new_parent, new_count, new_amount))
        AS c(parent_id, count_delta, amount_delta)
    WHERE c.parent_id IS NOT NULL
    GROUP BY c.parent_id
    HAVING COALESCE(sum(c.count_delta), 0) <> 0 OR COALESCE(sum(c.amount_delta), 0) <> 0
    ORDER BY c.parent_id
$$;
COMMENT ON FUNCTION counter_changes(uuid, integer, numeric, uuid, integer, numeric) IS
    'Net (parent_id, count_delta, amount_delta) of one row change for a denormalised counter, in parent_id order (spec §22.2, ADR 0012)';

-- ---------------------------------------------------------------------------------------------------------
-- user_profiles: follower_count, following_count (follows), track_count (tracks), playlist_count (playlists)
-- ---------------------------------------------------------------------------------------------------------

-- spec §22.2 (increment_follower_count/decrement_follower_count): both profiles of one follow change in one
-- trigger, in user_id order, so that A following B while B follows A cannot deadlock.
CREATE FUNCTION update_profile_follow_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT d.user_id, sum(d.followers)::integer AS followers, sum(d.followings)::integer AS followings
        FROM (VALUES (OLD.following_id, -1, 0), (OLD.follower_id, 0, -1),
                     (NEW.following_id, 1, 0), (NEW.follower_id, 0, 1)) AS d(user_id, followers, followings)
        WHERE d.user_id IS NOT NULL
        GROUP BY d.user_id
        HAVING sum(d.followers) <> 0 OR sum(d.followings) <> 0
        ORDER BY d.user_id
    LOOP
        UPDATE user_profiles
        SET follower_count = GREATEST(follower_count + change.followers, 0),
            following_count = GREATEST(following_count + change.followings, 0)
        WHERE user_id = change.user_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_profile_follow_counts() IS
    'Keeps user_profiles.follower_count and following_count equal to the follows rows (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_follows_profile_counts AFTER INSERT OR DELETE OR UPDATE OF follower_id, following_id ON follows
    FOR EACH ROW EXECUTE FUNCTION update_profile_follow_counts();

-- ADR 0012: a profile counts the public, non-deleted tracks a visitor can list on it.
CREATE FUNCTION update_profile_track_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.creator_id, (OLD.deleted_at IS NULL AND OLD.visibility = 'public')::integer, 0,
        NEW.creator_id, (NEW.deleted_at IS NULL AND NEW.visibility = 'public')::integer, 0)
    LOOP
        UPDATE user_profiles SET track_count = GREATEST(track_count + change.count_delta, 0)
        WHERE user_id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_profile_track_count() IS
    'Keeps user_profiles.track_count equal to the creator''s public, non-deleted tracks (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_tracks_profile_track_count
    AFTER INSERT OR DELETE OR UPDATE OF creator_id, deleted_at, visibility ON tracks
    FOR EACH ROW EXECUTE FUNCTION update_profile_track_count();

-- ADR 0012: same rule as tracks, public and non-deleted playlists.
CREATE FUNCTION update_profile_playlist_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.user_id, (OLD.deleted_at IS NULL AND OLD.visibility = 'public')::integer, 0,
        NEW.user_id, (NEW.deleted_at IS NULL AND NEW.visibility = 'public')::integer, 0)
    LOOP
        UPDATE user_profiles SET playlist_count = GREATEST(playlist_count + change.count_delta, 0)
        WHERE user_id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_profile_playlist_count() IS
    'Keeps user_profiles.playlist_count equal to the user''s public, non-deleted playlists (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_playlists_profile_playlist_count
    AFTER INSERT OR DELETE OR UPDATE OF user_id, deleted_at, visibility ON playlists
    FOR EACH ROW EXECUTE FUNCTION update_profile_playlist_count();

-- The counted rows reference users, not user_profiles, so they can exist before the profile: a profile is
-- created (or moved to another user) with its counters computed from the data present. The users row is locked
-- FOR UPDATE first, which waits for every open transaction that inserted a follow, track or playlist of that
-- user (their foreign key check holds FOR KEY SHARE on it); the counts, taken after the wait, include them.
CREATE FUNCTION set_profile_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM users WHERE id = NEW.user_id FOR UPDATE;
    NEW.follower_count := (SELECT count(*) FROM follows WHERE following_id = NEW.user_id);
    NEW.following_count := (SELECT count(*) FROM follows WHERE follower_id = NEW.user_id);
    NEW.track_count := (SELECT count(*) FROM tracks
        WHERE creator_id = NEW.user_id AND deleted_at IS NULL AND visibility = 'public');
    NEW.playlist_count := (SELECT count(*) FROM playlists
        WHERE user_id = NEW.user_id AND deleted_at IS NULL AND visibility = 'public');
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION set_profile_counts() IS
    'Computes the counters of a new user_profiles row from the follows, tracks and playlists already there (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_user_profiles_counts BEFORE INSERT OR UPDATE OF user_id ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION set_profile_counts();

-- ---------------------------------------------------------------------------------------------------------
-- tracks: play_count, like_count, comment_count, download_count
-- ---------------------------------------------------------------------------------------------------------

CREATE FUNCTION update_track_play_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.track_id, 1, 0, NEW.track_id, 1, 0) LOOP
        UPDATE tracks SET play_count = GREATEST(play_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_track_play_count() IS
    'Keeps tracks.play_count equal to the playback_history rows of the track (spec §22.2, ADR 0012)';
-- Row triggers on the partitioned parent apply to every partition, present and future; a row moved to another
-- partition by an UPDATE of played_at fires DELETE then INSERT, which cancel out.
CREATE TRIGGER trg_playback_history_play_count AFTER INSERT OR DELETE OR UPDATE OF track_id ON playback_history
    FOR EACH ROW EXECUTE FUNCTION update_track_play_count();

CREATE FUNCTION update_track_like_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.track_id, 1, 0, NEW.track_id, 1, 0) LOOP
        UPDATE tracks SET like_count = GREATEST(like_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_track_like_count() IS
    'Keeps tracks.like_count equal to the track_likes rows of the track (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_track_likes_like_count AFTER INSERT OR DELETE OR UPDATE OF track_id ON track_likes
    FOR EACH ROW EXECUTE FUNCTION update_track_like_count();

-- ADR 0012: a comment stops counting when soft-deleted by either of its two markers (deleted_at, is_deleted).
CREATE FUNCTION update_track_comment_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.track_id, (OLD.deleted_at IS NULL AND NOT OLD.is_deleted)::integer, 0,
        NEW.track_id, (NEW.deleted_at IS NULL AND NOT NEW.is_deleted)::integer, 0)
    LOOP
        UPDATE tracks SET comment_count = GREATEST(comment_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_track_comment_count() IS
    'Keeps tracks.comment_count equal to the track''s comments that are not soft-deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_track_comments_comment_count
    AFTER INSERT OR DELETE OR UPDATE OF track_id, deleted_at, is_deleted ON track_comments
    FOR EACH ROW EXECUTE FUNCTION update_track_comment_count();

CREATE FUNCTION update_track_download_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.track_id, 1, 0, NEW.track_id, 1, 0) LOOP
        UPDATE tracks SET download_count = GREATEST(download_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_track_download_count() IS
    'Keeps tracks.download_count equal to the track_downloads rows of the track (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_track_downloads_download_count AFTER INSERT OR DELETE OR UPDATE OF track_id ON track_downloads
    FOR EACH ROW EXECUTE FUNCTION update_track_download_count();

-- ---------------------------------------------------------------------------------------------------------
-- playlists: track_count and duration_seconds (playlist_tracks x tracks.duration), follower_count
-- ---------------------------------------------------------------------------------------------------------

-- ADR 0012: an entry counts while its track exists and is not soft-deleted, for its track's duration. The track
-- rows are read FOR SHARE (in id order), so a concurrent soft delete, restore or duration change of the track
-- waits for this transaction and then sees its entry (update_playlist_totals_for_track), or is waited for.
CREATE FUNCTION update_playlist_track_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    track record;
    old_counts boolean := false;
    old_duration integer := 0;
    new_counts boolean := false;
    new_duration integer := 0;
    change record;
BEGIN
    FOR track IN
        SELECT id, duration, deleted_at FROM tracks WHERE id IN (OLD.track_id, NEW.track_id) ORDER BY id FOR SHARE
    LOOP
        IF track.id = OLD.track_id AND track.deleted_at IS NULL THEN
            old_counts := true;
            old_duration := track.duration;
        END IF;
        IF track.id = NEW.track_id AND track.deleted_at IS NULL THEN
            new_counts := true;
            new_duration := track.duration;
        END IF;
    END LOOP;
    FOR change IN SELECT * FROM counter_changes(
        OLD.playlist_id, old_counts::integer, old_duration, NEW.playlist_id, new_counts::integer, new_duration)
    LOOP
        UPDATE playlists
        SET track_count = GREATEST(track_count + change.count_delta, 0),
            duration_seconds = GREATEST(duration_seconds + change.amount_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_playlist_track_totals() IS
    'Keeps playlists.track_count and duration_seconds equal to the playlist''s entries whose track is not deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_playlist_tracks_playlist_totals
    AFTER INSERT OR DELETE OR UPDATE OF playlist_id, track_id ON playlist_tracks
    FOR EACH ROW EXECUTE FUNCTION update_playlist_track_totals();

-- The other side: a track soft-deleted, restored, re-timed or hard-deleted changes every playlist holding it.
-- Runs AFTER UPDATE and BEFORE DELETE (while the entries still exist: the cascade removes them afterwards, and
-- their trigger, no longer finding the track, changes nothing).
CREATE FUNCTION update_playlist_totals_for_track() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_weight integer := (OLD.deleted_at IS NULL)::integer;
    new_weight integer := 0;
    entry record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        new_weight := (NEW.deleted_at IS NULL)::integer;
    END IF;
    IF new_weight <> old_weight OR (new_weight = 1 AND NEW.duration <> OLD.duration) THEN
        FOR entry IN SELECT playlist_id FROM playlist_tracks WHERE track_id = OLD.id ORDER BY playlist_id LOOP
            UPDATE playlists
            SET track_count = GREATEST(track_count + new_weight - old_weight, 0),
                duration_seconds = GREATEST(
                    duration_seconds + new_weight * COALESCE(NEW.duration, 0) - old_weight * OLD.duration, 0)
            WHERE id = entry.playlist_id;
        END LOOP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_playlist_totals_for_track() IS
    'Updates playlists.track_count and duration_seconds of every playlist holding a track that is soft-deleted, restored, re-timed or deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_tracks_playlist_totals AFTER UPDATE OF deleted_at, duration ON tracks
    FOR EACH ROW EXECUTE FUNCTION update_playlist_totals_for_track();
CREATE TRIGGER trg_tracks_playlist_totals_on_delete BEFORE DELETE ON tracks
    FOR EACH ROW EXECUTE FUNCTION update_playlist_totals_for_track();

CREATE FUNCTION update_playlist_follower_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.playlist_id, 1, 0, NEW.playlist_id, 1, 0) LOOP
        UPDATE playlists SET follower_count = GREATEST(follower_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_playlist_follower_count() IS
    'Keeps playlists.follower_count equal to the playlist_followers rows (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_playlist_followers_follower_count
    AFTER INSERT OR DELETE OR UPDATE OF playlist_id ON playlist_followers
    FOR EACH ROW EXECUTE FUNCTION update_playlist_follower_count();

-- ---------------------------------------------------------------------------------------------------------
-- rooms: member_count (room_members), message_count (messages)
-- ---------------------------------------------------------------------------------------------------------

-- ADR 0012: a banned member keeps a row (the ban) but is not a member any more.
CREATE FUNCTION update_room_member_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.room_id, (NOT OLD.is_banned)::integer, 0, NEW.room_id, (NOT NEW.is_banned)::integer, 0)
    LOOP
        UPDATE rooms SET member_count = GREATEST(member_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_room_member_count() IS
    'Keeps rooms.member_count equal to the room''s members that are not banned (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_room_members_member_count AFTER INSERT OR DELETE OR UPDATE OF room_id, is_banned ON room_members
    FOR EACH ROW EXECUTE FUNCTION update_room_member_count();

CREATE FUNCTION update_room_message_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.room_id, (OLD.deleted_at IS NULL AND NOT OLD.is_deleted)::integer, 0,
        NEW.room_id, (NEW.deleted_at IS NULL AND NOT NEW.is_deleted)::integer, 0)
    LOOP
        UPDATE rooms SET message_count = GREATEST(message_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_room_message_count() IS
    'Keeps rooms.message_count equal to the room''s messages that are not soft-deleted (spec §22.2, ADR 0012)';
-- On the partitioned parent: applies to every partition; a cross-partition UPDATE fires DELETE then INSERT.
CREATE TRIGGER trg_messages_message_count
    AFTER INSERT OR DELETE OR UPDATE OF room_id, deleted_at, is_deleted ON messages
    FOR EACH ROW EXECUTE FUNCTION update_room_message_count();

-- ---------------------------------------------------------------------------------------------------------
-- posts: like_count, comment_count, repost_count
-- ---------------------------------------------------------------------------------------------------------

CREATE FUNCTION update_post_like_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.post_id, 1, 0, NEW.post_id, 1, 0) LOOP
        UPDATE posts SET like_count = GREATEST(like_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_post_like_count() IS
    'Keeps posts.like_count equal to the post_likes rows of the post (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_post_likes_like_count AFTER INSERT OR DELETE OR UPDATE OF post_id ON post_likes
    FOR EACH ROW EXECUTE FUNCTION update_post_like_count();

CREATE FUNCTION update_post_comment_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.post_id, (OLD.deleted_at IS NULL)::integer, 0, NEW.post_id, (NEW.deleted_at IS NULL)::integer, 0)
    LOOP
        UPDATE posts SET comment_count = GREATEST(comment_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_post_comment_count() IS
    'Keeps posts.comment_count equal to the post''s comments that are not soft-deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_post_comments_comment_count AFTER INSERT OR DELETE OR UPDATE OF post_id, deleted_at ON post_comments
    FOR EACH ROW EXECUTE FUNCTION update_post_comment_count();

-- A repost is a post whose repost_of_id names the original; it counts while it is not soft-deleted.
-- Updating posts.repost_count does not touch repost_of_id or deleted_at, so this trigger does not recurse.
CREATE FUNCTION update_post_repost_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.repost_of_id, (OLD.deleted_at IS NULL)::integer, 0,
        NEW.repost_of_id, (NEW.deleted_at IS NULL)::integer, 0)
    LOOP
        UPDATE posts SET repost_count = GREATEST(repost_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_post_repost_count() IS
    'Keeps posts.repost_count equal to the non-deleted posts reposting the post (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_posts_repost_count AFTER INSERT OR DELETE OR UPDATE OF repost_of_id, deleted_at ON posts
    FOR EACH ROW EXECUTE FUNCTION update_post_repost_count();

-- ---------------------------------------------------------------------------------------------------------
-- hashtags: usage_count, last_used_at (post_hashtags); groups: member_count, post_count
-- ---------------------------------------------------------------------------------------------------------

-- ADR 0012: a tag use counts while its post is not soft-deleted; the post row is read FOR SHARE (see
-- update_playlist_track_totals). last_used_at only moves forward: it is the time of the latest counted use
-- (a use that stops counting does not move it back).
CREATE FUNCTION update_hashtag_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    post record;
    old_counts boolean := false;
    new_counts boolean := false;
    change record;
BEGIN
    FOR post IN SELECT id, deleted_at FROM posts WHERE id IN (OLD.post_id, NEW.post_id) ORDER BY id FOR SHARE LOOP
        old_counts := old_counts OR (post.id = OLD.post_id AND post.deleted_at IS NULL);
        new_counts := new_counts OR (post.id = NEW.post_id AND post.deleted_at IS NULL);
    END LOOP;
    FOR change IN SELECT * FROM counter_changes(
        OLD.hashtag_id, old_counts::integer, 0, NEW.hashtag_id, new_counts::integer, 0)
    LOOP
        UPDATE hashtags
        SET usage_count = GREATEST(usage_count + change.count_delta, 0),
            last_used_at = CASE WHEN change.count_delta > 0 THEN GREATEST(last_used_at, NEW.created_at)
                                ELSE last_used_at END
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_hashtag_usage() IS
    'Keeps hashtags.usage_count equal to the tag''s uses on non-deleted posts, and last_used_at at the latest use (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_post_hashtags_hashtag_usage AFTER INSERT OR DELETE OR UPDATE OF post_id, hashtag_id ON post_hashtags
    FOR EACH ROW EXECUTE FUNCTION update_hashtag_usage();

-- ADR 0012: only active members count; pending (awaiting approval) and banned members do not.
CREATE FUNCTION update_group_member_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(
        OLD.group_id, (OLD.status = 'active')::integer, 0, NEW.group_id, (NEW.status = 'active')::integer, 0)
    LOOP
        UPDATE groups SET member_count = GREATEST(member_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_group_member_count() IS
    'Keeps groups.member_count equal to the group''s active members (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_group_members_member_count AFTER INSERT OR DELETE OR UPDATE OF group_id, status ON group_members
    FOR EACH ROW EXECUTE FUNCTION update_group_member_count();

-- ADR 0012: a group entry counts while its post is not soft-deleted (post read FOR SHARE, as for hashtags).
CREATE FUNCTION update_group_post_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    post record;
    old_counts boolean := false;
    new_counts boolean := false;
    change record;
BEGIN
    FOR post IN SELECT id, deleted_at FROM posts WHERE id IN (OLD.post_id, NEW.post_id) ORDER BY id FOR SHARE LOOP
        old_counts := old_counts OR (post.id = OLD.post_id AND post.deleted_at IS NULL);
        new_counts := new_counts OR (post.id = NEW.post_id AND post.deleted_at IS NULL);
    END LOOP;
    FOR change IN SELECT * FROM counter_changes(
        OLD.group_id, old_counts::integer, 0, NEW.group_id, new_counts::integer, 0)
    LOOP
        UPDATE groups SET post_count = GREATEST(post_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_group_post_count() IS
    'Keeps groups.post_count equal to the group''s non-deleted posts (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_group_posts_post_count AFTER INSERT OR DELETE OR UPDATE OF group_id, post_id ON group_posts
    FOR EACH ROW EXECUTE FUNCTION update_group_post_count();

-- The other side: a post soft-deleted, restored or hard-deleted changes its tags' usage and its group's count.
-- Runs AFTER UPDATE and BEFORE DELETE (see update_playlist_totals_for_track).
CREATE FUNCTION update_usage_counts_for_post() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    delta integer := -(OLD.deleted_at IS NULL)::integer;
    tag_use record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        delta := delta + (NEW.deleted_at IS NULL)::integer;
    END IF;
    IF delta <> 0 THEN
        FOR tag_use IN
            SELECT hashtag_id, created_at FROM post_hashtags WHERE post_id = OLD.id ORDER BY hashtag_id
        LOOP
            UPDATE hashtags
            SET usage_count = GREATEST(usage_count + delta, 0),
                last_used_at = CASE WHEN delta > 0 THEN GREATEST(last_used_at, tag_use.created_at)
                                    ELSE last_used_at END
            WHERE id = tag_use.hashtag_id;
        END LOOP;
        UPDATE groups SET post_count = GREATEST(post_count + delta, 0)
        WHERE id IN (SELECT group_id FROM group_posts WHERE post_id = OLD.id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_usage_counts_for_post() IS
    'Updates hashtags.usage_count and groups.post_count when a post is soft-deleted, restored or deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_posts_usage_counts AFTER UPDATE OF deleted_at ON posts
    FOR EACH ROW EXECUTE FUNCTION update_usage_counts_for_post();
CREATE TRIGGER trg_posts_usage_counts_on_delete BEFORE DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION update_usage_counts_for_post();

-- ---------------------------------------------------------------------------------------------------------
-- products: favorite_count, review_count, average_rating, sale_count
-- ---------------------------------------------------------------------------------------------------------

CREATE FUNCTION update_product_favorite_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.product_id, 1, 0, NEW.product_id, 1, 0) LOOP
        UPDATE products SET favorite_count = GREATEST(favorite_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_product_favorite_count() IS
    'Keeps products.favorite_count equal to the product_favorites rows (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_product_favorites_favorite_count
    AFTER INSERT OR DELETE OR UPDATE OF product_id ON product_favorites
    FOR EACH ROW EXECUTE FUNCTION update_product_favorite_count();

-- An average rounded to 2 decimals cannot be maintained by increments without the sum of the ratings, which the
-- table does not keep: the product row is locked first, then both figures are recomputed from the reviews by a
-- new statement, whose snapshot (READ COMMITTED) includes every review committed by the transactions that held
-- the lock before. The last transaction to take the lock therefore sees every review (ADR 0012).
CREATE FUNCTION update_product_review_stats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target_id uuid;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.product_id = NEW.product_id AND OLD.rating = NEW.rating
       AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    FOR target_id IN
        SELECT DISTINCT p.id FROM unnest(ARRAY[OLD.product_id, NEW.product_id]) AS p(id) WHERE p.id IS NOT NULL
        ORDER BY p.id
    LOOP
        PERFORM 1 FROM products WHERE id = target_id FOR NO KEY UPDATE;
        UPDATE products
        SET (review_count, average_rating) = (
            SELECT count(*), COALESCE(round(avg(r.rating), 2), 0)
            FROM product_reviews r WHERE r.product_id = target_id AND r.deleted_at IS NULL)
        WHERE id = target_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_product_review_stats() IS
    'Keeps products.review_count and average_rating (rounded to 2 decimals, 0 without reviews) equal to the non-deleted reviews (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_product_reviews_review_stats
    AFTER INSERT OR DELETE OR UPDATE OF product_id, rating, deleted_at ON product_reviews
    FOR EACH ROW EXECUTE FUNCTION update_product_review_stats();

-- ADR 0012: an order line is a sale while its order is paid, processing or completed (not pending, cancelled
-- or refunded). The order row is read FOR SHARE, so a concurrent status change waits for this transaction and
-- then counts its line (update_sale_counts_for_order), or is waited for.
CREATE FUNCTION update_product_sale_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purchase record;
    old_counts boolean := false;
    new_counts boolean := false;
    change record;
BEGIN
    FOR purchase IN
        SELECT id, status FROM orders WHERE id IN (OLD.order_id, NEW.order_id) ORDER BY id FOR SHARE
    LOOP
        old_counts := old_counts
            OR (purchase.id = OLD.order_id AND purchase.status IN ('paid', 'processing', 'completed'));
        new_counts := new_counts
            OR (purchase.id = NEW.order_id AND purchase.status IN ('paid', 'processing', 'completed'));
    END LOOP;
    FOR change IN SELECT * FROM counter_changes(
        OLD.product_id, old_counts::integer, 0, NEW.product_id, new_counts::integer, 0)
    LOOP
        UPDATE products SET sale_count = GREATEST(sale_count + change.count_delta, 0) WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_product_sale_count() IS
    'Keeps products.sale_count equal to the product''s order lines in paid, processing or completed orders (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_order_items_sale_count AFTER INSERT OR DELETE OR UPDATE OF order_id, product_id ON order_items
    FOR EACH ROW EXECUTE FUNCTION update_product_sale_count();

-- The other side: an order entering or leaving the sold statuses, or deleted, changes the sale_count of the
-- products of its lines (in product id order). Runs AFTER UPDATE and BEFORE DELETE.
CREATE FUNCTION update_sale_counts_for_order() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    delta integer := -(OLD.status IN ('paid', 'processing', 'completed'))::integer;
    line record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        delta := delta + (NEW.status IN ('paid', 'processing', 'completed'))::integer;
    END IF;
    IF delta <> 0 THEN
        FOR line IN
            SELECT product_id, count(*)::integer AS lines FROM order_items WHERE order_id = OLD.id
            GROUP BY product_id ORDER BY product_id
        LOOP
            UPDATE products SET sale_count = GREATEST(sale_count + delta * line.lines, 0)
            WHERE id = line.product_id;
        END LOOP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_sale_counts_for_order() IS
    'Updates products.sale_count when an order enters or leaves paid/processing/completed, or is deleted (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_orders_sale_counts AFTER UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION update_sale_counts_for_order();
CREATE TRIGGER trg_orders_sale_counts_on_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION update_sale_counts_for_order();

-- ---------------------------------------------------------------------------------------------------------
-- carts: item_count, subtotal (cart_items.price), total = subtotal + tax_total
-- ---------------------------------------------------------------------------------------------------------

CREATE FUNCTION update_cart_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.cart_id, 1, OLD.price, NEW.cart_id, 1, NEW.price) LOOP
        UPDATE carts
        SET item_count = GREATEST(item_count + change.count_delta, 0),
            subtotal = GREATEST(subtotal + change.amount_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_cart_totals() IS
    'Keeps carts.item_count and subtotal equal to the count and sum of price of the cart_items rows (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_cart_items_cart_totals AFTER INSERT OR DELETE OR UPDATE OF cart_id, price ON cart_items
    FOR EACH ROW EXECUTE FUNCTION update_cart_totals();

-- tax_total is set by the application (0 until it computes taxes); total always follows.
CREATE FUNCTION set_cart_total() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.total := NEW.subtotal + NEW.tax_total;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION set_cart_total() IS 'Keeps carts.total equal to subtotal + tax_total (spec §10.3, ADR 0012)';
CREATE TRIGGER trg_carts_total BEFORE INSERT OR UPDATE ON carts
    FOR EACH ROW EXECUTE FUNCTION set_cart_total();

-- ---------------------------------------------------------------------------------------------------------
-- discount_codes: usage_count (discount_code_usage)
-- ---------------------------------------------------------------------------------------------------------

CREATE FUNCTION update_discount_code_usage_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN SELECT * FROM counter_changes(OLD.discount_code_id, 1, 0, NEW.discount_code_id, 1, 0) LOOP
        UPDATE discount_codes SET usage_count = GREATEST(usage_count + change.count_delta, 0)
        WHERE id = change.parent_id;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION update_discount_code_usage_count() IS
    'Keeps discount_codes.usage_count equal to the discount_code_usage rows (spec §22.2, ADR 0012)';
CREATE TRIGGER trg_discount_code_usage_usage_count
    AFTER INSERT OR DELETE OR UPDATE OF discount_code_id ON discount_code_usage
    FOR EACH ROW EXECUTE FUNCTION update_discount_code_usage_count();

-- ---------------------------------------------------------------------------------------------------------
-- What each counter counts, on the columns (ADR 0012)
-- ---------------------------------------------------------------------------------------------------------

COMMENT ON COLUMN user_profiles.follower_count IS 'Number of follows rows whose following_id is this user; kept by trigger (ADR 0012)';
COMMENT ON COLUMN user_profiles.following_count IS 'Number of follows rows whose follower_id is this user; kept by trigger (ADR 0012)';
COMMENT ON COLUMN user_profiles.track_count IS 'Number of the user''s public, non-deleted tracks; kept by trigger (ADR 0012)';
COMMENT ON COLUMN user_profiles.playlist_count IS 'Number of the user''s public, non-deleted playlists; kept by trigger (ADR 0012)';
COMMENT ON COLUMN tracks.play_count IS 'Number of playback_history rows of the track; kept by trigger (ADR 0012)';
COMMENT ON COLUMN tracks.like_count IS 'Number of track_likes rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN tracks.comment_count IS 'Number of comments neither deleted_at nor is_deleted; kept by trigger (ADR 0012)';
COMMENT ON COLUMN tracks.download_count IS 'Number of track_downloads rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN playlists.track_count IS 'Number of playlist_tracks rows whose track is not soft-deleted; kept by trigger (ADR 0012)';
COMMENT ON COLUMN playlists.duration_seconds IS 'Sum of tracks.duration over the same entries as track_count; kept by trigger (ADR 0012)';
COMMENT ON COLUMN playlists.follower_count IS 'Number of playlist_followers rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN rooms.member_count IS 'Number of room_members rows not banned; kept by trigger (ADR 0012)';
COMMENT ON COLUMN rooms.message_count IS 'Number of messages neither deleted_at nor is_deleted; kept by trigger (ADR 0012)';
COMMENT ON COLUMN posts.like_count IS 'Number of post_likes rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN posts.comment_count IS 'Number of non-deleted post_comments rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN posts.repost_count IS 'Number of non-deleted posts whose repost_of_id is this post; kept by trigger (ADR 0012)';
COMMENT ON COLUMN hashtags.usage_count IS 'Number of post_hashtags rows whose post is not soft-deleted; kept by trigger (ADR 0012)';
COMMENT ON COLUMN hashtags.last_used_at IS 'created_at of the latest counted post_hashtags row; never moves back (ADR 0012)';
COMMENT ON COLUMN groups.member_count IS 'Number of group_members rows with status active; kept by trigger (ADR 0012)';
COMMENT ON COLUMN groups.post_count IS 'Number of group_posts rows whose post is not soft-deleted; kept by trigger (ADR 0012)';
COMMENT ON COLUMN products.favorite_count IS 'Number of product_favorites rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN products.sale_count IS 'Number of order_items rows of the product in paid, processing or completed orders; kept by trigger (ADR 0012)';
COMMENT ON COLUMN products.review_count IS 'Number of non-deleted product_reviews rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN products.average_rating IS 'Mean rating of the non-deleted reviews rounded to 2 decimals, 0 without reviews; kept by trigger (ADR 0012)';
COMMENT ON COLUMN carts.item_count IS 'Number of cart_items rows; kept by trigger (ADR 0012)';
COMMENT ON COLUMN carts.subtotal IS 'Sum of cart_items.price; kept by trigger (ADR 0012)';
COMMENT ON COLUMN carts.tax_total IS 'Taxes, set by the application; 0 until it computes them';
COMMENT ON COLUMN carts.total IS 'subtotal + tax_total, set by trigger on every write (ADR 0012)';
COMMENT ON COLUMN discount_codes.usage_count IS 'Number of discount_code_usage rows; kept by trigger (ADR 0012)';

-- ---------------------------------------------------------------------------------------------------------
-- Recount every counter from the data present. The triggers above were created first: CREATE TRIGGER holds a
-- SHARE ROW EXCLUSIVE lock on each table until this transaction commits, so no write can slip between the
-- recount and the triggers. Only rows whose values differ are updated.
-- ---------------------------------------------------------------------------------------------------------

UPDATE user_profiles p
SET follower_count = n.follower_count, following_count = n.following_count,
    track_count = n.track_count, playlist_count = n.playlist_count
FROM (
    SELECT p0.id,
           COALESCE(fr.n, 0) AS follower_count, COALESCE(fg.n, 0) AS following_count,
           COALESCE(t.n, 0) AS track_count, COALESCE(pl.n, 0) AS playlist_count
    FROM user_profiles p0
    LEFT JOIN (SELECT following_id AS user_id, count(*) AS n FROM follows GROUP BY following_id) fr
        ON fr.user_id = p0.user_id
    LEFT JOIN (SELECT follower_id AS user_id, count(*) AS n FROM follows GROUP BY follower_id) fg
        ON fg.user_id = p0.user_id
    LEFT JOIN (SELECT creator_id AS user_id, count(*) AS n FROM tracks
               WHERE deleted_at IS NULL AND visibility = 'public' GROUP BY creator_id) t
        ON t.user_id = p0.user_id
    LEFT JOIN (SELECT user_id, count(*) AS n FROM playlists
               WHERE deleted_at IS NULL AND visibility = 'public' GROUP BY user_id) pl
        ON pl.user_id = p0.user_id
) n
WHERE n.id = p.id
  AND (p.follower_count, p.following_count, p.track_count, p.playlist_count)
      IS DISTINCT FROM (n.follower_count, n.following_count, n.track_count, n.playlist_count);

UPDATE tracks t
SET play_count = n.play_count, like_count = n.like_count,
    comment_count = n.comment_count, download_count = n.download_count
FROM (
    SELECT t0.id,
           COALESCE(ph.n, 0) AS play_count, COALESCE(l.n, 0) AS like_count,
           COALESCE(c.n, 0) AS comment_count, COALESCE(d.n, 0) AS download_count
    FROM tracks t0
    LEFT JOIN (SELECT track_id, count(*) AS n FROM playback_history GROUP BY track_id) ph ON ph.track_id = t0.id
    LEFT JOIN (SELECT track_id, count(*) AS n FROM track_likes GROUP BY track_id) l ON l.track_id = t0.id
    LEFT JOIN (SELECT track_id, count(*) AS n FROM track_comments
               WHERE deleted_at IS NULL AND NOT is_deleted GROUP BY track_id) c ON c.track_id = t0.id
    LEFT JOIN (SELECT track_id, count(*) AS n FROM track_downloads GROUP BY track_id) d ON d.track_id = t0.id
) n
WHERE n.id = t.id
  AND (t.play_count, t.like_count, t.comment_count, t.download_count)
      IS DISTINCT FROM (n.play_count, n.like_count, n.comment_count, n.download_count);

UPDATE playlists p
SET track_count = n.track_count, duration_seconds = n.duration_seconds, follower_count = n.follower_count
FROM (
    SELECT p0.id, COALESCE(e.n, 0) AS track_count, COALESCE(e.seconds, 0) AS duration_seconds,
           COALESCE(f.n, 0) AS follower_count
    FROM playlists p0
    LEFT JOIN (SELECT pt.playlist_id, count(*) AS n, sum(t.duration) AS seconds
               FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
               WHERE t.deleted_at IS NULL GROUP BY pt.playlist_id) e ON e.playlist_id = p0.id
    LEFT JOIN (SELECT playlist_id, count(*) AS n FROM playlist_followers GROUP BY playlist_id) f
        ON f.playlist_id = p0.id
) n
WHERE n.id = p.id
  AND (p.track_count, p.duration_seconds, p.follower_count)
      IS DISTINCT FROM (n.track_count, n.duration_seconds, n.follower_count);

UPDATE rooms r
SET member_count = n.member_count, message_count = n.message_count
FROM (
    SELECT r0.id, COALESCE(m.n, 0) AS member_count, COALESCE(msg.n, 0) AS message_count
    FROM rooms r0
    LEFT JOIN (SELECT room_id, count(*) AS n FROM room_members WHERE NOT is_banned GROUP BY room_id) m
        ON m.room_id = r0.id
    LEFT JOIN (SELECT room_id, count(*) AS n FROM messages
               WHERE deleted_at IS NULL AND NOT is_deleted GROUP BY room_id) msg ON msg.room_id = r0.id
) n
WHERE n.id = r.id AND (r.member_count, r.message_count) IS DISTINCT FROM (n.member_count, n.message_count);

UPDATE posts p
SET like_count = n.like_count, comment_count = n.comment_count, repost_count = n.repost_count
FROM (
    SELECT p0.id, COALESCE(l.n, 0) AS like_count, COALESCE(c.n, 0) AS comment_count,
           COALESCE(r.n, 0) AS repost_count
    FROM posts p0
    LEFT JOIN (SELECT post_id, count(*) AS n FROM post_likes GROUP BY post_id) l ON l.post_id = p0.id
    LEFT JOIN (SELECT post_id, count(*) AS n FROM post_comments WHERE deleted_at IS NULL GROUP BY post_id) c
        ON c.post_id = p0.id
    LEFT JOIN (SELECT repost_of_id, count(*) AS n FROM posts
               WHERE repost_of_id IS NOT NULL AND deleted_at IS NULL GROUP BY repost_of_id) r
        ON r.repost_of_id = p0.id
) n
WHERE n.id = p.id
  AND (p.like_count, p.comment_count, p.repost_count) IS DISTINCT FROM (n.like_count, n.comment_count, n.repost_count);

UPDATE hashtags h
SET usage_count = n.usage_count, last_used_at = n.last_used_at
FROM (
    SELECT h0.id, COALESCE(u.n, 0) AS usage_count, GREATEST(h0.last_used_at, u.latest) AS last_used_at
    FROM hashtags h0
    LEFT JOIN (SELECT ph.hashtag_id, count(*) AS n, max(ph.created_at) AS latest
               FROM post_hashtags ph JOIN posts p ON p.id = ph.post_id
               WHERE p.deleted_at IS NULL GROUP BY ph.hashtag_id) u ON u.hashtag_id = h0.id
) n
WHERE n.id = h.id AND (h.usage_count, h.last_used_at) IS DISTINCT FROM (n.usage_count, n.last_used_at);

UPDATE groups g
SET member_count = n.member_count, post_count = n.post_count
FROM (
    SELECT g0.id, COALESCE(m.n, 0) AS member_count, COALESCE(gp.n, 0) AS post_count
    FROM groups g0
    LEFT JOIN (SELECT group_id, count(*) AS n FROM group_members WHERE status = 'active' GROUP BY group_id) m
        ON m.group_id = g0.id
    LEFT JOIN (SELECT gp.group_id, count(*) AS n FROM group_posts gp JOIN posts p ON p.id = gp.post_id
               WHERE p.deleted_at IS NULL GROUP BY gp.group_id) gp ON gp.group_id = g0.id
) n
WHERE n.id = g.id AND (g.member_count, g.post_count) IS DISTINCT FROM (n.member_count, n.post_count);

UPDATE products p
SET favorite_count = n.favorite_count, review_count = n.review_count,
    average_rating = n.average_rating, sale_count = n.sale_count
FROM (
    SELECT p0.id, COALESCE(f.n, 0) AS favorite_count, COALESCE(r.n, 0) AS review_count,
           COALESCE(r.average, 0) AS average_rating, COALESCE(s.n, 0) AS sale_count
    FROM products p0
    LEFT JOIN (SELECT product_id, count(*) AS n FROM product_favorites GROUP BY product_id) f
        ON f.product_id = p0.id
    LEFT JOIN (SELECT product_id, count(*) AS n, round(avg(rating), 2) AS average FROM product_reviews
               WHERE deleted_at IS NULL GROUP BY product_id) r ON r.product_id = p0.id
    LEFT JOIN (SELECT oi.product_id, count(*) AS n FROM order_items oi JOIN orders o ON o.id = oi.order_id
               WHERE o.status IN ('paid', 'processing', 'completed') GROUP BY oi.product_id) s
        ON s.product_id = p0.id
) n
WHERE n.id = p.id
  AND (p.favorite_count, p.review_count, p.average_rating, p.sale_count)
      IS DISTINCT FROM (n.favorite_count, n.review_count, n.average_rating, n.sale_count);

UPDATE carts c
SET item_count = n.item_count, subtotal = n.subtotal
FROM (
    SELECT c0.id, COALESCE(i.n, 0) AS item_count, COALESCE(i.amount, 0) AS subtotal
    FROM carts c0
    LEFT JOIN (SELECT cart_id, count(*) AS n, sum(price) AS amount FROM cart_items GROUP BY cart_id) i
        ON i.cart_id = c0.id
) n
WHERE n.id = c.id
  AND (c.item_count, c.subtotal, c.total) IS DISTINCT FROM (n.item_count, n.subtotal, n.subtotal + c.tax_total);

UPDATE discount_codes d
SET usage_count = n.usage_count
FROM (
    SELECT d0.id, COALESCE(u.n, 0) AS usage_count
    FROM discount_codes d0
    LEFT JOIN (SELECT discount_code_id, count(*) AS n FROM discount_code_usage GROUP BY discount_code_id) u
        ON u.discount_code_id = d0.id
) n
WHERE n.id = d.id AND d.usage_count <> n.usage_count;
