SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE sync_operations;
DROP TABLE backup_jobs;
DROP TABLE cloud_accounts;
