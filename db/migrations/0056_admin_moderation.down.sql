SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP INDEX idx_moderation_reports_entity_type_created_at;
-- Reports and log entries about certificates cannot be kept under the narrower list: they are lost.
DELETE FROM moderation_actions WHERE entity_type = 'certificate';
DELETE FROM moderation_reports WHERE entity_type = 'certificate';
ALTER TABLE moderation_actions DROP CONSTRAINT chk_moderation_actions_entity_type_valid;
ALTER TABLE moderation_actions ADD CONSTRAINT chk_moderation_actions_entity_type_valid CHECK (entity_type IN (
    'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
    'room', 'group', 'product', 'product_review', 'course'));
ALTER TABLE moderation_reports DROP CONSTRAINT chk_moderation_reports_entity_type_valid;
ALTER TABLE moderation_reports ADD CONSTRAINT chk_moderation_reports_entity_type_valid CHECK (entity_type IN (
    'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
    'room', 'group', 'product', 'product_review', 'course'));
ALTER TABLE users DROP COLUMN suspended_until;
