SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §9.1 (updated_at added: ADR 0002)
CREATE TABLE follows (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    follower_id UUID NOT NULL,
    following_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_follows_users_follower FOREIGN KEY (follower_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_follows_users_following FOREIGN KEY (following_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_follows_follower_following UNIQUE (follower_id, following_id),
    CONSTRAINT chk_follows_not_self CHECK (follower_id != following_id)
);
CREATE INDEX idx_follows_follower_id ON follows(follower_id);
CREATE INDEX idx_follows_following_id ON follows(following_id);
CREATE INDEX idx_follows_created_at_desc ON follows(created_at DESC);
CREATE TRIGGER trg_follows_updated_at BEFORE UPDATE ON follows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE follows IS 'A user (follower) following another user (following)';
COMMENT ON COLUMN follows.follower_id IS 'The user who follows';
COMMENT ON COLUMN follows.following_id IS 'The user being followed';

-- spec §9.2 (updated_at added: ADR 0002)
CREATE TABLE blocks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    blocker_id UUID NOT NULL,
    blocked_id UUID NOT NULL,
    reason VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_blocks_users_blocker FOREIGN KEY (blocker_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_blocks_users_blocked FOREIGN KEY (blocked_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_blocks_blocker_blocked UNIQUE (blocker_id, blocked_id),
    CONSTRAINT chk_blocks_not_self CHECK (blocker_id != blocked_id)
);
CREATE INDEX idx_blocks_blocker_id ON blocks(blocker_id);
CREATE INDEX idx_blocks_blocked_id ON blocks(blocked_id);
CREATE TRIGGER trg_blocks_updated_at BEFORE UPDATE ON blocks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE blocks IS 'A user (blocker) blocking another user (blocked) from interacting with them';
COMMENT ON COLUMN blocks.reason IS 'Optional private note of the blocker; never shown to the blocked user';

-- spec §9.3
CREATE TABLE posts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    content TEXT NOT NULL,
    image_file_ids UUID[],
    audio_file_id UUID,
    video_file_id UUID,
    repost_of_id UUID,
    visibility visibility NOT NULL DEFAULT 'public',
    like_count INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    repost_count INTEGER NOT NULL DEFAULT 0,
    is_pinned BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_posts_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_posts_files_audio FOREIGN KEY (audio_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT fk_posts_files_video FOREIGN KEY (video_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT fk_posts_posts FOREIGN KEY (repost_of_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT chk_posts_content_length CHECK (LENGTH(content) >= 1 AND LENGTH(content) <= 5000)
);
CREATE INDEX idx_posts_user_id_created_at ON posts(user_id, created_at DESC);
CREATE INDEX idx_posts_created_at_desc ON posts(created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_posts_repost_of_id ON posts(repost_of_id) WHERE repost_of_id IS NOT NULL;
CREATE INDEX idx_posts_visibility ON posts(visibility);
CREATE INDEX idx_posts_audio_file_id ON posts(audio_file_id) WHERE audio_file_id IS NOT NULL;
CREATE INDEX idx_posts_video_file_id ON posts(video_file_id) WHERE video_file_id IS NOT NULL;
CREATE INDEX idx_posts_content_gin ON posts USING GIN(to_tsvector('english', content));
CREATE TRIGGER trg_posts_updated_at BEFORE UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE posts IS 'Social posts published by users, optionally with media or as a repost';
COMMENT ON COLUMN posts.image_file_ids IS 'Array of file IDs of attached images (an array cannot carry a FK)';
COMMENT ON COLUMN posts.audio_file_id IS 'Attached audio file; set NULL when the file is deleted';
COMMENT ON COLUMN posts.video_file_id IS 'Attached video file; set NULL when the file is deleted';
COMMENT ON COLUMN posts.repost_of_id IS 'Original post when this is a repost; the repost disappears with the original';
COMMENT ON COLUMN posts.like_count IS 'Denormalized count of post_likes rows';
COMMENT ON COLUMN posts.comment_count IS 'Denormalized count of post_comments rows';
COMMENT ON COLUMN posts.repost_count IS 'Denormalized count of posts reposting this one';
COMMENT ON COLUMN posts.is_pinned IS 'Pinned at the top of its author''s profile';

-- spec §9.4 (updated_at added: ADR 0002)
CREATE TABLE post_likes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    post_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_post_likes_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_post_likes_posts FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT uq_post_likes_user_post UNIQUE (user_id, post_id)
);
CREATE INDEX idx_post_likes_user_id ON post_likes(user_id);
CREATE INDEX idx_post_likes_post_id_created_at ON post_likes(post_id, created_at DESC);
CREATE TRIGGER trg_post_likes_updated_at BEFORE UPDATE ON post_likes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE post_likes IS 'A user liking a post, at most once per post';

-- spec §9.5
CREATE TABLE post_comments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    post_id UUID NOT NULL,
    user_id UUID NOT NULL,
    content TEXT NOT NULL,
    parent_comment_id UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_post_comments_posts FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT fk_post_comments_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_post_comments_post_comments FOREIGN KEY (parent_comment_id) REFERENCES post_comments(id) ON DELETE CASCADE,
    CONSTRAINT chk_post_comments_content_length CHECK (LENGTH(content) >= 1 AND LENGTH(content) <= 2000)
);
CREATE INDEX idx_post_comments_post_id_created_at ON post_comments(post_id, created_at DESC);
CREATE INDEX idx_post_comments_user_id ON post_comments(user_id);
CREATE INDEX idx_post_comments_parent_comment_id ON post_comments(parent_comment_id) WHERE parent_comment_id IS NOT NULL;
CREATE TRIGGER trg_post_comments_updated_at BEFORE UPDATE ON post_comments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE post_comments IS 'Comments on posts, threaded through parent_comment_id';
COMMENT ON COLUMN post_comments.parent_comment_id IS 'Comment this one answers; NULL for a top-level comment';

-- spec §9.6 (created_at/updated_at added: ADR 0002). UNIQUE (tag) and the spec's unique index on
-- LOWER(tag) both stay: the index is stricter (no two tags differing only by case).
CREATE TABLE hashtags (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tag VARCHAR(100) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    usage_count INTEGER NOT NULL DEFAULT 0,
    first_used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_hashtags_tag UNIQUE (tag),
    CONSTRAINT uq_hashtags_slug UNIQUE (slug)
);
CREATE UNIQUE INDEX idx_hashtags_tag ON hashtags(LOWER(tag));
CREATE INDEX idx_hashtags_usage_count_desc ON hashtags(usage_count DESC);
CREATE TRIGGER trg_hashtags_updated_at BEFORE UPDATE ON hashtags
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE hashtags IS 'Hashtags used in posts, unique regardless of case';
COMMENT ON COLUMN hashtags.tag IS 'Hashtag as first written, without the leading #';
COMMENT ON COLUMN hashtags.usage_count IS 'Denormalized count of post_hashtags rows';

-- spec §9.7 (updated_at added: ADR 0002)
CREATE TABLE post_hashtags (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    post_id UUID NOT NULL,
    hashtag_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_post_hashtags_posts FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT fk_post_hashtags_hashtags FOREIGN KEY (hashtag_id) REFERENCES hashtags(id) ON DELETE CASCADE,
    CONSTRAINT uq_post_hashtags_post_hashtag UNIQUE (post_id, hashtag_id)
);
CREATE INDEX idx_post_hashtags_post_id ON post_hashtags(post_id);
CREATE INDEX idx_post_hashtags_hashtag_id_created_at ON post_hashtags(hashtag_id, created_at DESC);
CREATE TRIGGER trg_post_hashtags_updated_at BEFORE UPDATE ON post_hashtags
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE post_hashtags IS 'Hashtags used by a post';

-- spec §9.8 (the spec's unique index idx_groups_slug duplicates the constraint: ADR 0004)
CREATE TABLE groups (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    description TEXT,
    avatar_url TEXT,
    banner_url TEXT,
    group_type VARCHAR(50) NOT NULL DEFAULT 'public',
    requires_approval BOOLEAN NOT NULL DEFAULT false,
    creator_id UUID NOT NULL,
    member_count INTEGER NOT NULL DEFAULT 0,
    post_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_groups_users FOREIGN KEY (creator_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_groups_slug UNIQUE (slug),
    CONSTRAINT chk_groups_group_type_valid CHECK (group_type IN ('public', 'private'))
);
CREATE INDEX idx_groups_creator_id ON groups(creator_id);
CREATE INDEX idx_groups_group_type ON groups(group_type);
CREATE TRIGGER trg_groups_updated_at BEFORE UPDATE ON groups
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE groups IS 'Community groups that users join and publish posts in';
COMMENT ON COLUMN groups.group_type IS 'public or private';
COMMENT ON COLUMN groups.requires_approval IS 'New members start as pending until a moderator approves them';
COMMENT ON COLUMN groups.member_count IS 'Denormalized count of active group_members rows';
COMMENT ON COLUMN groups.post_count IS 'Denormalized count of group_posts rows';

-- spec §9.9 (created_at/updated_at added: ADR 0002)
CREATE TABLE group_members (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id UUID NOT NULL,
    user_id UUID NOT NULL,
    role VARCHAR(50) NOT NULL DEFAULT 'member',
    status VARCHAR(50) NOT NULL DEFAULT 'active',
    joined_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    approved_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_group_members_groups FOREIGN KEY (group_id) REFERENCES groups(id) ON DELETE CASCADE,
    CONSTRAINT fk_group_members_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_group_members_group_user UNIQUE (group_id, user_id),
    CONSTRAINT chk_group_members_role_valid CHECK (role IN ('owner', 'admin', 'moderator', 'member')),
    CONSTRAINT chk_group_members_status_valid CHECK (status IN ('pending', 'active', 'banned'))
);
CREATE INDEX idx_group_members_group_id ON group_members(group_id);
CREATE INDEX idx_group_members_user_id ON group_members(user_id);
CREATE INDEX idx_group_members_status ON group_members(status);
CREATE TRIGGER trg_group_members_updated_at BEFORE UPDATE ON group_members
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE group_members IS 'Membership of a user in a group, with role and approval status';
COMMENT ON COLUMN group_members.role IS 'owner, admin, moderator or member';
COMMENT ON COLUMN group_members.status IS 'pending (awaiting approval), active or banned';

-- Not in spec §9: the spec gives groups a post_count but no link between a post and its group.
-- A post belongs to at most one group; it disappears from the group with the post or the group.
CREATE TABLE group_posts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id UUID NOT NULL,
    post_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_group_posts_groups FOREIGN KEY (group_id) REFERENCES groups(id) ON DELETE CASCADE,
    CONSTRAINT fk_group_posts_posts FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE,
    CONSTRAINT uq_group_posts_post_id UNIQUE (post_id)
);
CREATE INDEX idx_group_posts_group_id_created_at ON group_posts(group_id, created_at DESC);
CREATE TRIGGER trg_group_posts_updated_at BEFORE UPDATE ON group_posts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE group_posts IS 'A post published in a group (a post belongs to at most one group); drives groups.post_count';
COMMENT ON COLUMN group_posts.created_at IS 'When the post was published in the group; orders the group feed';
