SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0029-play-count-windows.md

-- Issue 13 §2, ADR 0045: one counted play per listener per track per window, whatever the client reports. A row
-- says when the listener's last counted play of the track opened its window; a report counts only if it inserts
-- the row or moves an expired one forward (INSERT ... ON CONFLICT DO UPDATE ... WHERE), so two parallel reports
-- of one play serialise on the unique key and exactly one of them counts. Clearing one's listening history leaves
-- these rows alone: a "play, clear, play" loop cannot reopen a window. Rows are useless once their window is over
-- and are deleted by the streaming.play-windows-expire job.
CREATE TABLE play_count_windows (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    track_id UUID NOT NULL,
    counted_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_play_count_windows_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_play_count_windows_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT uq_play_count_windows_user_track UNIQUE (user_id, track_id)
);
-- The unique constraint's index (user_id first) serves fk_play_count_windows_users.
CREATE INDEX idx_play_count_windows_track_id ON play_count_windows(track_id);
-- The expiry job deletes by age.
CREATE INDEX idx_play_count_windows_counted_at ON play_count_windows(counted_at);
CREATE TRIGGER trg_play_count_windows_updated_at BEFORE UPDATE ON play_count_windows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE play_count_windows IS
    'Per listener and track, when the last counted play opened its counting window (ADR 0045); deleted once the window is over';
COMMENT ON COLUMN play_count_windows.counted_at IS
    'played_at of the counted play that opened the window; a later report counts once the window (30 minutes, or the track''s duration if longer, at most 24 hours) has passed';
