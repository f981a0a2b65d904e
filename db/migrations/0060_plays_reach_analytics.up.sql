SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0060-plays-reach-analytics.md
-- Issue 18 §6: a creator's statistics come from track_analytics, which the nightly retention.analytics job computes
-- from the 'play' events of analytics_events (ADR 0018). A play counted by the streaming domain lands in
-- playback_history only, so nothing fed those events and a creator's plays never reached their statistics. Each
-- counted play now also writes its 'play' event, in the same transaction, with what the aggregation reads (source,
-- seconds played, completion, device) and nothing more (no IP, no user agent, no country).
CREATE FUNCTION analytics_event_of_play() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_events (event_date, created_at, event_type, user_id, entity_type, entity_id, properties,
                                  device_type)
    VALUES ((NEW.played_at AT TIME ZONE 'UTC')::date, NEW.played_at, 'play', NEW.user_id, 'track', NEW.track_id,
            jsonb_strip_nulls(jsonb_build_object(
                'source', NEW.source,
                'played_seconds', NEW.played_duration,
                'completion_percentage', NEW.completion_percentage)),
            NEW.device_type);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION analytics_event_of_play() IS 'Writes the analytics ''play'' event of a counted play (playback_history row), which the nightly aggregation turns into track_analytics (ADR 0093)';

CREATE TRIGGER trg_playback_history_analytics_event AFTER INSERT ON playback_history
    FOR EACH ROW EXECUTE FUNCTION analytics_event_of_play();
