SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0041-feed-entries.md

-- Issue 15 §6, ADR 0064: the home feed is fanned out on write. A row says "this post belongs in this user's home
-- feed": the user's own posts, the posts of the accounts they follow (follows rows are accepted follows) and the
-- posts of the groups they are an active member of. Triggers on the social tables keep it in the same transaction
-- as the change, so an entry is never lost and never made for a rolled-back action; reads still filter every row
-- with the one visibility rule (post-visibility.ts: blocks, private profiles, private groups, deletions).
CREATE TABLE feed_entries (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    post_id UUID NOT NULL,
    post_created_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_feed_entries_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_feed_entries_posts FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT uq_feed_entries_user_id_post_id UNIQUE (user_id, post_id)
);
-- The feed page: a user's entries newest first, keyset on (post_created_at, post_id). The unique index serves
-- fk_feed_entries_users; this one serves fk_feed_entries_posts and removing a post's entries.
CREATE INDEX idx_feed_entries_user_id_post_created_at ON feed_entries(user_id, post_created_at DESC, post_id DESC);
CREATE INDEX idx_feed_entries_post_id ON feed_entries(post_id);
CREATE TRIGGER trg_feed_entries_updated_at BEFORE UPDATE ON feed_entries
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE feed_entries IS 'Home feed entries, fanned out on write by triggers (issue 15 §6, ADR 0064): one row per post a user''s feed holds';
COMMENT ON COLUMN feed_entries.user_id IS 'Whose home feed';
COMMENT ON COLUMN feed_entries.post_id IS 'The post: the user''s own, a followee''s, or one of an active group of theirs';
COMMENT ON COLUMN feed_entries.post_created_at IS 'The post''s created_at, copied: orders the feed without reading posts';

-- Writers of one author's posts and of follows of that author (and of one group's posts and its memberships)
-- would each miss the other's uncommitted row. A post or a group post takes the shared lock of its author (group),
-- a follow or a membership change the exclusive one, so the later of the two waits for the other's commit; each
-- statement of the trigger functions then reads with a fresh snapshot (READ COMMITTED) and sees it.
CREATE FUNCTION feed_lock_key(subject uuid) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT hashtextextended('feed_entries:' || subject::text, 0) $$;
COMMENT ON FUNCTION feed_lock_key(uuid) IS
    'Advisory lock key ordering feed fan-out against follows and memberships of one author or group (ADR 0064)';

