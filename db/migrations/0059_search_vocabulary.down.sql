SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '300s';

DROP TABLE IF EXISTS search_terms;
DROP FUNCTION IF EXISTS search_terms_of(text, text);
DROP INDEX IF EXISTS idx_search_index_updated_at;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS idx_search_index_title_folded_trgm ON search_index USING GIN(title_folded gin_trgm_ops) WHERE deleted_at IS NULL;
ALTER INDEX idx_search_index_tsv_folded_gin RESET (fastupdate);
COMMENT ON COLUMN search_index.title_folded IS 'Generated lower-case, accent-free title: trigram similarity (typos, partial words) and exact-title boost';
