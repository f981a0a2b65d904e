SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '120s';

-- RFC: docs/rfc/0053-search-full-text-sync.md
-- Issue 18 §1-4, ADRs 0087 (index kept in step by triggers) and 0088 (matching and ranking).

-- unaccent and pg_trgm ship with PostgreSQL's contrib, which the embedded server also carries (ADR 0088). A server
-- without them fails this migration with "extension ... is not available": search needs them, so there is no
-- degraded mode to fall back to silently.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Three text search configurations that fold accents before the usual dictionaries: 'simple' keeps words whole
-- (names, titles, prefixes), the French and English ones stem ("chansons" finds "chanson", "songs" finds "song").
CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION search_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
CREATE TEXT SEARCH CONFIGURATION search_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION search_french ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION search_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION search_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
COMMENT ON TEXT SEARCH CONFIGURATION search_simple IS 'simple with accents folded: whole words and prefixes of search_index (ADR 0088)';
COMMENT ON TEXT SEARCH CONFIGURATION search_french IS 'french with accents folded (ADR 0088)';
COMMENT ON TEXT SEARCH CONFIGURATION search_english IS 'english with accents folded (ADR 0088)';

-- unaccent() is STABLE (its dictionary could be reloaded); the rules file never changes under a running server, so
-- this wrapper may be IMMUTABLE and serve a generated column and its trigram index. The dictionary is named with
-- its schema so that no search_path can swap it.
CREATE FUNCTION search_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, input));
COMMENT ON FUNCTION search_fold(text) IS 'Lower case without accents: the form titles and queries are compared in for typos and exact matches (ADR 0088)';

