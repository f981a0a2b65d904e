SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §4.1
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) NOT NULL,
    email_verified_at TIMESTAMPTZ,
    password_hash VARCHAR(255),
    username VARCHAR(30) NOT NULL,
    first_name VARCHAR(100),
    last_name VARCHAR(100),
    display_name VARCHAR(100),
    role user_role NOT NULL DEFAULT 'user',
    is_active BOOLEAN NOT NULL DEFAULT true,
    is_verified BOOLEAN NOT NULL DEFAULT false,
    is_banned BOOLEAN NOT NULL DEFAULT false,
    token_version INTEGER NOT NULL DEFAULT 0,
    last_password_change_at TIMESTAMPTZ,
    last_login_at TIMESTAMPTZ,
    login_count INTEGER NOT NULL DEFAULT 0,
    last_login_ip INET,
    data_processing_consent BOOLEAN NOT NULL DEFAULT false,
    data_processing_consent_at TIMESTAMPTZ,
    marketing_consent BOOLEAN NOT NULL DEFAULT false,
    marketing_consent_at TIMESTAMPTZ,
    export_requested_at TIMESTAMPTZ,
    exported_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT uq_users_email UNIQUE (email),
    CONSTRAINT uq_users_username UNIQUE (username),
    CONSTRAINT chk_users_email_format CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    CONSTRAINT chk_users_username_format CHECK (username ~* '^[a-zA-Z0-9_]{3,30}$')
);
CREATE INDEX idx_users_email_btree ON users(email) WHERE deleted_at IS NULL;
CREATE INDEX idx_users_username_btree ON users(username) WHERE deleted_at IS NULL;
CREATE INDEX idx_users_role_btree ON users(role);
CREATE INDEX idx_users_created_at_desc ON users(created_at DESC);
CREATE INDEX idx_users_deleted_at_btree ON users(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX idx_users_export_requested_at ON users(export_requested_at) WHERE export_requested_at IS NOT NULL AND exported_at IS NULL;
CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE users IS 'Main users table with authentication, basic profile, and GDPR consent';
COMMENT ON COLUMN users.password_hash IS 'bcrypt hash; NULL for accounts that only log in through a federated identity';
COMMENT ON COLUMN users.token_version IS 'Incremented to invalidate all existing JWTs';
COMMENT ON COLUMN users.data_processing_consent IS 'Explicit GDPR consent for data processing, separate from marketing';
COMMENT ON COLUMN users.marketing_consent IS 'Separate GDPR consent for marketing communications';
COMMENT ON COLUMN users.export_requested_at IS 'GDPR Art.20 - timestamp of data portability request';
COMMENT ON COLUMN users.exported_at IS 'GDPR Art.20 - timestamp when data export was fulfilled';

-- spec §4.2 (updated_at added: ADR 0002)
CREATE TABLE refresh_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    token VARCHAR(255) NOT NULL,
    token_hash VARCHAR(255) NOT NULL,
    device_name VARCHAR(255),
    device_type VARCHAR(50),
    user_agent TEXT,
    ip_address INET,
    expires_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    is_revoked BOOLEAN NOT NULL DEFAULT false,
    revoked_at TIMESTAMPTZ,
    revoked_reason VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_refresh_tokens_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_refresh_tokens_token UNIQUE (token),
    CONSTRAINT chk_refresh_tokens_expires_future CHECK (expires_at > created_at),
    CONSTRAINT chk_refresh_tokens_device_type_valid CHECK (device_type IN ('mobile', 'desktop', 'tablet'))
);
CREATE INDEX idx_refresh_tokens_user_id ON refresh_tokens(user_id);
CREATE INDEX idx_refresh_tokens_token_hash ON refresh_tokens(token_hash);
CREATE INDEX idx_refresh_tokens_expires_at ON refresh_tokens(expires_at);
CREATE INDEX idx_refresh_tokens_is_revoked ON refresh_tokens(is_revoked) WHERE is_revoked = false;
CREATE TRIGGER trg_refresh_tokens_updated_at BEFORE UPDATE ON refresh_tokens
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE refresh_tokens IS 'Long-lived refresh tokens of JWT sessions, one per device';
COMMENT ON COLUMN refresh_tokens.token IS 'Public selector used to find the row; useless without the secret verifier';
COMMENT ON COLUMN refresh_tokens.token_hash IS 'SHA-256 of the secret verifier; the verifier itself is never stored';

-- spec §4.3 (updated_at added: ADR 0002)
CREATE TABLE password_reset_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    token VARCHAR(255) NOT NULL,
    token_hash VARCHAR(255) NOT NULL,
    used BOOLEAN NOT NULL DEFAULT false,
    used_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ NOT NULL,
    ip_address INET,
    user_agent TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_password_reset_tokens_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_password_reset_tokens_token UNIQUE (token),
    CONSTRAINT chk_password_reset_expires CHECK (expires_at > created_at)
);
CREATE INDEX idx_password_reset_tokens_user_id ON password_reset_tokens(user_id);
CREATE INDEX idx_password_reset_tokens_token_hash ON password_reset_tokens(token_hash);
CREATE INDEX idx_password_reset_tokens_expires_at ON password_reset_tokens(expires_at);
CREATE TRIGGER trg_password_reset_tokens_updated_at BEFORE UPDATE ON password_reset_tokens
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE password_reset_tokens IS 'Single-use, expiring password reset tokens';
COMMENT ON COLUMN password_reset_tokens.token IS 'Public selector used to find the row; useless without the secret verifier';
COMMENT ON COLUMN password_reset_tokens.token_hash IS 'SHA-256 of the secret verifier; the verifier itself is never stored';

