SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §14 gives the two search tables only by name; their columns are designed here under the spec's rules.
-- Search is explicit and lexical (spec §17.1): no popularity boosts, recommendation scores or click tracking.

-- spec §14 "search_queries - User search history"
CREATE TABLE search_queries (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID,
    query_text VARCHAR(500) NOT NULL,
    filters JSONB NOT NULL DEFAULT '{}',
    result_count INTEGER NOT NULL DEFAULT 0,
    searched_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_search_queries_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_search_queries_query_text_not_blank CHECK (btrim(query_text) <> ''),
    CONSTRAINT chk_search_queries_filters_object CHECK (jsonb_typeof(filters) = 'object'),
    CONSTRAINT chk_search_queries_result_count_non_negative CHECK (result_count >= 0)
);
CREATE INDEX idx_search_queries_user_id_searched_at ON search_queries(user_id, searched_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX idx_search_queries_searched_at ON search_queries(searched_at);
CREATE TRIGGER trg_search_queries_updated_at BEFORE UPDATE ON search_queries
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE search_queries IS 'Searches made, for the user''s own "recent searches" list (spec §14). Personal data: deleted after 90 days (activity-log retention, spec §18.1), deleted at once when the user clears their history, and unlinked from the person (user_id NULL) when the account is deleted. No IP, device or clicked results are stored';
COMMENT ON COLUMN search_queries.user_id IS 'Who searched; NULL for anonymous visitors and after account deletion';
COMMENT ON COLUMN search_queries.query_text IS 'Text as typed; may contain personal data, hence the short retention';
COMMENT ON COLUMN search_queries.filters IS 'Filters applied, e.g. {"entity_types": ["track"], "genre": "jazz"}';
COMMENT ON COLUMN search_queries.result_count IS 'Number of results returned; lets the product spot searches that find nothing';

-- spec §14 "search_index - Global search index"
CREATE TABLE search_index (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_type VARCHAR(20) NOT NULL,
    entity_id UUID NOT NULL,
    owner_id UUID,
    title VARCHAR(500) NOT NULL,
    subtitle VARCHAR(500),
    body TEXT,
    facets JSONB NOT NULL DEFAULT '{}',
    visibility visibility NOT NULL DEFAULT 'public',
    published_at TIMESTAMPTZ,
    -- 'simple': no stemming or stop words, because content mixes French, English and other languages.
    -- Weights rank title over subtitle over body: lexical relevance only.
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(subtitle, '')), 'B')
        || setweight(to_tsvector('simple', coalesce(body, '')), 'C')
    ) STORED,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_search_index_users FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_search_index_entity_type_entity_id UNIQUE (entity_type, entity_id),
    CONSTRAINT chk_search_index_entity_type_valid CHECK (entity_type IN ('track', 'playlist', 'user', 'post', 'product', 'course', 'group', 'room')),
    CONSTRAINT chk_search_index_facets_object CHECK (jsonb_typeof(facets) = 'object')
);
CREATE INDEX idx_search_index_tsv_gin ON search_index USING GIN(tsv) WHERE deleted_at IS NULL;
CREATE INDEX idx_search_index_facets_gin ON search_index USING GIN(facets);
CREATE INDEX idx_search_index_owner_id ON search_index(owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX idx_search_index_entity_type_published_at ON search_index(entity_type, published_at DESC) WHERE deleted_at IS NULL;
CREATE TRIGGER trg_search_index_updated_at BEFORE UPDATE ON search_index
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE search_index IS 'One searchable document per track, playlist, user, post, product, course, group or room, written by the application whenever the source changes (spec §14)';
COMMENT ON COLUMN search_index.entity_type IS 'track, playlist, user, post, product, course, group, room';
COMMENT ON COLUMN search_index.entity_id IS 'id of the row in the entity_type''s table; polymorphic, so no foreign key: the application deletes the document with its source';
COMMENT ON COLUMN search_index.owner_id IS 'Account that owns the source (creator, seller, group owner, the user itself); lets owners search their private content and removes the documents with the account';
COMMENT ON COLUMN search_index.subtitle IS 'Secondary text: artist, creator or seller display name';
COMMENT ON COLUMN search_index.body IS 'Description, tags and other searchable text of the source';
COMMENT ON COLUMN search_index.facets IS 'Filterable attributes copied from the source, e.g. {"genre": "jazz", "bpm": 120, "price": 9.99, "level": "beginner"}; no popularity or recommendation scores';
COMMENT ON COLUMN search_index.visibility IS 'Copy of the source''s visibility; public search returns public documents only';
COMMENT ON COLUMN search_index.published_at IS 'Publication time of the source, for "newest first" ordering';
COMMENT ON COLUMN search_index.tsv IS 'Generated full-text vector of title (weight A), subtitle (B) and body (C), ''simple'' configuration';
COMMENT ON COLUMN search_index.deleted_at IS 'Copy of the source''s soft deletion; deleted documents drop out of the search index';