-- A new vector covers the three configurations. The 0012 column `tsv` ('simple', no folding) stays: a generated
-- expression cannot change in PostgreSQL 15, and dropping a column is not a change this schema allows (RFC 0053);
-- only its index goes, since no query reads it any more.
-- search_index is still empty here (nothing wrote it before this migration's triggers): the rewrite for the
-- generated columns and the index builds without CONCURRENTLY block nothing.
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX idx_search_index_tsv_gin;
-- squawk-ignore adding-field-with-default
ALTER TABLE search_index ADD COLUMN tsv_folded tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('search_simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('search_french', coalesce(title, '')), 'A')
    || setweight(to_tsvector('search_english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('search_simple', coalesce(subtitle, '')), 'B')
    || setweight(to_tsvector('search_french', coalesce(body, '')), 'C')
    || setweight(to_tsvector('search_english', coalesce(body, '')), 'C')
    || setweight(to_tsvector('search_simple', coalesce(body, '')), 'D')
) STORED;
-- squawk-ignore adding-field-with-default
ALTER TABLE search_index ADD COLUMN title_folded text GENERATED ALWAYS AS (search_fold(title)) STORED;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_search_index_tsv_folded_gin ON search_index USING GIN(tsv_folded) WHERE deleted_at IS NULL;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_search_index_title_folded_trgm ON search_index USING GIN(title_folded gin_trgm_ops) WHERE deleted_at IS NULL;
COMMENT ON COLUMN search_index.tsv IS 'Generated vector of 0012 (''simple'', accents kept); superseded by tsv_folded, which search reads (migration 0053), and no longer indexed';
COMMENT ON COLUMN search_index.tsv_folded IS 'Generated full-text vector, accents folded: title (weight A; simple, French and English), subtitle (B; simple), body (C French and English, D simple)';
COMMENT ON COLUMN search_index.title_folded IS 'Generated lower-case, accent-free title: trigram similarity (typos, partial words) and exact-title boost';

-- Hashtags are searchable documents too (issue 18 §1).
ALTER TABLE search_index DROP CONSTRAINT chk_search_index_entity_type_valid;
-- A superset of the old list, checked on a table the triggers have not filled yet: nothing can fail.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE search_index ADD CONSTRAINT chk_search_index_entity_type_valid CHECK (
    entity_type IN ('track', 'playlist', 'user', 'post', 'product', 'course', 'group', 'room', 'hashtag'));
COMMENT ON COLUMN search_index.entity_type IS 'track, playlist, user, post, product, course, group, room, hashtag';
COMMENT ON TABLE search_index IS 'One searchable document per track, playlist, user, post, product, course, group or hashtag, written by the search_index_sync_* functions that triggers on the sources call in the same transaction as the change (spec §14, ADR 0087)';
COMMENT ON COLUMN search_index.visibility IS 'Whether the source may be listed publicly: the source''s own visibility, or private for a draft, inactive or unpublished product or course, a hidden profile, an unused hashtag';

-- The user's choice to keep no search history (issue 18 §4), beside the other per-user switches. A constant
-- default is catalog-only (no rewrite).
ALTER TABLE user_settings ADD COLUMN search_history_enabled BOOLEAN NOT NULL DEFAULT true;
COMMENT ON COLUMN user_settings.search_history_enabled IS 'Whether the user''s searches are kept in search_queries for their "recent searches" list (issue 18 §4)';

-- One function per kind of source: (re)writes the documents of the given ids, or of every row when ids is NULL (the
-- rebuild), and deletes the documents whose source row is gone. A soft-deleted source updates its document (which
-- then carries deleted_at) but never creates one: account erasure deletes the documents of a deleted account, and
-- the later anonymising writes to the account must not bring them back. Unchanged documents are not rewritten. The text
-- sent to the index is bounded (title 500, body 20,000 characters) so that a huge description cannot make a
-- vector larger than PostgreSQL accepts.
CREATE FUNCTION search_index_sync_tracks(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'track', t.id, t.creator_id, left(t.title, 500),
           left(coalesce(nullif(btrim(t.artist), ''), u.display_name, u.username), 500),
           left(concat_ws(' ', t.album, t.genre, t.musical_key, t.description), 20000),
           jsonb_strip_nulls(jsonb_build_object('genre', t.genre, 'bpm', t.bpm, 'musical_key', t.musical_key, 'duration', t.duration)),
           t.visibility, coalesce(t.published_at, t.created_at), t.deleted_at
    FROM tracks t JOIN users u ON u.id = t.creator_id
    WHERE (ids IS NULL OR t.id = ANY(ids)) AND (t.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'track' AND x.entity_id = t.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'track' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM tracks t WHERE t.id = si.entity_id);
END;

CREATE FUNCTION search_index_sync_playlists(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'playlist', p.id, p.user_id, left(p.name, 500), left(coalesce(u.display_name, u.username), 500),
           left(p.description, 20000), jsonb_build_object('track_count', p.track_count),
           p.visibility, p.created_at, p.deleted_at
    FROM playlists p JOIN users u ON u.id = p.user_id
    WHERE (ids IS NULL OR p.id = ANY(ids)) AND (p.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'playlist' AND x.entity_id = p.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'playlist' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM playlists p WHERE p.id = si.entity_id);
END;

-- A profile is listed when it is public and its owner allows search indexing (user_settings.allow_search_indexing);
-- a missing profile or settings row means the defaults (public, allowed).
CREATE FUNCTION search_index_sync_users(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'user', u.id, u.id, left(coalesce(nullif(btrim(u.display_name), ''), u.username), 500), u.username,
           left(concat_ws(' ', p.tagline, p.bio), 20000), jsonb_build_object('username', u.username),
           CASE WHEN coalesce(p.profile_visibility, 'public') = 'public' AND coalesce(s.allow_search_indexing, true)
                THEN 'public' ELSE 'private' END::visibility,
           u.created_at, u.deleted_at
    FROM users u
    LEFT JOIN user_profiles p ON p.user_id = u.id
    LEFT JOIN user_settings s ON s.user_id = u.id
    WHERE (ids IS NULL OR u.id = ANY(ids)) AND (u.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'user' AND x.entity_id = u.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'user' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM users u WHERE u.id = si.entity_id);
END;

CREATE FUNCTION search_index_sync_products(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'product', p.id, p.seller_id, left(p.name, 500), left(coalesce(u.display_name, u.username), 500),
           left(concat_ws(' ', p.category, p.genre, array_to_string(p.tags, ' '), p.description), 20000),
           jsonb_strip_nulls(jsonb_build_object('slug', p.slug, 'category', p.category, 'genre', p.genre, 'bpm', p.bpm)),
           CASE WHEN p.status = 'active' THEN 'public' ELSE 'private' END::visibility,
           coalesce(p.published_at, p.created_at), p.deleted_at
    FROM products p JOIN users u ON u.id = p.seller_id
    WHERE (ids IS NULL OR p.id = ANY(ids)) AND (p.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'product' AND x.entity_id = p.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'product' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM products p WHERE p.id = si.entity_id);
END;

-- Posts without text (plain reposts) are not documents. Who may see a post depends on more than its row (groups,
-- the author's privacy, follows): the search query applies the social domain's rule on top (ADR 0087).
CREATE FUNCTION search_index_sync_posts(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'post', p.id, p.user_id, left(btrim(p.content), 200), left(coalesce(u.display_name, u.username), 500),
           left(p.content, 20000), '{}'::jsonb, p.visibility, p.created_at, p.deleted_at
    FROM posts p JOIN users u ON u.id = p.user_id
    WHERE (ids IS NULL OR p.id = ANY(ids)) AND btrim(coalesce(p.content, '')) <> '' AND (p.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'post' AND x.entity_id = p.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'post' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM posts p WHERE p.id = si.entity_id AND btrim(coalesce(p.content, '')) <> '');
END;

-- A group's page (name, description) is open to anyone, private groups included (groups.policy.ts mayView).
CREATE FUNCTION search_index_sync_groups(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'group', g.id, g.creator_id, left(g.name, 500), g.slug, left(g.description, 20000),
           jsonb_build_object('slug', g.slug, 'group_type', g.group_type), 'public', g.created_at, g.deleted_at
    FROM groups g
    WHERE (ids IS NULL OR g.id = ANY(ids)) AND (g.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'group' AND x.entity_id = g.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'group' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM groups g WHERE g.id = si.entity_id);
END;

CREATE FUNCTION search_index_sync_courses(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'course', c.id, c.creator_id, left(c.title, 500), left(coalesce(u.display_name, u.username), 500),
           left(concat_ws(' ', c.summary, array_to_string(c.tags, ' '), c.description), 20000),
           jsonb_build_object('slug', c.slug, 'level', c.level, 'language', c.language),
           CASE WHEN c.status = 'published' THEN c.visibility ELSE 'private' END,
           coalesce(c.published_at, c.created_at), c.deleted_at
    FROM courses c JOIN users u ON u.id = c.creator_id
    WHERE (ids IS NULL OR c.id = ANY(ids)) AND (c.deleted_at IS NULL OR EXISTS (
        SELECT FROM search_index x WHERE x.entity_type = 'course' AND x.entity_id = c.id))
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'course' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM courses c WHERE c.id = si.entity_id);
END;

-- A tag is listed while a live post uses it (usage_count, kept by the social domain).
CREATE FUNCTION search_index_sync_hashtags(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE BEGIN ATOMIC
    INSERT INTO search_index (entity_type, entity_id, owner_id, title, subtitle, body, facets, visibility, published_at, deleted_at)
    SELECT 'hashtag', h.id, NULL, left(h.tag, 500), NULL, h.slug, jsonb_build_object('slug', h.slug),
           CASE WHEN h.usage_count > 0 THEN 'public' ELSE 'private' END::visibility, h.last_used_at, NULL
    FROM hashtags h
    WHERE ids IS NULL OR h.id = ANY(ids)
    ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        owner_id = excluded.owner_id, title = excluded.title, subtitle = excluded.subtitle, body = excluded.body,
        facets = excluded.facets, visibility = excluded.visibility, published_at = excluded.published_at,
        deleted_at = excluded.deleted_at
    WHERE (search_index.owner_id, search_index.title, search_index.subtitle, search_index.body, search_index.facets,
           search_index.visibility, search_index.published_at, search_index.deleted_at)
        IS DISTINCT FROM (excluded.owner_id, excluded.title, excluded.subtitle, excluded.body, excluded.facets,
           excluded.visibility, excluded.published_at, excluded.deleted_at);
    DELETE FROM search_index si WHERE si.entity_type = 'hashtag' AND (ids IS NULL OR si.entity_id = ANY(ids))
        AND NOT EXISTS (SELECT FROM hashtags h WHERE h.id = si.entity_id);
END;

-- The trigger functions pass the changed row's id (the old one on DELETE). TG_ARGV names the sync function, so one
-- trigger function serves every source keyed by id.
CREATE FUNCTION search_index_on_source_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
    EXECUTE format('SELECT %I($1)', TG_ARGV[0]) USING ARRAY[changed];
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION search_index_on_source_change() IS 'AFTER trigger of the search sources: rewrites the changed row''s document with the sync function named by the trigger''s argument (ADR 0087)';

-- A renamed account renames the subtitle of everything it owns; profile and settings rows carry a profile's
-- listing state.
CREATE FUNCTION search_index_on_owner_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
BEGIN
    PERFORM search_index_sync_users(ARRAY[owner]);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION search_index_on_owner_change() IS 'AFTER trigger of user_profiles and user_settings: rewrites the owner''s profile document (ADR 0087)';

CREATE FUNCTION search_index_on_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_index_sync_users(ARRAY[NEW.id]);
    IF TG_OP = 'UPDATE' AND (OLD.display_name, OLD.username) IS DISTINCT FROM (NEW.display_name, NEW.username) THEN
        PERFORM search_index_sync_tracks(ARRAY(SELECT id FROM tracks WHERE creator_id = NEW.id));
        PERFORM search_index_sync_playlists(ARRAY(SELECT id FROM playlists WHERE user_id = NEW.id));
        PERFORM search_index_sync_products(ARRAY(SELECT id FROM products WHERE seller_id = NEW.id));
        PERFORM search_index_sync_posts(ARRAY(SELECT id FROM posts WHERE user_id = NEW.id));
        PERFORM search_index_sync_courses(ARRAY(SELECT id FROM courses WHERE creator_id = NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION search_index_on_account_change() IS 'AFTER trigger of users: rewrites the profile document, and on a rename the subtitles of everything the account owns (ADR 0087)';

-- UPDATE OF lists the columns a document is made of: a play, like or counter update rewrites nothing.
CREATE TRIGGER trg_tracks_search_index AFTER INSERT OR DELETE OR UPDATE OF
    title, artist, album, genre, musical_key, description, bpm, duration, visibility, published_at, deleted_at, creator_id
    ON tracks FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_tracks');
CREATE TRIGGER trg_playlists_search_index AFTER INSERT OR DELETE OR UPDATE OF
    name, description, visibility, track_count, deleted_at, user_id
    ON playlists FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_playlists');
CREATE TRIGGER trg_users_search_index AFTER INSERT OR UPDATE OF username, display_name, deleted_at
    ON users FOR EACH ROW EXECUTE FUNCTION search_index_on_account_change();
CREATE TRIGGER trg_user_profiles_search_index AFTER INSERT OR DELETE OR UPDATE OF profile_visibility, tagline, bio
    ON user_profiles FOR EACH ROW EXECUTE FUNCTION search_index_on_owner_change();
CREATE TRIGGER trg_user_settings_search_index AFTER INSERT OR DELETE OR UPDATE OF allow_search_indexing
    ON user_settings FOR EACH ROW EXECUTE FUNCTION search_index_on_owner_change();
CREATE TRIGGER trg_products_search_index AFTER INSERT OR DELETE OR UPDATE OF
    name, slug, category, genre, tags, description, bpm, status, published_at, deleted_at, seller_id
    ON products FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_products');
CREATE TRIGGER trg_posts_search_index AFTER INSERT OR DELETE OR UPDATE OF content, visibility, deleted_at, user_id
    ON posts FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_posts');
CREATE TRIGGER trg_groups_search_index AFTER INSERT OR DELETE OR UPDATE OF
    name, slug, description, group_type, deleted_at, creator_id
    ON groups FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_groups');
CREATE TRIGGER trg_courses_search_index AFTER INSERT OR DELETE OR UPDATE OF
    title, slug, summary, description, tags, level, language, visibility, status, published_at, deleted_at, creator_id
    ON courses FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_courses');
CREATE TRIGGER trg_hashtags_search_index AFTER INSERT OR DELETE OR UPDATE OF tag, slug, usage_count, last_used_at
    ON hashtags FOR EACH ROW EXECUTE FUNCTION search_index_on_source_change('search_index_sync_hashtags');

-- Fill the index from what exists (nothing wrote it before).
SELECT search_index_sync_users(NULL);
SELECT search_index_sync_tracks(NULL);
SELECT search_index_sync_playlists(NULL);
SELECT search_index_sync_products(NULL);
SELECT search_index_sync_posts(NULL);
SELECT search_index_sync_groups(NULL);
SELECT search_index_sync_courses(NULL);
SELECT search_index_sync_hashtags(NULL);
