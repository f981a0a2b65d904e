SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE refresh_tokens DROP COLUMN rotation_sealed_token;
