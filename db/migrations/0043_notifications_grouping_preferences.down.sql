SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE notification_preferences;
ALTER TABLE notifications DROP COLUMN emailed_at;
DROP TABLE notification_actors;
DROP INDEX uq_notifications_user_id_type_entity_unread;
