SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §7.1 (two FKs to files, named by column stem: db/README.md)
CREATE TABLE tracks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id UUID NOT NULL,
    file_id UUID NOT NULL,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    artist VARCHAR(255),
    album VARCHAR(255),
    genre VARCHAR(100),
    duration INTEGER NOT NULL,
    bpm INTEGER,
    musical_key VARCHAR(10),
    visibility visibility NOT NULL DEFAULT 'public',
    is_downloadable BOOLEAN NOT NULL DEFAULT false,
    cover_art_file_id UUID,
    waveform_data JSONB,
    play_count INTEGER NOT NULL DEFAULT 0,
    like_count INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    download_count INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_tracks_users FOREIGN KEY (creator_id) REFERENCES users(id) ON DELETE CASCADE,
    -- The audio file cannot be deleted while a track still uses it.
    CONSTRAINT fk_tracks_files_file FOREIGN KEY (file_id) REFERENCES files(id) ON DELETE RESTRICT,
    CONSTRAINT fk_tracks_files_cover_art FOREIGN KEY (cover_art_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_tracks_duration_positive CHECK (duration > 0)
);
CREATE INDEX idx_tracks_creator_id ON tracks(creator_id);
CREATE INDEX idx_tracks_genre ON tracks(genre);
CREATE INDEX idx_tracks_visibility ON tracks(visibility);
CREATE INDEX idx_tracks_published_at_desc ON tracks(published_at DESC) WHERE published_at IS NOT NULL;
CREATE INDEX idx_tracks_play_count_desc ON tracks(play_count DESC);
CREATE INDEX idx_tracks_created_at_desc ON tracks(created_at DESC);
CREATE INDEX idx_tracks_file_id ON tracks(file_id);
CREATE INDEX idx_tracks_cover_art_file_id ON tracks(cover_art_file_id) WHERE cover_art_file_id IS NOT NULL;
-- Full-text search; queries must repeat this exact expression for the index to be used.
CREATE INDEX idx_tracks_search_gin ON tracks USING GIN(to_tsvector('english', title || ' ' || COALESCE(artist, '') || ' ' || COALESCE(album, '')));
CREATE TRIGGER trg_tracks_updated_at BEFORE UPDATE ON tracks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE tracks IS 'Audio tracks published by creators';
COMMENT ON COLUMN tracks.creator_id IS 'User who uploaded and owns the track';
COMMENT ON COLUMN tracks.file_id IS 'Audio file of the track';
COMMENT ON COLUMN tracks.duration IS 'Duration in seconds';
COMMENT ON COLUMN tracks.is_downloadable IS 'Whether listeners may download the audio file (see track_downloads)';
COMMENT ON COLUMN tracks.waveform_data IS 'Waveform visualization data';
COMMENT ON COLUMN tracks.play_count IS 'Denormalized count of plays';
COMMENT ON COLUMN tracks.like_count IS 'Denormalized count of track_likes rows';
COMMENT ON COLUMN tracks.comment_count IS 'Denormalized count of track_comments rows';
COMMENT ON COLUMN tracks.download_count IS 'Denormalized count of track_downloads rows';
COMMENT ON COLUMN tracks.published_at IS 'When the track was made available; NULL while it is a draft';

-- spec §7.2
CREATE TABLE playlists (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    cover_url TEXT,
    visibility visibility NOT NULL DEFAULT 'public',
    is_collaborative BOOLEAN NOT NULL DEFAULT false,
    track_count INTEGER NOT NULL DEFAULT 0,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    follower_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_playlists_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX idx_playlists_user_id ON playlists(user_id);
CREATE INDEX idx_playlists_visibility ON playlists(visibility);
CREATE INDEX idx_playlists_created_at_desc ON playlists(created_at DESC);
CREATE TRIGGER trg_playlists_updated_at BEFORE UPDATE ON playlists
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE playlists IS 'Ordered collections of tracks made by users, possibly collaborative';
COMMENT ON COLUMN playlists.user_id IS 'Owner of the playlist';
COMMENT ON COLUMN playlists.is_collaborative IS 'Whether users other than the owner may add tracks';
COMMENT ON COLUMN playlists.track_count IS 'Denormalized count of playlist_tracks rows';
COMMENT ON COLUMN playlists.duration_seconds IS 'Denormalized total duration of the tracks, in seconds';
COMMENT ON COLUMN playlists.follower_count IS 'Denormalized count of playlist_followers rows';

-- spec §7.3 (created_at and updated_at added: ADR 0002)
CREATE TABLE playlist_tracks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    playlist_id UUID NOT NULL,
    track_id UUID NOT NULL,
    position INTEGER NOT NULL,
    added_by UUID NOT NULL,
    added_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_playlist_tracks_playlists FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE,
    CONSTRAINT fk_playlist_tracks_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT fk_playlist_tracks_users FOREIGN KEY (added_by) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_playlist_tracks_playlist_track UNIQUE (playlist_id, track_id)
);
CREATE INDEX idx_playlist_tracks_playlist_id_position ON playlist_tracks(playlist_id, position);
CREATE INDEX idx_playlist_tracks_track_id ON playlist_tracks(track_id);
CREATE INDEX idx_playlist_tracks_added_by ON playlist_tracks(added_by);
CREATE TRIGGER trg_playlist_tracks_updated_at BEFORE UPDATE ON playlist_tracks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE playlist_tracks IS 'Tracks of a playlist, in order';
COMMENT ON COLUMN playlist_tracks.position IS 'Order of the track in the playlist';
COMMENT ON COLUMN playlist_tracks.added_by IS 'User who added the track (the owner or a collaborator)';

