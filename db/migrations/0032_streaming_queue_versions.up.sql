SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0032-queue-version-and-positions.md

-- Issue 13 §5, ADR 0050: one play queue per user, shared by all their devices, written with optimistic
-- concurrency. The ETag of GET /v1/me/queue is this version: it must change whenever the queue's state or its
-- items change, whoever changes them (the API, or a cascade when a track row is deleted), so the database keeps it.
ALTER TABLE queues ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
COMMENT ON COLUMN queues.version IS
    'Incremented by every change of the row or of its queue_items (triggers); the ETag of the queue (ADR 0050)';

-- Every UPDATE of a queue row is a new version, including the SET NULL of current_track_id when its track row is
-- deleted. The API skips updates that would change nothing, so a version never moves without a change.
CREATE FUNCTION bump_queue_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION bump_queue_version() IS
    'BEFORE UPDATE on queues: every change of the row is a new version (ETag of the queue, ADR 0050)';
CREATE TRIGGER trg_queues_version BEFORE UPDATE ON queues
    FOR EACH ROW EXECUTE FUNCTION bump_queue_version();

-- A change of items is a change of their queue: once per statement (a 1,000-item reorder updates each queue row
-- once), through the transition tables. Queues are locked in id order, so that two statements touching the same
-- queues (cascades of two track deletions) cannot deadlock on each other.
CREATE FUNCTION touch_queues_of_changed_items() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM queues WHERE id IN (SELECT queue_id FROM new_items) ORDER BY id FOR UPDATE;
        UPDATE queues SET updated_at = now() WHERE id IN (SELECT queue_id FROM new_items);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM queues WHERE id IN (SELECT queue_id FROM old_items) ORDER BY id FOR UPDATE;
        UPDATE queues SET updated_at = now() WHERE id IN (SELECT queue_id FROM old_items);
    ELSE
        PERFORM 1 FROM queues
        WHERE id IN (SELECT queue_id FROM old_items UNION SELECT queue_id FROM new_items) ORDER BY id FOR UPDATE;
        UPDATE queues SET updated_at = now()
        WHERE id IN (SELECT queue_id FROM old_items UNION SELECT queue_id FROM new_items);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION touch_queues_of_changed_items() IS
    'AFTER statement on queue_items: updates each queue whose items changed, which bumps its version (ADR 0050)';
CREATE TRIGGER trg_queue_items_touch_queue_insert AFTER INSERT ON queue_items
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION touch_queues_of_changed_items();
CREATE TRIGGER trg_queue_items_touch_queue_update AFTER UPDATE ON queue_items
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION touch_queues_of_changed_items();
CREATE TRIGGER trg_queue_items_touch_queue_delete AFTER DELETE ON queue_items
    REFERENCING OLD TABLE AS old_items
    FOR EACH STATEMENT EXECUTE FUNCTION touch_queues_of_changed_items();

-- Positions (ADR 0050): 0-based, unique and gap-free within a queue. Items written before this migration (no API
-- wrote any; only seeds and tests, which count from 1) are renumbered 0..n-1 in their current order.
UPDATE queue_items AS item
SET position = ranked.position
FROM (
    SELECT id, (row_number() OVER (PARTITION BY queue_id ORDER BY position, added_at, id) - 1)::integer AS position
    FROM queue_items
) AS ranked
WHERE ranked.id = item.id AND item.position <> ranked.position;

-- Validated at once, under the ALTER's lock: queue_items is empty in production when this runs (the queue API
-- arrives with it), so the scan takes no time; NOT VALID would only leave an unproven constraint behind. The
-- 1,000-item limit is the API's (ADR 0050), not the schema's, so that changing it needs no migration.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE queue_items ADD CONSTRAINT chk_queue_items_position_non_negative CHECK (position >= 0);
-- DEFERRABLE INITIALLY IMMEDIATE: checked at the end of each statement instead of row by row, so that one UPDATE
-- can renumber a queue (a move, an insertion in the middle) without a transient duplicate. Same reasoning as
-- above for building it under the lock. idx_queue_items_queue_id_position (spec §7.8) stays: the spec names it.
-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
ALTER TABLE queue_items ADD CONSTRAINT uq_queue_items_queue_id_position
    UNIQUE (queue_id, position) DEFERRABLE INITIALLY IMMEDIATE;
COMMENT ON COLUMN queue_items.position IS '0-based order of the item in the queue: unique and gap-free (0..n-1) (ADR 0050)';
