SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- Positions written since stay as they are (0-based, gap-free): still valid without the constraints.
COMMENT ON COLUMN playlist_tracks.position IS 'Order of the track in the playlist';
ALTER TABLE playlist_tracks DROP CONSTRAINT uq_playlist_tracks_playlist_id_position;
ALTER TABLE playlist_tracks DROP CONSTRAINT chk_playlist_tracks_position_range;
DROP TABLE playlist_collaborators;