-- spec §7.4, §21.1: partitioned by month on played_at, PK (id, played_at) (ADR 0003). user_id is nullable with
-- ON DELETE SET NULL: anonymisation (spec §18.3) sets it NULL, as a random UUID would break the FK (ADR 0003).
-- created_at/updated_at added (ADR 0002).
CREATE TABLE playback_history (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID,
    track_id UUID NOT NULL,
    played_duration INTEGER NOT NULL,
    completion_percentage INTEGER NOT NULL,
    source VARCHAR(50),
    source_id UUID,
    device_type VARCHAR(50),
    played_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT playback_history_pkey PRIMARY KEY (id, played_at),
    CONSTRAINT fk_playback_history_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT fk_playback_history_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT chk_playback_history_completion CHECK (completion_percentage >= 0 AND completion_percentage <= 100),
    CONSTRAINT chk_playback_history_source_valid CHECK (source IN ('playlist', 'album', 'search', 'direct')),
    CONSTRAINT chk_playback_history_device_type_valid CHECK (device_type IN ('mobile', 'desktop', 'web'))
) PARTITION BY RANGE (played_at);
CREATE INDEX idx_playback_history_user_id_played_at ON playback_history(user_id, played_at DESC);
CREATE INDEX idx_playback_history_track_id ON playback_history(track_id);
CREATE TRIGGER trg_playback_history_updated_at BEFORE UPDATE ON playback_history
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE playback_history IS 'One row per play of a track; partitioned by month, anonymised after 12 months (spec §18.1)';
COMMENT ON COLUMN playback_history.user_id IS 'Listener; NULL once anonymised or after the account was deleted (ADR 0003)';
COMMENT ON COLUMN playback_history.played_duration IS 'Seconds actually played';
COMMENT ON COLUMN playback_history.completion_percentage IS 'Share of the track played, 0-100';
COMMENT ON COLUMN playback_history.source IS 'Where the play started: playlist, album, search or direct; NULL once anonymised';
COMMENT ON COLUMN playback_history.source_id IS 'ID of the playlist, album, etc. named by source (no FK: it may point at several tables)';
COMMENT ON COLUMN playback_history.device_type IS 'mobile, desktop or web; NULL once anonymised';
SELECT ensure_range_partitions('playback_history', 'month', 3);

-- spec §7.5 (updated_at added: ADR 0002)
CREATE TABLE track_likes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    track_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_track_likes_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_track_likes_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT uq_track_likes_user_track UNIQUE (user_id, track_id)
);
CREATE INDEX idx_track_likes_user_id ON track_likes(user_id);
CREATE INDEX idx_track_likes_track_id_created_at ON track_likes(track_id, created_at DESC);
CREATE TRIGGER trg_track_likes_updated_at BEFORE UPDATE ON track_likes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE track_likes IS 'A user likes a track (at most once); unliking deletes the row';

-- spec §7.6
CREATE TABLE track_comments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    track_id UUID NOT NULL,
    user_id UUID NOT NULL,
    content TEXT NOT NULL,
    parent_comment_id UUID,
    timestamp_seconds INTEGER,
    is_edited BOOLEAN NOT NULL DEFAULT false,
    is_deleted BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_track_comments_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT fk_track_comments_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_track_comments_track_comments FOREIGN KEY (parent_comment_id) REFERENCES track_comments(id) ON DELETE CASCADE,
    CONSTRAINT chk_track_comments_content_length CHECK (LENGTH(content) >= 1 AND LENGTH(content) <= 5000)
);
CREATE INDEX idx_track_comments_track_id_created_at ON track_comments(track_id, created_at DESC);
CREATE INDEX idx_track_comments_user_id ON track_comments(user_id);
CREATE INDEX idx_track_comments_parent_comment_id ON track_comments(parent_comment_id) WHERE parent_comment_id IS NOT NULL;
CREATE INDEX idx_track_comments_timestamp_seconds ON track_comments(track_id, timestamp_seconds) WHERE timestamp_seconds IS NOT NULL;
CREATE TRIGGER trg_track_comments_updated_at BEFORE UPDATE ON track_comments
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE track_comments IS 'Comments on a track, threaded, optionally pinned to a moment of the waveform';
COMMENT ON COLUMN track_comments.parent_comment_id IS 'Comment this one replies to; NULL for a top-level comment';
COMMENT ON COLUMN track_comments.timestamp_seconds IS 'Moment of the track the comment refers to (waveform comment); NULL for a general comment';

