SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0024-case-insensitive-usernames.md
-- Issue 10: `alice` and `ALICE` could both register, profiles were found only by their exact spelling, and the
-- login lockout keyed on the lower-cased name, so one account's failures locked its look-alike. A username is now
-- unique whatever its case; the spelling chosen at registration is kept for display.

-- Existing look-alikes: the account registered first (created_at, then id) keeps its name; each later one gets
-- its first 17 characters, '_' and the first 12 hex digits of its id (30 characters at most, still matching
-- chk_users_username_format). The rename goes through the users audit trigger with no actor, so
-- `audit_logs` lists every account renamed here (operation UPDATE, old and new username).
UPDATE users AS renamed
SET username = left(renamed.username, 17) || '_' || left(replace(renamed.id::text, '-', ''), 12)
FROM (
    SELECT id, row_number() OVER (PARTITION BY lower(username) ORDER BY created_at, id) AS position
    FROM users
) AS ranked
WHERE ranked.id = renamed.id AND ranked.position > 1;

-- uq_users_username (spec §4.1) stays: the spec names it, and it is implied by this one. Built without
-- CONCURRENTLY (node-pg-migrate runs each file in a transaction): at the one-year volume (50k users, spec §1.3) it
-- takes well under a second and blocks writes to users meanwhile.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX uq_users_lower_username ON users (lower(username));
COMMENT ON INDEX uq_users_lower_username IS
    'Usernames are unique whatever their case; lookups by username compare lower(username) and use this index';
