-- The accounts renamed by the up migration keep their new names: the rename is data, and audit_logs holds the old.
DROP INDEX IF EXISTS uq_users_lower_username;
