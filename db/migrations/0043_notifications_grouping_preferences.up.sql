SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '10min';
-- RFC: docs/rfc/0043-notification-grouping-and-preferences.md

-- Issue 15 §7, ADR 0066: "A and 12 others liked your track" is ONE unread notification updated in place, not 13.
-- A group is (recipient, type, entity): at most one UNREAD row per group, enforced by a unique partial index that
-- notify() targets with INSERT … ON CONFLICT. Once read, the next cause opens a new group. Notifications without
-- an entity (system) are never grouped: NULLs are distinct in a unique index.
-- Rows written before this migration may hold several unread rows of one group: the older ones are marked read
-- (nothing is deleted), so the index can be built.
UPDATE notifications n
SET is_read = true, read_at = NOW()
WHERE n.is_read = false
  AND n.entity_id IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM notifications newer
      WHERE newer.user_id = n.user_id AND newer.type = n.type AND newer.entity_type = n.entity_type
        AND newer.entity_id = n.entity_id AND newer.is_read = false
        AND (newer.created_at, newer.id) > (n.created_at, n.id));
-- Built without CONCURRENTLY, like 0034: node-pg-migrate runs each migration in a transaction, and the UPDATE
-- above must precede it in the same one (RFC 0043).
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX uq_notifications_user_id_type_entity_unread
    ON notifications(user_id, type, entity_type, entity_id) WHERE is_read = false;
COMMENT ON INDEX uq_notifications_user_id_type_entity_unread IS
    'One unread notification per (recipient, type, entity): the grouping key of notify() (ADR 0066)';

-- Who is in a group: one row per actor, so the count is exact under concurrent likes and an unlike removes exactly
-- that actor (retractNotification). Both sides cascade: a deleted account leaves no trace in anyone's group.
CREATE TABLE notification_actors (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    notification_id UUID NOT NULL,
    actor_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_notification_actors_notification_actor UNIQUE (notification_id, actor_id),
    CONSTRAINT fk_notification_actors_notifications FOREIGN KEY (notification_id) REFERENCES notifications(id) ON DELETE CASCADE,
    CONSTRAINT fk_notification_actors_users FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE CASCADE
);
-- The unique pair serves the notification side; this one the actor side (cascade, forgetNotificationsBetween).
CREATE INDEX idx_notification_actors_actor_id ON notification_actors(actor_id);
CREATE TRIGGER trg_notification_actors_updated_at BEFORE UPDATE ON notification_actors
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE notification_actors IS 'The actors of a grouped notification ("A and 12 others"), one row each (ADR 0066)';
COMMENT ON COLUMN notification_actors.actor_id IS 'A user whose action is counted in the notification';
COMMENT ON COLUMN notification_actors.created_at IS 'When this actor joined the group; the newest few are named in the title';

-- Delivery of the 'email' channel: set once the notification was mailed, so the mail job is idempotent.
ALTER TABLE notifications ADD COLUMN emailed_at TIMESTAMPTZ;
COMMENT ON COLUMN notifications.emailed_at IS 'When the notification was sent by email (channel email, ADR 0067); NULL: not mailed';

-- Per-user preferences (ADR 0066): one channel per notification type, quiet hours in the user's time zone and the
-- opt-in digest. No row = the defaults (every type in_app, no quiet hours, no digest). 'system' notices (security,
-- legal) cannot be turned off and have no column.
CREATE TABLE notification_preferences (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    follow_channel VARCHAR(10) NOT NULL DEFAULT 'in_app',
    like_channel VARCHAR(10) NOT NULL DEFAULT 'in_app',
    comment_channel VARCHAR(10) NOT NULL DEFAULT 'in_app',
    mention_channel VARCHAR(10) NOT NULL DEFAULT 'in_app',
    message_channel VARCHAR(10) NOT NULL DEFAULT 'in_app',
    quiet_hours_start TIME,
    quiet_hours_end TIME,
    time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
    digest VARCHAR(10) NOT NULL DEFAULT 'off',
    digest_sent_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_notification_preferences_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_notification_preferences_user_id UNIQUE (user_id),
    CONSTRAINT chk_notification_preferences_follow_channel_valid CHECK (follow_channel IN ('in_app', 'email', 'none')),
    CONSTRAINT chk_notification_preferences_like_channel_valid CHECK (like_channel IN ('in_app', 'email', 'none')),
    CONSTRAINT chk_notification_preferences_comment_channel_valid CHECK (comment_channel IN ('in_app', 'email', 'none')),
    CONSTRAINT chk_notification_preferences_mention_channel_valid CHECK (mention_channel IN ('in_app', 'email', 'none')),
    CONSTRAINT chk_notification_preferences_message_channel_valid CHECK (message_channel IN ('in_app', 'email', 'none')),
    CONSTRAINT chk_notification_preferences_quiet_hours_both_or_neither
        CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL)),
    CONSTRAINT chk_notification_preferences_time_zone_not_blank CHECK (btrim(time_zone) <> ''),
    CONSTRAINT chk_notification_preferences_digest_valid CHECK (digest IN ('off', 'daily', 'weekly'))
);
-- The digest job reads the users who opted in.
CREATE INDEX idx_notification_preferences_digest ON notification_preferences(digest_sent_at) WHERE digest <> 'off';
CREATE TRIGGER trg_notification_preferences_updated_at BEFORE UPDATE ON notification_preferences
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE notification_preferences IS 'Notification preferences of a user: channel per type, quiet hours, digest (ADR 0066); no row = defaults';
COMMENT ON COLUMN notification_preferences.follow_channel IS 'in_app: listed and pushed live; email: also mailed; none: not created at all';
COMMENT ON COLUMN notification_preferences.quiet_hours_start IS 'Local time (time_zone) from which nothing is pushed live; notifications are still stored and listed';
COMMENT ON COLUMN notification_preferences.quiet_hours_end IS 'Local time at which quiet hours end; may be before the start (overnight)';
COMMENT ON COLUMN notification_preferences.time_zone IS 'IANA time zone of the quiet hours and the digest, e.g. Europe/Paris (checked by the application)';
COMMENT ON COLUMN notification_preferences.digest IS 'Opt-in email digest of unread notifications: off, daily or weekly';
COMMENT ON COLUMN notification_preferences.digest_sent_at IS 'End of the period covered by the last digest sent; the digest job is idempotent on it';
