SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0050-warranty-reminders-and-setup-page.md
-- Issue 17 §7-8, ADR 0079.

-- Warranty reminders, exactly once each (issue 17 §7): one row per reminder sent, written in the transaction that
-- creates the notification. The unique key makes a second run, a late run or two runs at once send nothing twice.
-- ends_on is part of the key: when the owner moves a warranty's end date, the reminders of the new date are due.
CREATE TABLE equipment_warranty_reminders (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    warranty_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    ends_on DATE NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_equipment_warranty_reminders_equipment_warranties FOREIGN KEY (warranty_id) REFERENCES equipment_warranties(id) ON DELETE CASCADE,
    CONSTRAINT uq_equipment_warranty_reminders_warranty_id_kind_ends_on UNIQUE (warranty_id, kind, ends_on),
    CONSTRAINT chk_equipment_warranty_reminders_kind_valid CHECK (kind IN ('thirty_days', 'end_day'))
);
CREATE TRIGGER trg_equipment_warranty_reminders_updated_at BEFORE UPDATE ON equipment_warranty_reminders
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE equipment_warranty_reminders IS 'Warranty expiry reminders already sent, one per (warranty, kind, end date): what makes the reminder job exactly-once (ADR 0079)';
COMMENT ON COLUMN equipment_warranty_reminders.kind IS 'thirty_days: sent from 30 days before the end; end_day: sent on the last covered day (or later, when the job ran late)';
COMMENT ON COLUMN equipment_warranty_reminders.ends_on IS 'The end date the reminder was about; a moved end date is reminded again';
COMMENT ON COLUMN equipment_warranty_reminders.sent_at IS 'The job''s clock when the notification was created';

-- The opt-in public "my setup" page (issue 17 §8): off until the owner turns it on. A constant default is
-- catalog-only (no rewrite).
ALTER TABLE user_settings ADD COLUMN gear_setup_public BOOLEAN NOT NULL DEFAULT false;
COMMENT ON COLUMN user_settings.gear_setup_public IS 'Whether the user''s public "my setup" page lists their equipment marked is_public (ADR 0079); never serial numbers, prices, notes or documents';

-- Reminders link to the warranty they are about.
ALTER TABLE notifications DROP CONSTRAINT chk_notifications_entity_type_valid;
-- The CHECK is scanned under the ALTER's lock: one short column test per notification, a superset of the old list
-- so nothing can fail (RFC 0050); NOT VALID + VALIDATE would gain nothing in the migration's single transaction.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE notifications ADD CONSTRAINT chk_notifications_entity_type_valid CHECK (entity_type IN (
    'user', 'track', 'playlist', 'track_comment', 'post', 'post_comment', 'message', 'direct_message',
    'room', 'group', 'product', 'product_review', 'order', 'course', 'equipment_warranty'));
