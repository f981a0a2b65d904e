SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0039-follow-requests.md

-- Issue 15 §1, ADR 0060: following a private profile (user_profiles.profile_visibility = 'private') asks first. A
-- row is a PENDING request only: accepting turns it into a follows row (and deletes it), declining or cancelling
-- deletes it, a block deletes it both ways (ADR 0061). No status column, so nothing is kept about declined
-- requests and the requester can never learn that they were declined rather than not yet seen.
CREATE TABLE follow_requests (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    requester_id UUID NOT NULL,
    target_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_follow_requests_users_requester FOREIGN KEY (requester_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_follow_requests_users_target FOREIGN KEY (target_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_follow_requests_requester_id_target_id UNIQUE (requester_id, target_id),
    CONSTRAINT chk_follow_requests_not_self CHECK (requester_id != target_id)
);
-- The unique constraint's index (requester_id first) serves fk_follow_requests_users_requester and "my pending
-- requests"; this one serves the owner's list of requests (keyset, newest first) and the target's cascade.
CREATE INDEX idx_follow_requests_target_id_created_at ON follow_requests(target_id, created_at DESC, id DESC);
CREATE TRIGGER trg_follow_requests_updated_at BEFORE UPDATE ON follow_requests
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE follow_requests IS 'Pending requests to follow a private profile (issue 15 §1, ADR 0060); accepted: becomes a follows row; declined, cancelled or blocked: deleted';
COMMENT ON COLUMN follow_requests.requester_id IS 'The user who asks to follow';
COMMENT ON COLUMN follow_requests.target_id IS 'The owner of the private profile, who accepts or declines';
COMMENT ON COLUMN follow_requests.created_at IS 'When the request was made';

-- Keyset pages of following / own blocks, newest first (ADR 0060, 0061): the spec's single-column indexes would
-- sort every followed account of a user for each page (followers already have 0022's index). Built without CONCURRENTLY, like 0034:
-- node-pg-migrate runs each migration in a transaction; at the one-year volume each takes seconds and blocks
-- writes to its table meanwhile (RFC 0039).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_follows_follower_id_created_at ON follows(follower_id, created_at DESC, id DESC);
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_blocks_blocker_id_created_at ON blocks(blocker_id, created_at DESC, id DESC);
