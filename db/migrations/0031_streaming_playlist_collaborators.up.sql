SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0031-playlist-collaborators-and-positions.md

-- Issue 13 §4, ADR 0049: collaborative playlists. The spec keeps only playlists.is_collaborative; who the owner
-- invited needs rows. Only the owner adds collaborators, so added_by is the owner at the time; it is kept as a
-- column (not derived from playlists.user_id) so that the entry says who invited whom even if that ever changes.
CREATE TABLE playlist_collaborators (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    playlist_id UUID NOT NULL,
    user_id UUID NOT NULL,
    added_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_playlist_collaborators_playlists FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE,
    CONSTRAINT fk_playlist_collaborators_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    -- SET NULL: the collaboration outlives the account of whoever invited (an owner's playlist goes with the owner
    -- anyway, by fk_playlist_collaborators_playlists).
    CONSTRAINT fk_playlist_collaborators_users_added_by FOREIGN KEY (added_by) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT uq_playlist_collaborators_playlist_id_user_id UNIQUE (playlist_id, user_id)
);
-- The unique constraint's index (playlist_id first) serves fk_playlist_collaborators_playlists; this one serves
-- "playlists I collaborate on", newest first, and the cascade of fk_playlist_collaborators_users.
CREATE INDEX idx_playlist_collaborators_user_id_created_at ON playlist_collaborators(user_id, created_at DESC);
CREATE INDEX idx_playlist_collaborators_added_by ON playlist_collaborators(added_by) WHERE added_by IS NOT NULL;
CREATE TRIGGER trg_playlist_collaborators_updated_at BEFORE UPDATE ON playlist_collaborators
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE playlist_collaborators IS 'Users the owner of a playlist invited to add, remove and reorder its tracks (issue 13 §4, ADR 0049); removing or leaving deletes the row';
COMMENT ON COLUMN playlist_collaborators.user_id IS 'The collaborator';
COMMENT ON COLUMN playlist_collaborators.added_by IS 'Who invited the collaborator (the owner); NULL once that account is deleted';
COMMENT ON COLUMN playlist_collaborators.created_at IS 'When the collaborator was added';

-- Positions (ADR 0049): 0-based, unique and gap-free within a playlist, at most 10,000 entries. Entries written
-- before this migration (no API wrote any; only seeds and tests) are renumbered 0..n-1 in their current order.
UPDATE playlist_tracks AS entry
SET position = ranked.position
FROM (
    SELECT id, (row_number() OVER (PARTITION BY playlist_id ORDER BY position, added_at, id) - 1)::integer AS position
    FROM playlist_tracks
) AS ranked
WHERE ranked.id = entry.id AND entry.position <> ranked.position;

-- Validated at once, under the ALTER's lock: playlist_tracks is empty in production when this runs (the playlist
-- API arrives with it), so the scan takes no time; NOT VALID would only leave an unproven constraint behind.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE playlist_tracks ADD CONSTRAINT chk_playlist_tracks_position_range CHECK (position >= 0 AND position < 10000);
-- DEFERRABLE INITIALLY IMMEDIATE: checked at the end of each statement instead of row by row, so that one UPDATE
-- can shift a run of entries by one (position + 1) or rotate them (a move) without a transient duplicate; a
-- transaction may still SET CONSTRAINTS ... DEFERRED. Same reasoning as above for building it under the lock.
-- idx_playlist_tracks_playlist_id_position (spec §7.3) stays: the spec names it.
-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
ALTER TABLE playlist_tracks ADD CONSTRAINT uq_playlist_tracks_playlist_id_position
    UNIQUE (playlist_id, position) DEFERRABLE INITIALLY IMMEDIATE;
COMMENT ON COLUMN playlist_tracks.position IS '0-based order of the entry in the playlist: unique and gap-free (0..n-1), at most 10,000 entries (ADR 0049)';
