SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

ALTER TABLE user_settings DROP CONSTRAINT chk_user_settings_presence_visibility_valid;
ALTER TABLE user_settings DROP COLUMN presence_visibility;
