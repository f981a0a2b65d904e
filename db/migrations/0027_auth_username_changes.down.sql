DROP INDEX IF EXISTS idx_users_lower_previous_username;
ALTER TABLE users DROP COLUMN IF EXISTS previous_username_held_until;
ALTER TABLE users DROP COLUMN IF EXISTS previous_username;
