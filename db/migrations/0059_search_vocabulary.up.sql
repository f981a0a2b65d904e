SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '300s';

-- RFC: docs/rfc/0059-search-vocabulary.md
-- Issue 18 §5, ADR 0100: search latency. Typos are corrected word by word against a vocabulary of the words of public
-- titles, instead of comparing the whole query by trigrams with every title of search_index: on a corpus of 150,000
-- documents that comparison found thousands of candidate titles per query and read each of them back.

-- GIN's pending list (fastupdate) makes every search scan the entries written since the last flush, up to 4 MB of
-- them: a search index read far more often than written is better served by writing each entry into the tree at once.
ALTER INDEX idx_search_index_tsv_folded_gin SET (fastupdate = off);
SELECT gin_clean_pending_list('idx_search_index_tsv_folded_gin'::regclass);

-- Nothing compares whole titles by trigrams any more: the index would only cost writes.
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX idx_search_index_title_folded_trgm;
COMMENT ON COLUMN search_index.title_folded IS 'Generated lower-case, accent-free title: the exact-title and title-prefix boosts of the ranking (ADR 0088)';

-- What the vocabulary job reads: the documents written since its last run.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_search_index_updated_at ON search_index(updated_at);

CREATE TABLE search_terms (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    term VARCHAR(100) COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    -- Byte order (COLLATE "C") lets this index answer "is some word prefixed by ..." as a range scan.
    CONSTRAINT uq_search_terms_term UNIQUE (term),
    -- A word as the 'search_simple' configuration writes it: folded, lower case, no spaces, 3 characters at least
    -- (shorter words are never corrected: one changed letter of three is another word).
    CONSTRAINT chk_search_terms_term_word CHECK (
        char_length(term) >= 3 AND term = search_fold(term) AND term !~ '\s')
);
-- GiST, not GIN: it answers "the three closest words" by walking the tree (ORDER BY term <-> word LIMIT 3).
CREATE INDEX idx_search_terms_term_trgm ON search_terms USING GIST(term gist_trgm_ops);
CREATE TRIGGER trg_search_terms_updated_at BEFORE UPDATE ON search_terms
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE search_terms IS 'Words of the titles and subtitles of public search_index documents, for typo correction (ADR 0100); filled by the search.vocabulary job, pruned of words no public document holds any more';
COMMENT ON COLUMN search_terms.term IS 'A folded word (search_simple lexeme), 3 to 100 characters';

-- The words of one document as the vocabulary holds them.
CREATE FUNCTION search_terms_of(title text, subtitle text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(
        SELECT word FROM unnest(tsvector_to_array(to_tsvector('public.search_simple'::regconfig,
            coalesce(title, '') || ' ' || coalesce(subtitle, '')))) AS word
        WHERE char_length(word) BETWEEN 3 AND 100 AND word !~ '\s');
COMMENT ON FUNCTION search_terms_of(text, text) IS 'The vocabulary words of a title and subtitle: folded search_simple lexemes of 3 to 100 characters (ADR 0100)';

INSERT INTO search_terms (term)
SELECT DISTINCT word
FROM search_index si, unnest(search_terms_of(si.title, si.subtitle)) AS word
WHERE si.deleted_at IS NULL AND si.visibility = 'public'
ORDER BY word
ON CONFLICT (term) DO NOTHING;
