SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE login_attempts;
DROP TABLE federated_identities;
DROP TABLE two_factor_configs;
DROP TABLE password_history;
DROP TABLE email_verification_tokens;
DROP TABLE password_reset_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
