SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0033-subsonic-credentials.md

-- Issue 13 §6, ADR 0051: the credentials a Subsonic player signs in with at /rest. Veza keeps only a bcrypt hash of
-- the account password, while the Subsonic token scheme needs the password itself (t = md5(password + salt)): a
-- user creates app passwords (sealed with the platform's SecretBox, ADR 0023, so the server can recompute the
-- token) or OpenSubsonic API keys (only their SHA-256 is stored). Each secret is shown once, at creation; revoking
-- deletes the row.
CREATE TABLE subsonic_credentials (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    name VARCHAR(100) NOT NULL,
    kind VARCHAR(20) NOT NULL,
    sealed_password TEXT,
    api_key_hash CHAR(64),
    hint VARCHAR(8) NOT NULL,
    last_used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_subsonic_credentials_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_subsonic_credentials_api_key_hash UNIQUE (api_key_hash),
    CONSTRAINT chk_subsonic_credentials_kind_valid CHECK (kind IN ('app_password', 'api_key')),
    -- Exactly the secret of its kind: a sealed password for an app password, a hash for an API key.
    CONSTRAINT chk_subsonic_credentials_secret_of_kind CHECK (
        (kind = 'app_password' AND sealed_password IS NOT NULL AND api_key_hash IS NULL)
        OR (kind = 'api_key' AND api_key_hash IS NOT NULL AND sealed_password IS NULL)
    ),
    CONSTRAINT chk_subsonic_credentials_api_key_hash_format CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT chk_subsonic_credentials_name_length CHECK (char_length(btrim(name)) >= 1)
);
-- A user's credentials, newest first (the list of GET /v1/me/subsonic-credentials); also serves the foreign key.
CREATE INDEX idx_subsonic_credentials_user_id_created_at ON subsonic_credentials(user_id, created_at DESC);
CREATE TRIGGER trg_subsonic_credentials_updated_at BEFORE UPDATE ON subsonic_credentials
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE subsonic_credentials IS 'App passwords and API keys a user made for Subsonic players (/rest, ADR 0051); deleted when revoked';
COMMENT ON COLUMN subsonic_credentials.name IS 'The label the user gave it, e.g. the player or device it is for';
COMMENT ON COLUMN subsonic_credentials.kind IS 'app_password (u + t/s or p) or api_key (OpenSubsonic apiKey)';
COMMENT ON COLUMN subsonic_credentials.sealed_password IS 'app_password only: the password sealed with SecretBox (AES-256-GCM, ADR 0023), opened to check md5(password + salt) tokens';
COMMENT ON COLUMN subsonic_credentials.api_key_hash IS 'api_key only: SHA-256 (hex) of the key; the key itself is never stored';
COMMENT ON COLUMN subsonic_credentials.hint IS 'The last characters of the secret, so that the user recognises it in the list';
COMMENT ON COLUMN subsonic_credentials.last_used_at IS 'When a player last signed in with it, updated at most once an hour';
