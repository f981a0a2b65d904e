SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0054-analytics-entity-breakdowns.md

-- Issue 18 §6-7, ADR 0093: the sources and devices of a creator's plays and the views of their products and
-- courses, per entity and UTC day, aggregate only. Written by retention.analytics from analytics_events in the
-- transaction that writes track_analytics. distinct_users is what the k-anonymity rule reads: every published
-- figure must describe at least k distinct people. No user id, session or device identifier is stored.
-- One foreign key per kind of entity (exactly one set) rather than entity_type + entity_id: rows are deleted with
-- their track, product or course (ON DELETE CASCADE), so the registry can say follows_parent. entity_id, generated,
-- is the one that is set, so that one unique constraint covers the three kinds.
CREATE TABLE entity_analytics_breakdowns (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    track_id UUID,
    product_id UUID,
    course_id UUID,
    entity_id UUID GENERATED ALWAYS AS (COALESCE(track_id, product_id, course_id)) STORED,
    day DATE NOT NULL,
    event_type VARCHAR(50) NOT NULL,
    dimension VARCHAR(20) NOT NULL DEFAULT 'total',
    dimension_value VARCHAR(50) NOT NULL DEFAULT '',
    event_count INTEGER NOT NULL DEFAULT 0,
    distinct_users INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_entity_analytics_breakdowns_tracks FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE,
    CONSTRAINT fk_entity_analytics_breakdowns_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE,
    CONSTRAINT fk_entity_analytics_breakdowns_courses FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT uq_entity_analytics_breakdowns_cell UNIQUE (entity_id, day, event_type, dimension, dimension_value),
    CONSTRAINT chk_entity_analytics_breakdowns_one_entity CHECK (num_nonnulls(track_id, product_id, course_id) = 1),
    CONSTRAINT chk_entity_analytics_breakdowns_event_type_valid CHECK (event_type IN ('play', 'page_view', 'add_to_cart')),
    CONSTRAINT chk_entity_analytics_breakdowns_dimension_valid CHECK (dimension IN ('total', 'source', 'device_type')),
    CONSTRAINT chk_entity_analytics_breakdowns_dimension_value_total CHECK ((dimension = 'total') = (dimension_value = '')),
    CONSTRAINT chk_entity_analytics_breakdowns_counts_non_negative CHECK (event_count >= 0 AND distinct_users >= 0),
    CONSTRAINT chk_entity_analytics_breakdowns_users_le_events CHECK (distinct_users <= event_count)
);
-- FK indexes for the cascades (the unique constraint leads with entity_id, which serves the creator's reads).
CREATE INDEX idx_entity_analytics_breakdowns_track_id ON entity_analytics_breakdowns(track_id) WHERE track_id IS NOT NULL;
CREATE INDEX idx_entity_analytics_breakdowns_product_id ON entity_analytics_breakdowns(product_id) WHERE product_id IS NOT NULL;
CREATE INDEX idx_entity_analytics_breakdowns_course_id ON entity_analytics_breakdowns(course_id) WHERE course_id IS NOT NULL;
CREATE TRIGGER trg_entity_analytics_breakdowns_updated_at BEFORE UPDATE ON entity_analytics_breakdowns
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE entity_analytics_breakdowns IS 'Per track, product or course and UTC day: events and distinct people in total and by source or device, computed from analytics_events; no per-person data (issue 18, ADR 0093)';
COMMENT ON COLUMN entity_analytics_breakdowns.entity_id IS 'The one of track_id, product_id, course_id that is set';
COMMENT ON COLUMN entity_analytics_breakdowns.event_type IS 'play (tracks), page_view (products, courses), add_to_cart (products)';
COMMENT ON COLUMN entity_analytics_breakdowns.dimension IS 'total, source (plays only: playlist, album, search, direct, unknown) or device_type (mobile, desktop, web, unknown)';
COMMENT ON COLUMN entity_analytics_breakdowns.distinct_users IS 'Distinct signed-in people behind the cell that day, counted at aggregation time; anonymous events count as events, never as people';
