SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0027-username-changes.md
-- ADR 0031: a username may change once per hold period; the name given up stays reserved to its account for
-- that period (nobody else can register it or change to it, its owner may take it back), then it is free.
-- Two nullable columns without default and a non-unique index are allowed without an RFC; the RFC is cited
-- because every migration of a change set that needs one must cite one (ADR 0016).
ALTER TABLE users ADD COLUMN previous_username VARCHAR(30);
ALTER TABLE users ADD COLUMN previous_username_held_until TIMESTAMPTZ;
COMMENT ON COLUMN users.previous_username IS
    'The username given up by the last change (ADR 0031); reserved to this account until previous_username_held_until';
COMMENT ON COLUMN users.previous_username_held_until IS
    'End of the hold on previous_username; also when the username may next change';

-- Registration and username changes look for a held name whatever its case. Not unique: once a hold is over the
-- name may be taken, and given up again, by another account while the first row still remembers it.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX idx_users_lower_previous_username ON users (lower(previous_username))
    WHERE previous_username IS NOT NULL;
