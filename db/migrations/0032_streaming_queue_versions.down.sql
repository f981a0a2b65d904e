SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- Positions written since stay as they are (0-based, gap-free): still valid without the constraints.
COMMENT ON COLUMN queue_items.position IS 'Order of the track in the queue';
ALTER TABLE queue_items DROP CONSTRAINT uq_queue_items_queue_id_position;
ALTER TABLE queue_items DROP CONSTRAINT chk_queue_items_position_non_negative;
DROP TRIGGER trg_queue_items_touch_queue_delete ON queue_items;
DROP TRIGGER trg_queue_items_touch_queue_update ON queue_items;
DROP TRIGGER trg_queue_items_touch_queue_insert ON queue_items;
DROP FUNCTION touch_queues_of_changed_items();
DROP TRIGGER trg_queues_version ON queues;
DROP FUNCTION bump_queue_version();
ALTER TABLE queues DROP COLUMN version;
