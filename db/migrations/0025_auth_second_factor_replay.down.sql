SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE two_factor_configs DROP COLUMN mfa_tokens_spent_through;
ALTER TABLE two_factor_configs DROP COLUMN totp_last_used_step;
