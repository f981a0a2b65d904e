SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TRIGGER IF EXISTS trg_hashtags_search_index ON hashtags;
DROP TRIGGER IF EXISTS trg_courses_search_index ON courses;
DROP TRIGGER IF EXISTS trg_groups_search_index ON groups;
DROP TRIGGER IF EXISTS trg_posts_search_index ON posts;
DROP TRIGGER IF EXISTS trg_products_search_index ON products;
DROP TRIGGER IF EXISTS trg_user_settings_search_index ON user_settings;
DROP TRIGGER IF EXISTS trg_user_profiles_search_index ON user_profiles;
DROP TRIGGER IF EXISTS trg_users_search_index ON users;
DROP TRIGGER IF EXISTS trg_playlists_search_index ON playlists;
DROP TRIGGER IF EXISTS trg_tracks_search_index ON tracks;
DROP FUNCTION IF EXISTS search_index_on_account_change();
DROP FUNCTION IF EXISTS search_index_on_owner_change();
DROP FUNCTION IF EXISTS search_index_on_source_change();
DROP FUNCTION IF EXISTS search_index_sync_hashtags(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_courses(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_groups(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_posts(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_products(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_users(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_playlists(uuid[]);
DROP FUNCTION IF EXISTS search_index_sync_tracks(uuid[]);

ALTER TABLE user_settings DROP COLUMN IF EXISTS search_history_enabled;

-- Before 0053 nothing wrote search_index: its documents go with the columns that described them.
DELETE FROM search_index;
ALTER TABLE search_index DROP CONSTRAINT chk_search_index_entity_type_valid;
ALTER TABLE search_index ADD CONSTRAINT chk_search_index_entity_type_valid CHECK (
    entity_type IN ('track', 'playlist', 'user', 'post', 'product', 'course', 'group', 'room'));
COMMENT ON COLUMN search_index.entity_type IS 'track, playlist, user, post, product, course, group, room';
COMMENT ON TABLE search_index IS 'One searchable document per track, playlist, user, post, product, course, group or room, written by the application whenever the source changes (spec §14)';
COMMENT ON COLUMN search_index.visibility IS 'Copy of the source''s visibility; public search returns public documents only';

DROP INDEX IF EXISTS idx_search_index_title_folded_trgm;
DROP INDEX IF EXISTS idx_search_index_tsv_folded_gin;
ALTER TABLE search_index DROP COLUMN title_folded;
ALTER TABLE search_index DROP COLUMN tsv_folded;
CREATE INDEX idx_search_index_tsv_gin ON search_index USING GIN(tsv) WHERE deleted_at IS NULL;
COMMENT ON COLUMN search_index.tsv IS 'Generated full-text vector of title (weight A), subtitle (B) and body (C), ''simple'' configuration';

DROP FUNCTION IF EXISTS search_fold(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_french;
DROP TEXT SEARCH CONFIGURATION IF EXISTS search_simple;
DROP EXTENSION IF EXISTS pg_trgm;
DROP EXTENSION IF EXISTS unaccent;