-- spec §4.4 (updated_at added: ADR 0002)
CREATE TABLE email_verification_tokens (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    token VARCHAR(255) NOT NULL,
    token_hash VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT false,
    verified_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_email_verification_tokens_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_email_verification_tokens_token UNIQUE (token),
    CONSTRAINT chk_email_verification_expires CHECK (expires_at > created_at)
);
CREATE INDEX idx_email_verification_tokens_user_id ON email_verification_tokens(user_id);
CREATE INDEX idx_email_verification_tokens_token_hash ON email_verification_tokens(token_hash);
CREATE INDEX idx_email_verification_tokens_email ON email_verification_tokens(email);
CREATE TRIGGER trg_email_verification_tokens_updated_at BEFORE UPDATE ON email_verification_tokens
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE email_verification_tokens IS 'Single-use, expiring tokens proving ownership of an email address';
COMMENT ON COLUMN email_verification_tokens.token IS 'Public selector used to find the row; useless without the secret verifier';
COMMENT ON COLUMN email_verification_tokens.token_hash IS 'SHA-256 of the secret verifier; the verifier itself is never stored';
COMMENT ON COLUMN email_verification_tokens.email IS 'Email to verify';

-- spec §4.5 (updated_at added: ADR 0002)
CREATE TABLE password_history (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_password_history_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX idx_password_history_user_id_created_at ON password_history(user_id, created_at DESC);
CREATE TRIGGER trg_password_history_updated_at BEFORE UPDATE ON password_history
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE password_history IS 'Store last 5 password hashes to prevent reuse';

-- spec §4.6 (the spec's extra unique index on user_id duplicates the constraint: ADR 0004)
CREATE TABLE two_factor_configs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    totp_secret VARCHAR(255),
    totp_enabled BOOLEAN NOT NULL DEFAULT false,
    totp_enabled_at TIMESTAMPTZ,
    backup_codes JSONB,
    sms_phone VARCHAR(20),
    sms_enabled BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_two_factor_configs_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_two_factor_configs_user_id UNIQUE (user_id)
);
CREATE TRIGGER trg_two_factor_configs_updated_at BEFORE UPDATE ON two_factor_configs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE two_factor_configs IS 'Second-factor settings of a user: TOTP, backup codes, SMS';
COMMENT ON COLUMN two_factor_configs.totp_secret IS 'TOTP shared secret, encrypted by the application before storage';
COMMENT ON COLUMN two_factor_configs.backup_codes IS 'Array of hashed single-use backup codes';

-- spec §4.7 (the spec's extra unique index on (provider, provider_user_id) duplicates the constraint: ADR 0004)
CREATE TABLE federated_identities (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    provider VARCHAR(50) NOT NULL,
    provider_user_id VARCHAR(255) NOT NULL,
    access_token TEXT,
    refresh_token TEXT,
    token_expires_at TIMESTAMPTZ,
    provider_email VARCHAR(255),
    provider_username VARCHAR(255),
    provider_avatar_url TEXT,
    provider_profile_data JSONB,
    is_primary BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_federated_identities_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_federated_identities_provider_user UNIQUE (provider, provider_user_id)
);
CREATE INDEX idx_federated_identities_user_id ON federated_identities(user_id);
CREATE INDEX idx_federated_identities_provider ON federated_identities(provider);
CREATE TRIGGER trg_federated_identities_updated_at BEFORE UPDATE ON federated_identities
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE federated_identities IS 'OAuth/SSO identities (Google, GitHub, Discord, Spotify) linked to an account';
COMMENT ON COLUMN federated_identities.access_token IS 'Provider access token, encrypted by the application before storage';
COMMENT ON COLUMN federated_identities.refresh_token IS 'Provider refresh token, encrypted by the application before storage';
COMMENT ON COLUMN federated_identities.is_primary IS 'Primary login method';

-- spec §4.8, §21.1: partitioned by month on attempted_at (ADR 0003); created_at/updated_at added (ADR 0002)
CREATE TABLE login_attempts (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    identifier VARCHAR(255) NOT NULL,
    success BOOLEAN NOT NULL,
    failure_reason VARCHAR(100),
    ip_address INET NOT NULL,
    user_agent TEXT,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT login_attempts_pkey PRIMARY KEY (id, attempted_at)
) PARTITION BY RANGE (attempted_at);
CREATE INDEX idx_login_attempts_identifier_attempted_at ON login_attempts(identifier, attempted_at DESC);
CREATE INDEX idx_login_attempts_ip_address_attempted_at ON login_attempts(ip_address, attempted_at DESC);
CREATE INDEX idx_login_attempts_success ON login_attempts(success);
CREATE TRIGGER trg_login_attempts_updated_at BEFORE UPDATE ON login_attempts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE login_attempts IS 'Every login attempt, for brute-force protection; partitioned by month, kept 90 days (spec §18.1)';
COMMENT ON COLUMN login_attempts.identifier IS 'Email or username as typed by the caller';
COMMENT ON COLUMN login_attempts.failure_reason IS 'invalid_password, account_locked, etc.';
SELECT ensure_range_partitions('login_attempts', 'month', 3);
