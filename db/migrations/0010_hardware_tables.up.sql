SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §12 gives the four hardware tables only by name; their columns are designed here under the spec's rules.

-- spec §12 "equipment_categories - Equipment types"
CREATE TABLE equipment_categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    parent_id UUID,
    name VARCHAR(100) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_equipment_categories_equipment_categories FOREIGN KEY (parent_id) REFERENCES equipment_categories(id) ON DELETE SET NULL,
    CONSTRAINT uq_equipment_categories_name UNIQUE (name),
    CONSTRAINT uq_equipment_categories_slug UNIQUE (slug),
    CONSTRAINT chk_equipment_categories_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT chk_equipment_categories_not_own_parent CHECK (parent_id <> id)
);
CREATE INDEX idx_equipment_categories_parent_id ON equipment_categories(parent_id) WHERE parent_id IS NOT NULL;
CREATE TRIGGER trg_equipment_categories_updated_at BEFORE UPDATE ON equipment_categories
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE equipment_categories IS 'Equipment types (microphones > condenser, interfaces, synthesizers, ...), managed by administrators (spec §12)';
COMMENT ON COLUMN equipment_categories.parent_id IS 'Broader category; NULL for a top-level category. Deleting a parent promotes its children to top level';
COMMENT ON COLUMN equipment_categories.slug IS 'URL identifier: lowercase letters, digits and single hyphens';

