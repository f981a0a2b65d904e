SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TRIGGER IF EXISTS trg_playback_history_analytics_event ON playback_history;
DROP FUNCTION IF EXISTS analytics_event_of_play();
