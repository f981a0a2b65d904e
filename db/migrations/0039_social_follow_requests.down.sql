SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP INDEX idx_blocks_blocker_id_created_at;
DROP INDEX idx_follows_follower_id_created_at;
DROP TABLE follow_requests;
