SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §8.1 (the spec's partial unique index idx_rooms_slug duplicates the constraint: ADR 0004)
CREATE TABLE rooms (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255),
    slug VARCHAR(100),
    description TEXT,
    room_type VARCHAR(50) NOT NULL,
    is_private BOOLEAN NOT NULL DEFAULT false,
    password_hash VARCHAR(255),
    max_members INTEGER,
    creator_id UUID NOT NULL,
    member_count INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_rooms_users FOREIGN KEY (creator_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_rooms_slug UNIQUE (slug),
    CONSTRAINT chk_rooms_room_type_valid CHECK (room_type IN ('public', 'private', 'dm'))
);
CREATE INDEX idx_rooms_creator_id ON rooms(creator_id);
CREATE INDEX idx_rooms_room_type ON rooms(room_type);
CREATE TRIGGER trg_rooms_updated_at BEFORE UPDATE ON rooms
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE rooms IS 'Chat rooms: public, private or direct-message rooms with their members and messages';
COMMENT ON COLUMN rooms.slug IS 'URL identifier of public rooms; NULL for private and dm rooms';
COMMENT ON COLUMN rooms.room_type IS 'public, private or dm (direct message)';
COMMENT ON COLUMN rooms.password_hash IS 'bcrypt hash of the join password of a password-protected room; NULL when the room has none';
COMMENT ON COLUMN rooms.max_members IS 'Member limit; NULL means unlimited';
COMMENT ON COLUMN rooms.member_count IS 'Denormalized count of room_members rows';
COMMENT ON COLUMN rooms.message_count IS 'Denormalized count of messages rows';

-- spec §8.2 (created_at/updated_at added: ADR 0002)
CREATE TABLE room_members (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    role VARCHAR(50) NOT NULL DEFAULT 'member',
    is_banned BOOLEAN NOT NULL DEFAULT false,
    is_muted BOOLEAN NOT NULL DEFAULT false,
    last_read_at TIMESTAMPTZ,
    joined_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_room_members_rooms FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE,
    CONSTRAINT fk_room_members_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_room_members_room_user UNIQUE (room_id, user_id),
    CONSTRAINT chk_room_members_role_valid CHECK (role IN ('owner', 'admin', 'moderator', 'member'))
);
CREATE INDEX idx_room_members_room_id ON room_members(room_id);
CREATE INDEX idx_room_members_user_id ON room_members(user_id);
CREATE INDEX idx_room_members_role ON room_members(role);
CREATE TRIGGER trg_room_members_updated_at BEFORE UPDATE ON room_members
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE room_members IS 'Membership of a user in a chat room, with role, moderation state and read position';
COMMENT ON COLUMN room_members.role IS 'owner, admin, moderator or member';
COMMENT ON COLUMN room_members.last_read_at IS 'Time of the last message the member has read; drives unread counts';

-- spec §8.3, §21.2: partitioned by month on created_at (ADR 0003); updated_at added (ADR 0002).
-- A reply points at (id, created_at) of its parent because the primary key of a partitioned
-- table must contain the partition key (ADR 0003).
CREATE TABLE messages (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    room_id UUID NOT NULL,
    sender_id UUID NOT NULL,
    content TEXT NOT NULL,
    message_type message_type NOT NULL DEFAULT 'text',
    attachment_file_id UUID,
    reply_to_id UUID,
    reply_to_created_at TIMESTAMPTZ,
    is_edited BOOLEAN NOT NULL DEFAULT false,
    edited_at TIMESTAMPTZ,
    is_deleted BOOLEAN NOT NULL DEFAULT false,
    is_pinned BOOLEAN NOT NULL DEFAULT false,
    metadata JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT messages_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT fk_messages_rooms FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE,
    CONSTRAINT fk_messages_users FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_messages_files FOREIGN KEY (attachment_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT fk_messages_messages FOREIGN KEY (reply_to_id, reply_to_created_at)
        REFERENCES messages(id, created_at) ON DELETE SET NULL,
    CONSTRAINT chk_messages_content_length CHECK (LENGTH(content) >= 1 AND LENGTH(content) <= 10000),
    -- a half-filled reference would silently escape the FK (MATCH SIMPLE ignores rows with a NULL column)
    CONSTRAINT chk_messages_reply_to_both_or_none CHECK ((reply_to_id IS NULL) = (reply_to_created_at IS NULL))
) PARTITION BY RANGE (created_at);
CREATE INDEX idx_messages_room_id_created_at ON messages(room_id, created_at DESC);
CREATE INDEX idx_messages_sender_id ON messages(sender_id);
-- the spec indexes reply_to_id alone; the second column makes it cover the composite FK (ADR 0003)
CREATE INDEX idx_messages_reply_to_id ON messages(reply_to_id, reply_to_created_at) WHERE reply_to_id IS NOT NULL;
CREATE INDEX idx_messages_is_pinned ON messages(room_id, is_pinned) WHERE is_pinned = true;
CREATE INDEX idx_messages_attachment_file_id ON messages(attachment_file_id) WHERE attachment_file_id IS NOT NULL;
CREATE INDEX idx_messages_content_gin ON messages USING GIN(to_tsvector('english', content));
CREATE TRIGGER trg_messages_updated_at BEFORE UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE messages IS 'Messages posted in chat rooms; high volume, partitioned by month on created_at, soft-deleted then purged after 30 days (spec §18.1)';
COMMENT ON COLUMN messages.attachment_file_id IS 'Attached file; set NULL when the file is deleted';
COMMENT ON COLUMN messages.reply_to_id IS 'Message this one replies to; set NULL (with reply_to_created_at) when that message is deleted';
COMMENT ON COLUMN messages.reply_to_created_at IS 'created_at of the replied-to message, second half of the composite FK to the partitioned table (ADR 0003)';
COMMENT ON COLUMN messages.is_deleted IS 'Shown as deleted in the room; deleted_at records when, for the 30-day purge';
COMMENT ON COLUMN messages.metadata IS 'Embeds, mentions, etc.';
SELECT ensure_range_partitions('messages', 'month', 3);

-- spec §8.4 (message_created_at added for the composite FK to the partitioned messages: ADR 0003;
-- updated_at added: ADR 0002)
CREATE TABLE message_reactions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id UUID NOT NULL,
    message_created_at TIMESTAMPTZ NOT NULL,
    user_id UUID NOT NULL,
    emoji VARCHAR(10) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_message_reactions_messages FOREIGN KEY (message_id, message_created_at)
        REFERENCES messages(id, created_at) ON DELETE CASCADE,
    CONSTRAINT fk_message_reactions_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_message_reactions_message_user_emoji UNIQUE (message_id, user_id, emoji)
);
-- the spec indexes message_id alone; the second column makes it cover the composite FK (ADR 0003)
CREATE INDEX idx_message_reactions_message_id ON message_reactions(message_id, message_created_at);
CREATE INDEX idx_message_reactions_user_id ON message_reactions(user_id);
CREATE TRIGGER trg_message_reactions_updated_at BEFORE UPDATE ON message_reactions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE message_reactions IS 'Emoji reactions of users to chat messages, one per (message, user, emoji)';
COMMENT ON COLUMN message_reactions.message_created_at IS 'created_at of the message, second half of the composite FK to the partitioned table (ADR 0003)';
COMMENT ON COLUMN message_reactions.emoji IS 'Unicode emoji';

-- spec §8.5 (updated_at added: ADR 0002; deleted_at added for the 30-day purge of spec §18.1)
CREATE TABLE direct_messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    sender_id UUID NOT NULL,
    recipient_id UUID NOT NULL,
    content TEXT NOT NULL,
    message_type message_type NOT NULL DEFAULT 'text',
    attachment_file_id UUID,
    is_read BOOLEAN NOT NULL DEFAULT false,
    read_at TIMESTAMPTZ,
    is_deleted_by_sender BOOLEAN NOT NULL DEFAULT false,
    is_deleted_by_recipient BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_direct_messages_users_sender FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_direct_messages_users_recipient FOREIGN KEY (recipient_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_direct_messages_files FOREIGN KEY (attachment_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_direct_messages_content_length CHECK (LENGTH(content) >= 1 AND LENGTH(content) <= 10000),
    CONSTRAINT chk_direct_messages_different_users CHECK (sender_id != recipient_id)
);
CREATE INDEX idx_direct_messages_sender_id_created_at ON direct_messages(sender_id, created_at DESC);
CREATE INDEX idx_direct_messages_recipient_id_created_at ON direct_messages(recipient_id, created_at DESC);
CREATE INDEX idx_direct_messages_is_read ON direct_messages(recipient_id, is_read) WHERE is_read = false;
CREATE INDEX idx_direct_messages_attachment_file_id ON direct_messages(attachment_file_id) WHERE attachment_file_id IS NOT NULL;
-- one conversation whichever side sent the message
CREATE INDEX idx_direct_messages_conversation ON direct_messages(
    LEAST(sender_id, recipient_id),
    GREATEST(sender_id, recipient_id),
    created_at DESC
);
CREATE TRIGGER trg_direct_messages_updated_at BEFORE UPDATE ON direct_messages
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE direct_messages IS 'Direct messages 1-to-1 (simplified, not using rooms)';
COMMENT ON COLUMN direct_messages.attachment_file_id IS 'Attached file; set NULL when the file is deleted';
COMMENT ON COLUMN direct_messages.is_deleted_by_sender IS 'Hidden from the sender''s view only';
COMMENT ON COLUMN direct_messages.is_deleted_by_recipient IS 'Hidden from the recipient''s view only';
COMMENT ON COLUMN direct_messages.deleted_at IS 'Set once both sides deleted the message; the row is purged 30 days later (spec §18.1)';

-- spec §8.6: id is the primary key and user_id a unique FK (ADR 0002); created_at added (ADR 0002)
CREATE TABLE user_presence (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'offline',
    custom_status VARCHAR(255),
    current_activity VARCHAR(100),
    activity_data JSONB,
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_user_presence_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_user_presence_user_id UNIQUE (user_id),
    CONSTRAINT chk_user_presence_status_valid CHECK (status IN ('online', 'away', 'busy', 'offline'))
);
CREATE INDEX idx_user_presence_status ON user_presence(status);
CREATE INDEX idx_user_presence_last_seen_at ON user_presence(last_seen_at DESC);
CREATE TRIGGER trg_user_presence_updated_at BEFORE UPDATE ON user_presence
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE user_presence IS 'Current online status and activity of a user, one row per user; activity log kept 90 days (spec §18.1)';
COMMENT ON COLUMN user_presence.status IS 'online, away, busy or offline';
COMMENT ON COLUMN user_presence.custom_status IS 'Free text status chosen by the user';
COMMENT ON COLUMN user_presence.current_activity IS 'listening_to, in_room, etc.';
COMMENT ON COLUMN user_presence.activity_data IS 'Details of current_activity (track or room id, ...)';

-- spec §8.7 (created_at/updated_at added: ADR 0002)
CREATE TABLE typing_indicators (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    room_id UUID NOT NULL,
    user_id UUID NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL DEFAULT NOW() + INTERVAL '10 seconds',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_typing_indicators_rooms FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE,
    CONSTRAINT fk_typing_indicators_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_typing_indicators_room_user UNIQUE (room_id, user_id)
);
CREATE INDEX idx_typing_indicators_room_id_expires_at ON typing_indicators(room_id, expires_at);
CREATE INDEX idx_typing_indicators_user_id ON typing_indicators(user_id);
CREATE TRIGGER trg_typing_indicators_updated_at BEFORE UPDATE ON typing_indicators
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE typing_indicators IS 'Ephemeral typing indicators (Redis preferred, but DB fallback); expired rows are removed by a cleanup job';
COMMENT ON COLUMN typing_indicators.expires_at IS 'The indicator is ignored after this time and deleted by the cleanup job';
