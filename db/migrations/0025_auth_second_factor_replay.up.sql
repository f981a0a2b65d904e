SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0025-second-factor-replay-and-refresh-grace.md
-- Issue 10 §2 (outside probe): a TOTP code stayed valid for its whole window after use, and an mfa_token could
-- complete a login twice. Nullable without a default: adding them rewrites nothing and needs no RFC.
ALTER TABLE two_factor_configs ADD COLUMN totp_last_used_step BIGINT;
ALTER TABLE two_factor_configs ADD COLUMN mfa_tokens_spent_through TIMESTAMPTZ;
COMMENT ON COLUMN two_factor_configs.totp_last_used_step IS 'RFC 6238 time step of the last TOTP code accepted; codes of this step or an earlier one are refused (no replay)';
COMMENT ON COLUMN two_factor_configs.mfa_tokens_spent_through IS 'Issue time of the newest login challenge (mfa_token) completed; a challenge issued at or before it is spent';
