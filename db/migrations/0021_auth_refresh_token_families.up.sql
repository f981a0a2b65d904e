SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- Issue 5 (ADR 0021): refresh tokens rotate on every use; each login starts a family, and every token rotated
-- from it carries the same family_id, so that the reuse of a rotated token can revoke the whole family.
-- Nullable without a default: a new nullable column with no default rewrites nothing and needs no RFC.
ALTER TABLE refresh_tokens ADD COLUMN family_id UUID;
-- The ALTER TABLE above already holds ACCESS EXCLUSIVE on refresh_tokens until commit, so CONCURRENTLY would
-- spare no writer (and cannot run in the migration's transaction); the new column is all NULL, so the partial
-- index is empty when built.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_refresh_tokens_family_id ON refresh_tokens(family_id) WHERE family_id IS NOT NULL;
COMMENT ON COLUMN refresh_tokens.family_id IS 'Id of the first token of the login session this token was rotated from; NULL for tokens issued before rotation families existed';
