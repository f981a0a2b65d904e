SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE track_downloads;
DROP TABLE playlist_followers;
DROP TABLE queue_items;
DROP TABLE queues;
DROP TABLE track_comments;
DROP TABLE track_likes;
DROP TABLE playback_history;
DROP TABLE playlist_tracks;
DROP TABLE playlists;
DROP TABLE tracks;
