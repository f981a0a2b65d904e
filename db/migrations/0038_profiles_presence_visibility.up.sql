SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0038-presence-visibility.md
-- Issue 14 §5: "Presence is shown only to people the user allows (a setting)". ADR 0059 decides the three
-- audiences; the default is the middle one (people who share a room with the user), never "everyone".
-- A constant default on PostgreSQL 11+ is stored in the catalog: no table rewrite. The CHECK is checked on the
-- existing rows under the ACCESS EXCLUSIVE lock of the ALTER: one row per account, each holding the default just
-- added, so the scan is short (RFC 0038); NOT VALID + VALIDATE would gain nothing inside the migration's single
-- transaction.
ALTER TABLE user_settings ADD COLUMN presence_visibility VARCHAR(20) NOT NULL DEFAULT 'shared_rooms';
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE user_settings ADD CONSTRAINT chk_user_settings_presence_visibility_valid
    CHECK (presence_visibility IN ('everyone', 'shared_rooms', 'nobody'));
COMMENT ON COLUMN user_settings.presence_visibility IS 'Who sees the user''s presence (status, last seen, custom status): everyone, shared_rooms (people who are members of a room with them) or nobody (ADR 0059); blocked users never do';
