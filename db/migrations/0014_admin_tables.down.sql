SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE feature_flags;
DROP TABLE system_configs;
DROP TABLE audit_logs;
DROP TABLE moderation_actions;
DROP TABLE moderation_reports;
