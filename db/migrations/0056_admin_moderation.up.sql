SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0056-admin-moderation.md

-- Issue 18 §11-12, ADR 0095: moderation reports, queue and actions.

-- A suspension is a ban with an end: authentication refuses the account while suspended_until is in the future
-- and lets it in again afterwards, so lifting an expired suspension needs no job (ADR 0095). The column is
-- written only by the admin domain's suspend and restore actions (through the auth domain's index).
ALTER TABLE users ADD COLUMN suspended_until TIMESTAMPTZ;
COMMENT ON COLUMN users.suspended_until IS
    'End of a moderator''s suspension: sign-in and tokens are refused until then; NULL or past means not suspended (ADR 0095)';

-- ADR 0090 revokes certificates with a statement of reasons: the moderation log and reports can now name them.
-- Each CHECK is scanned under the ALTER's lock: a superset of the old list, so nothing can fail, over tables of a few
-- thousand rows (RFC 0056); NOT VALID + VALIDATE would gain nothing in the migration's single transaction.
ALTER TABLE moderation_reports DROP CONSTRAINT chk_moderation_reports_entity_type_valid;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE moderation_reports ADD CONSTRAINT chk_moderation_reports_entity_type_valid CHECK (entity_type IN (
    'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
    'room', 'group', 'product', 'product_review', 'course', 'certificate'));
ALTER TABLE moderation_actions DROP CONSTRAINT chk_moderation_actions_entity_type_valid;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE moderation_actions ADD CONSTRAINT chk_moderation_actions_entity_type_valid CHECK (entity_type IN (
    'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
    'room', 'group', 'product', 'product_review', 'course', 'certificate'));

-- The moderators' queue filtered by kind of object, oldest first (the status index serves the unfiltered queue).
-- Pending reports only: a few hundred rows at most, indexed in milliseconds inside the migration's transaction.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_moderation_reports_entity_type_created_at ON moderation_reports(entity_type, created_at, id)
    WHERE status IN ('open', 'in_review');
