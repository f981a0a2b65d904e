SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §5.1 (the spec's unique index idx_user_profiles_user_id duplicates the inline UNIQUE: ADR 0004).
-- No deleted_at: a profile is hidden through users.deleted_at and hard-deleted by the account deletion job (spec §19.3).
CREATE TABLE user_profiles (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    bio TEXT,
    tagline VARCHAR(255),
    location VARCHAR(255),
    website_url VARCHAR(500),
    birthdate DATE,
    gender VARCHAR(50),
    avatar_url TEXT,
    banner_url TEXT,
    language VARCHAR(5) DEFAULT 'en',
    timezone VARCHAR(50) DEFAULT 'UTC',
    theme VARCHAR(20) DEFAULT 'auto',
    profile_visibility visibility NOT NULL DEFAULT 'public',
    show_email BOOLEAN NOT NULL DEFAULT false,
    show_location BOOLEAN NOT NULL DEFAULT true,
    follower_count INTEGER NOT NULL DEFAULT 0,
    following_count INTEGER NOT NULL DEFAULT 0,
    track_count INTEGER NOT NULL DEFAULT 0,
    playlist_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_user_profiles_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_user_profiles_user_id UNIQUE (user_id),
    CONSTRAINT chk_user_profiles_theme_valid CHECK (theme IN ('light', 'dark', 'auto'))
);
CREATE INDEX idx_user_profiles_location ON user_profiles(location) WHERE location IS NOT NULL;
CREATE TRIGGER trg_user_profiles_updated_at BEFORE UPDATE ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE user_profiles IS 'Public profile of a user (one per account): bio, media, display preferences, privacy and denormalized counts';
COMMENT ON COLUMN user_profiles.language IS 'ISO 639-1 language code of the interface';
COMMENT ON COLUMN user_profiles.timezone IS 'IANA time zone name';
COMMENT ON COLUMN user_profiles.theme IS 'light, dark or auto (follows the device)';
COMMENT ON COLUMN user_profiles.profile_visibility IS 'Who may see the profile';
COMMENT ON COLUMN user_profiles.follower_count IS 'Denormalized count of follows rows whose following_id is this user';
COMMENT ON COLUMN user_profiles.following_count IS 'Denormalized count of follows rows whose follower_id is this user';
COMMENT ON COLUMN user_profiles.track_count IS 'Denormalized count of the user''s tracks';
COMMENT ON COLUMN user_profiles.playlist_count IS 'Denormalized count of the user''s playlists';

-- spec §5.2 (the spec's unique index idx_user_settings_user_id duplicates the inline UNIQUE: ADR 0004)
CREATE TABLE user_settings (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    email_notifications BOOLEAN NOT NULL DEFAULT true,
    push_notifications BOOLEAN NOT NULL DEFAULT true,
    browser_notifications BOOLEAN NOT NULL DEFAULT true,
    email_on_follow BOOLEAN NOT NULL DEFAULT true,
    email_on_like BOOLEAN NOT NULL DEFAULT true,
    email_on_comment BOOLEAN NOT NULL DEFAULT true,
    email_on_message BOOLEAN NOT NULL DEFAULT true,
    email_on_mention BOOLEAN NOT NULL DEFAULT true,
    email_marketing BOOLEAN NOT NULL DEFAULT false,
    allow_search_indexing BOOLEAN NOT NULL DEFAULT true,
    show_activity BOOLEAN NOT NULL DEFAULT true,
    explicit_content BOOLEAN NOT NULL DEFAULT false,
    autoplay BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_user_settings_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_user_settings_user_id UNIQUE (user_id)
);
CREATE TRIGGER trg_user_settings_updated_at BEFORE UPDATE ON user_settings
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE user_settings IS 'Private per-user settings: notification channels and types, privacy and content preferences';
COMMENT ON COLUMN user_settings.email_marketing IS 'Marketing email preference; sending also requires users.marketing_consent (GDPR)';
COMMENT ON COLUMN user_settings.allow_search_indexing IS 'Whether the profile may appear in search results and be indexed by search engines';
COMMENT ON COLUMN user_settings.explicit_content IS 'Whether explicit content is shown to the user';

-- spec §5.3 (updated_at added: ADR 0002; verified_by had no ON DELETE and no index)
CREATE TABLE user_roles (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    role VARCHAR(50) NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT false,
    verified_at TIMESTAMPTZ,
    verified_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_user_roles_users_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    -- The verification stays valid when the verifying moderator's account is deleted.
    CONSTRAINT fk_user_roles_users_verified_by FOREIGN KEY (verified_by) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT uq_user_roles_user_role UNIQUE (user_id, role)
);
CREATE INDEX idx_user_roles_user_id ON user_roles(user_id);
CREATE INDEX idx_user_roles_role ON user_roles(role);
CREATE INDEX idx_user_roles_verified_by ON user_roles(verified_by) WHERE verified_by IS NOT NULL;
CREATE TRIGGER trg_user_roles_updated_at BEFORE UPDATE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE user_roles IS 'Professional roles a user declares (creator, producer, label, educator, ...), optionally verified by staff';
COMMENT ON COLUMN user_roles.role IS 'creator, producer, label, educator, etc. (open list, hence no CHECK)';
COMMENT ON COLUMN user_roles.verified_by IS 'Staff member who verified the role; NULL if unverified or that account was deleted';

-- spec §5.5, created before user_badges which references it (updated_at is in the spec; the spec's unique index
-- idx_badges_slug duplicates the inline UNIQUE: ADR 0004)
CREATE TABLE badges (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(100) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    description TEXT,
    category VARCHAR(50) NOT NULL,
    icon_url TEXT,
    color VARCHAR(7),
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_badges_name UNIQUE (name),
    CONSTRAINT uq_badges_slug UNIQUE (slug),
    -- Declarative skills and roles only (spec §17.4): no category for achievements, rarity or activity.
    CONSTRAINT chk_badges_category_valid CHECK (category IN ('instrument', 'genre', 'experience', 'role')),
    CONSTRAINT chk_badges_color_format CHECK (color ~ '^#[0-9A-Fa-f]{6}$')
);
CREATE INDEX idx_badges_category ON badges(category);
CREATE TRIGGER trg_badges_updated_at BEFORE UPDATE ON badges
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE badges IS 'Declarative skill badges (instruments, genres, experience). No rarity, no competitive collection.';
COMMENT ON COLUMN badges.category IS 'instrument, genre, experience or role';
COMMENT ON COLUMN badges.color IS 'Hex color #RRGGBB';
COMMENT ON COLUMN badges.is_active IS 'false retires the badge from the catalogue without removing it from users who have it';

-- spec §5.4 (created_at and updated_at added: ADR 0002)
CREATE TABLE user_badges (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    badge_id UUID NOT NULL,
    is_displayed BOOLEAN NOT NULL DEFAULT true,
    display_order INTEGER,
    earned_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_user_badges_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_user_badges_badges FOREIGN KEY (badge_id) REFERENCES badges(id) ON DELETE CASCADE,
    CONSTRAINT uq_user_badges_user_badge UNIQUE (user_id, badge_id)
);
CREATE INDEX idx_user_badges_user_id ON user_badges(user_id);
CREATE INDEX idx_user_badges_badge_id ON user_badges(badge_id);
CREATE TRIGGER trg_user_badges_updated_at BEFORE UPDATE ON user_badges
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE user_badges IS 'Badges a user holds; display is optional and its order is chosen by the user (spec §17.4)';
COMMENT ON COLUMN user_badges.is_displayed IS 'Whether the badge is shown on the profile';
COMMENT ON COLUMN user_badges.display_order IS 'Position on the profile chosen by the user; NULL means unordered';
COMMENT ON COLUMN user_badges.earned_at IS 'When the badge was attributed to the user';