-- spec §12 "equipment - User equipment inventory"
CREATE TABLE equipment (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    category_id UUID NOT NULL,
    name VARCHAR(255) NOT NULL,
    brand VARCHAR(100),
    model VARCHAR(255),
    serial_number VARCHAR(100),
    purchase_date DATE,
    purchase_price DECIMAL(10,2),
    currency CHAR(3),
    purchased_from VARCHAR(255),
    condition VARCHAR(20) NOT NULL DEFAULT 'good',
    status VARCHAR(20) NOT NULL DEFAULT 'owned',
    photo_file_id UUID,
    notes TEXT,
    is_public BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_equipment_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_equipment_equipment_categories FOREIGN KEY (category_id) REFERENCES equipment_categories(id) ON DELETE RESTRICT,
    CONSTRAINT fk_equipment_files FOREIGN KEY (photo_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_equipment_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT chk_equipment_purchase_price_non_negative CHECK (purchase_price >= 0),
    CONSTRAINT chk_equipment_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT chk_equipment_currency_with_price CHECK (purchase_price IS NULL OR currency IS NOT NULL),
    CONSTRAINT chk_equipment_condition_valid CHECK (condition IN ('new', 'excellent', 'good', 'fair', 'poor', 'broken')),
    CONSTRAINT chk_equipment_status_valid CHECK (status IN ('owned', 'lent', 'sold', 'lost', 'stolen', 'retired'))
);
CREATE INDEX idx_equipment_user_id ON equipment(user_id);
CREATE INDEX idx_equipment_category_id ON equipment(category_id);
CREATE INDEX idx_equipment_photo_file_id ON equipment(photo_file_id) WHERE photo_file_id IS NOT NULL;
CREATE TRIGGER trg_equipment_updated_at BEFORE UPDATE ON equipment
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE equipment IS 'A user''s inventory of music equipment, optionally shown on their profile (spec §12)';
COMMENT ON COLUMN equipment.name IS 'The owner''s label for the item ("Studio vocal mic")';
COMMENT ON COLUMN equipment.serial_number IS 'Private to the owner even when is_public (theft and fraud risk); the API never exposes it to others';
COMMENT ON COLUMN equipment.purchase_price IS 'Price paid, in currency; private to the owner';
COMMENT ON COLUMN equipment.currency IS 'ISO 4217 code of purchase_price; required when a price is given';
COMMENT ON COLUMN equipment.purchased_from IS 'Shop or seller, for warranty and insurance claims';
COMMENT ON COLUMN equipment.condition IS 'new, excellent, good, fair, poor, broken';
COMMENT ON COLUMN equipment.status IS 'owned, lent, sold, lost, stolen, retired: whether the item is still in the owner''s hands';
COMMENT ON COLUMN equipment.is_public IS 'Shown in the owner''s public "gear" list (name, brand, model, category, photo only)';

-- spec §12 "equipment_warranties - Warranty tracking"
CREATE TABLE equipment_warranties (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    equipment_id UUID NOT NULL,
    coverage_type VARCHAR(20) NOT NULL DEFAULT 'manufacturer',
    provider VARCHAR(255) NOT NULL,
    reference_number VARCHAR(100),
    starts_on DATE NOT NULL,
    ends_on DATE,
    document_file_id UUID,
    notes TEXT,
    expiry_reminder_sent_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_equipment_warranties_equipment FOREIGN KEY (equipment_id) REFERENCES equipment(id) ON DELETE CASCADE,
    CONSTRAINT fk_equipment_warranties_files FOREIGN KEY (document_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_equipment_warranties_coverage_type_valid CHECK (coverage_type IN ('manufacturer', 'retailer', 'extended', 'insurance')),
    CONSTRAINT chk_equipment_warranties_ends_after_start CHECK (ends_on >= starts_on)
);
CREATE INDEX idx_equipment_warranties_equipment_id ON equipment_warranties(equipment_id);
CREATE INDEX idx_equipment_warranties_document_file_id ON equipment_warranties(document_file_id) WHERE document_file_id IS NOT NULL;
CREATE INDEX idx_equipment_warranties_ends_on ON equipment_warranties(ends_on) WHERE ends_on IS NOT NULL AND expiry_reminder_sent_at IS NULL;
CREATE TRIGGER trg_equipment_warranties_updated_at BEFORE UPDATE ON equipment_warranties
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE equipment_warranties IS 'Warranties and insurance covering an equipment item (spec §12)';
COMMENT ON COLUMN equipment_warranties.coverage_type IS 'manufacturer, retailer, extended, insurance';
COMMENT ON COLUMN equipment_warranties.provider IS 'Who honours the warranty: manufacturer, shop or insurer';
COMMENT ON COLUMN equipment_warranties.reference_number IS 'Warranty, registration or policy number';
COMMENT ON COLUMN equipment_warranties.ends_on IS 'Last covered day; NULL for a lifetime warranty';
COMMENT ON COLUMN equipment_warranties.document_file_id IS 'Scan of the warranty card, receipt or policy';
COMMENT ON COLUMN equipment_warranties.expiry_reminder_sent_at IS 'When the owner was notified of the coming expiry; NULL until then';

-- spec §12 "equipment_maintenance - Maintenance history"
CREATE TABLE equipment_maintenance (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    equipment_id UUID NOT NULL,
    maintenance_type VARCHAR(20) NOT NULL DEFAULT 'service',
    performed_on DATE NOT NULL,
    description TEXT NOT NULL,
    performed_by VARCHAR(255),
    cost DECIMAL(10,2),
    currency CHAR(3),
    invoice_file_id UUID,
    next_due_on DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_equipment_maintenance_equipment FOREIGN KEY (equipment_id) REFERENCES equipment(id) ON DELETE CASCADE,
    CONSTRAINT fk_equipment_maintenance_files FOREIGN KEY (invoice_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT chk_equipment_maintenance_maintenance_type_valid CHECK (maintenance_type IN ('service', 'repair', 'calibration', 'upgrade', 'cleaning', 'inspection')),
    CONSTRAINT chk_equipment_maintenance_cost_non_negative CHECK (cost >= 0),
    CONSTRAINT chk_equipment_maintenance_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT chk_equipment_maintenance_currency_with_cost CHECK (cost IS NULL OR currency IS NOT NULL),
    CONSTRAINT chk_equipment_maintenance_next_due_after CHECK (next_due_on >= performed_on)
);
CREATE INDEX idx_equipment_maintenance_equipment_id_performed_on ON equipment_maintenance(equipment_id, performed_on DESC);
CREATE INDEX idx_equipment_maintenance_invoice_file_id ON equipment_maintenance(invoice_file_id) WHERE invoice_file_id IS NOT NULL;
CREATE TRIGGER trg_equipment_maintenance_updated_at BEFORE UPDATE ON equipment_maintenance
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE equipment_maintenance IS 'Service and repair history of an equipment item (spec §12)';
COMMENT ON COLUMN equipment_maintenance.maintenance_type IS 'service, repair, calibration, upgrade, cleaning, inspection';
COMMENT ON COLUMN equipment_maintenance.performed_by IS 'Technician or repair shop, as typed by the owner (not an account)';
COMMENT ON COLUMN equipment_maintenance.cost IS 'Amount paid, in currency';
COMMENT ON COLUMN equipment_maintenance.currency IS 'ISO 4217 code of cost; required when a cost is given';
COMMENT ON COLUMN equipment_maintenance.invoice_file_id IS 'Scan of the invoice or repair report';
COMMENT ON COLUMN equipment_maintenance.next_due_on IS 'When the next service is recommended, if any';