-- A post: into its author's feed and every follower's; a soft delete takes it out of every feed, a restore
-- puts it back (into the feeds of the followers and active group members of that moment).
CREATE FUNCTION feed_fan_out_post() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NOT NULL THEN
        IF OLD.deleted_at IS NULL THEN
            DELETE FROM feed_entries WHERE post_id = NEW.id;
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.deleted_at IS NOT NULL OR (TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(feed_lock_key(NEW.user_id));
    INSERT INTO feed_entries (user_id, post_id, post_created_at)
    SELECT NEW.user_id, NEW.id, NEW.created_at
    UNION ALL
    SELECT f.follower_id, NEW.id, NEW.created_at FROM follows f WHERE f.following_id = NEW.user_id
    UNION ALL
    SELECT m.user_id, NEW.id, NEW.created_at
    FROM group_posts gp JOIN group_members m ON m.group_id = gp.group_id AND m.status = 'active'
    WHERE gp.post_id = NEW.id
    ON CONFLICT (user_id, post_id) DO NOTHING;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION feed_fan_out_post() IS
    'Puts a new or restored post in its author''s, followers'' and group members'' feeds; takes a deleted one out (ADR 0064)';
CREATE TRIGGER trg_posts_feed_fan_out AFTER INSERT OR UPDATE OF deleted_at ON posts
    FOR EACH ROW EXECUTE FUNCTION feed_fan_out_post();

-- A follow brings the followee's posts into the follower's feed; an unfollow (or the follows a block deletes)
-- takes them out, except those the follower still gets from a group they are an active member of.
CREATE FUNCTION feed_follow_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM pg_advisory_xact_lock(feed_lock_key(OLD.following_id));
        DELETE FROM feed_entries fe
        USING posts p
        WHERE fe.user_id = OLD.follower_id AND fe.post_id = p.id AND p.user_id = OLD.following_id
          AND NOT EXISTS (
            SELECT FROM group_posts gp JOIN group_members m ON m.group_id = gp.group_id
            WHERE gp.post_id = p.id AND m.user_id = OLD.follower_id AND m.status = 'active');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_advisory_xact_lock(feed_lock_key(NEW.following_id));
        INSERT INTO feed_entries (user_id, post_id, post_created_at)
        SELECT NEW.follower_id, p.id, p.created_at FROM posts p
        WHERE p.user_id = NEW.following_id AND p.deleted_at IS NULL
        ON CONFLICT (user_id, post_id) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION feed_follow_changed() IS
    'Brings a followee''s posts into the follower''s feed on follow, takes them out on unfollow (ADR 0064)';
CREATE TRIGGER trg_follows_feed AFTER INSERT OR DELETE OR UPDATE OF follower_id, following_id ON follows
    FOR EACH ROW EXECUTE FUNCTION feed_follow_changed();

-- A post published in a group: into the feeds of the group's active members.
CREATE FUNCTION feed_group_post_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(feed_lock_key(NEW.group_id));
    INSERT INTO feed_entries (user_id, post_id, post_created_at)
    SELECT m.user_id, p.id, p.created_at
    FROM posts p JOIN group_members m ON m.group_id = NEW.group_id AND m.status = 'active'
    WHERE p.id = NEW.post_id AND p.deleted_at IS NULL
    ON CONFLICT (user_id, post_id) DO NOTHING;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION feed_group_post_added() IS
    'Puts a post published in a group in the feeds of the group''s active members (ADR 0064)';
CREATE TRIGGER trg_group_posts_feed AFTER INSERT ON group_posts
    FOR EACH ROW EXECUTE FUNCTION feed_group_post_added();

-- Becoming an active member brings the group's posts into one's feed; leaving, being kicked or banned takes them
-- out, except one's own posts and those of accounts one follows.
CREATE FUNCTION feed_membership_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    was_active boolean := TG_OP IN ('DELETE', 'UPDATE') AND OLD.status = 'active';
    is_active boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active';
BEGIN
    IF was_active AND (NOT is_active OR OLD.group_id <> NEW.group_id OR OLD.user_id <> NEW.user_id) THEN
        PERFORM pg_advisory_xact_lock(feed_lock_key(OLD.group_id));
        DELETE FROM feed_entries fe
        USING group_posts gp, posts p
        WHERE gp.group_id = OLD.group_id AND fe.post_id = gp.post_id AND fe.user_id = OLD.user_id
          AND p.id = gp.post_id AND p.user_id <> OLD.user_id
          AND NOT EXISTS (SELECT FROM follows f WHERE f.follower_id = OLD.user_id AND f.following_id = p.user_id);
    END IF;
    IF is_active AND (NOT was_active OR OLD.group_id <> NEW.group_id OR OLD.user_id <> NEW.user_id) THEN
        PERFORM pg_advisory_xact_lock(feed_lock_key(NEW.group_id));
        INSERT INTO feed_entries (user_id, post_id, post_created_at)
        SELECT NEW.user_id, p.id, p.created_at
        FROM group_posts gp JOIN posts p ON p.id = gp.post_id
        WHERE gp.group_id = NEW.group_id AND p.deleted_at IS NULL
        ON CONFLICT (user_id, post_id) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION feed_membership_changed() IS
    'Brings a group''s posts into a new active member''s feed, takes them out when they stop being one (ADR 0064)';
CREATE TRIGGER trg_group_members_feed AFTER INSERT OR DELETE OR UPDATE OF group_id, user_id, status ON group_members
    FOR EACH ROW EXECUTE FUNCTION feed_membership_changed();

-- The feeds of what exists already (an empty table on a fresh database; seconds at the one-year volume).
INSERT INTO feed_entries (user_id, post_id, post_created_at)
SELECT p.user_id, p.id, p.created_at FROM posts p WHERE p.deleted_at IS NULL
UNION ALL
SELECT f.follower_id, p.id, p.created_at FROM follows f JOIN posts p ON p.user_id = f.following_id
WHERE p.deleted_at IS NULL
UNION ALL
SELECT m.user_id, p.id, p.created_at
FROM group_members m JOIN group_posts gp ON gp.group_id = m.group_id JOIN posts p ON p.id = gp.post_id
WHERE m.status = 'active' AND p.deleted_at IS NULL
ON CONFLICT (user_id, post_id) DO NOTHING;
