SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE file_conversions;
DROP TABLE file_metadata;
DROP TABLE file_uploads;
DROP TABLE files;
