SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE user_badges;
DROP TABLE badges;
DROP TABLE user_roles;
DROP TABLE user_settings;
DROP TABLE user_profiles;