-- spec §7.7 (created_at added: ADR 0002; the spec's unique index idx_queues_user_id duplicates the inline UNIQUE: ADR 0004)
CREATE TABLE queues (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    current_track_id UUID,
    current_position INTEGER NOT NULL DEFAULT 0,
    is_playing BOOLEAN NOT NULL DEFAULT false,
    shuffle BOOLEAN NOT NULL DEFAULT false,
    repeat_mode VARCHAR(20) NOT NULL DEFAULT 'off',
    volume INTEGER NOT NULL DEFAULT 100,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_queues_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_queues_tracks FOREIGN KEY (current_track_id) REFERENCES tracks(id) ON DELETE SET NULL,
    CONSTRAINT uq_queues_user_id UNIQUE (user_id),
    CONSTRAINT chk_queues_repeat_mode_valid CHECK (repeat_mode IN ('off', 'track', 'queue')),
    -- The spec documents volume as a percentage.
    CONSTRAINT chk_queues_volume_range CHECK (volume >= 0 AND volume <= 100)
);
CREATE INDEX idx_queues_current_track_id ON queues(current_track_id) WHERE current_track_id IS NOT NULL;
CREATE TRIGGER trg_queues_updated_at BEFORE UPDATE ON queues
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE queues IS 'User playback queues (current listening session).';
COMMENT ON COLUMN queues.current_position IS 'Playback position in the current track, in seconds';
COMMENT ON COLUMN queues.repeat_mode IS 'off, track or queue';
COMMENT ON COLUMN queues.volume IS 'Volume, 0-100';

-- spec §7.8 (created_at and updated_at added: ADR 0002)
CREATE TABLE queue_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    queue_id UUID NOT NULL,
    track_id UUID NOT NULL,
    position INTEGER NOT NULL,
    added_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_queue_items_queues FOREIGN KEY (queue_id) REFERENCES queues(id) ON DELETE CASCADE,
    CONSTRAINT fk_queue_items_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE
);
CREATE INDEX idx_queue_items_queue_id_position ON queue_items(queue_id, position);
CREATE INDEX idx_queue_items_track_id ON queue_items(track_id);
CREATE TRIGGER trg_queue_items_updated_at BEFORE UPDATE ON queue_items
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE queue_items IS 'Tracks waiting in a playback queue, in order';
COMMENT ON COLUMN queue_items.position IS 'Order of the track in the queue';

-- Not a CREATE TABLE of the spec: implied by playlists.follower_count (spec §7.2), which needs rows to count.
CREATE TABLE playlist_followers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    playlist_id UUID NOT NULL,
    user_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_playlist_followers_playlists FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE,
    CONSTRAINT fk_playlist_followers_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_playlist_followers_playlist_user UNIQUE (playlist_id, user_id)
);
CREATE INDEX idx_playlist_followers_user_id_created_at ON playlist_followers(user_id, created_at DESC);
CREATE TRIGGER trg_playlist_followers_updated_at BEFORE UPDATE ON playlist_followers
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE playlist_followers IS 'A user follows a playlist (at most once); drives playlists.follower_count; unfollowing deletes the row';
COMMENT ON COLUMN playlist_followers.created_at IS 'When the user started following the playlist';

-- Not a CREATE TABLE of the spec: implied by tracks.download_count (spec §7.1), which needs rows to count.
-- Data minimisation: no IP address, user agent or device is stored.
CREATE TABLE track_downloads (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    track_id UUID NOT NULL,
    user_id UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_track_downloads_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    -- SET NULL keeps the download counted when the account is deleted (same reasoning as playback_history, ADR 0003).
    CONSTRAINT fk_track_downloads_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX idx_track_downloads_track_id_created_at ON track_downloads(track_id, created_at DESC);
CREATE INDEX idx_track_downloads_user_id ON track_downloads(user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER trg_track_downloads_updated_at BEFORE UPDATE ON track_downloads
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE track_downloads IS 'One row per download of a downloadable track; drives tracks.download_count';
COMMENT ON COLUMN track_downloads.user_id IS 'Who downloaded; NULL for an anonymous download, after anonymisation or once the account was deleted';
COMMENT ON COLUMN track_downloads.created_at IS 'When the download happened';
