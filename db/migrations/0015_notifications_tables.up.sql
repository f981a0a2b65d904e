SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §1.2 ("Other: notifications"), §3.2 (notification_type): in-app notifications of one recipient.
-- No deleted_at: a notification is seen only by its recipient, and dismissing one deletes the row.
-- The closed notification_type enum (follow, like, comment, message, mention, system) leaves no room for
-- engagement nudges such as streak reminders or "come back" prompts (spec §17.3).
CREATE TABLE notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    actor_id UUID,
    type notification_type NOT NULL,
    entity_type VARCHAR(50),
    entity_id UUID,
    title VARCHAR(255) NOT NULL,
    body TEXT,
    data JSONB NOT NULL DEFAULT '{}'::jsonb,
    is_read BOOLEAN NOT NULL DEFAULT false,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_notifications_users_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_notifications_users_actor FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT chk_notifications_entity_type_valid CHECK (entity_type IN (
        'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
        'room', 'group', 'product', 'product_review', 'order', 'course')),
    CONSTRAINT chk_notifications_entity_both_or_neither CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    CONSTRAINT chk_notifications_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT chk_notifications_data_object CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT chk_notifications_read_at_consistent CHECK (is_read = (read_at IS NOT NULL))
);
-- FK index, and the notification list, newest first.
CREATE INDEX idx_notifications_user_id_created_at ON notifications(user_id, created_at DESC);
-- Unread badge count and the unread list.
CREATE INDEX idx_notifications_user_id_unread ON notifications(user_id, created_at DESC) WHERE is_read = false;
CREATE INDEX idx_notifications_actor_id ON notifications(actor_id) WHERE actor_id IS NOT NULL;
CREATE TRIGGER trg_notifications_updated_at BEFORE UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE notifications IS 'In-app notifications sent to a user (follow, like, comment, message, mention, system)';
COMMENT ON COLUMN notifications.user_id IS 'Recipient';
COMMENT ON COLUMN notifications.actor_id IS 'User whose action caused the notification; NULL for system notifications and once that account is deleted';
COMMENT ON COLUMN notifications.entity_type IS 'Kind of object the notification links to; NULL when it links to nothing';
COMMENT ON COLUMN notifications.entity_id IS 'Id of that object; no foreign key, the object may have been deleted since';
COMMENT ON COLUMN notifications.title IS 'Text rendered at creation time, in the recipient''s language';
COMMENT ON COLUMN notifications.data IS 'Extra rendering data (snippet, deep link parameters)';
COMMENT ON COLUMN notifications.read_at IS 'When the recipient read it; set exactly when is_read is true';
