SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- RFC: docs/rfc/0050-warranty-reminders-and-setup-page.md
-- (that RFC describes this data-only migration too)
-- Issue 17 §6, ADR 0079: the starting list of equipment categories (spec §12 equipment_categories), so that a
-- user can file gear on a fresh install before any administrator has created one. Fixed ids: the seed generator
-- (src/seed/vocabulary.ts EQUIPMENT_CATEGORY_IDS) files its equipment under these same rows. Administrators add,
-- rename and remove categories through the API afterwards; the list is inserted only into an empty table, so a
-- database where categories were made by hand (none exist before this migration: no API wrote them) is left alone.
INSERT INTO equipment_categories (id, parent_id, name, slug, description)
SELECT v.id::uuid, v.parent_id::uuid, v.name, v.slug, v.description
FROM (VALUES
    ('ec000000-0000-4000-8000-000000000001', NULL, 'Instruments', 'instruments', 'Instruments played or programmed'),
    ('ec000000-0000-4000-8000-000000000002', NULL, 'Studio', 'studio', 'Recording and production equipment'),
    ('ec000000-0000-4000-8000-000000000003', NULL, 'Live', 'live', 'Stage and performance equipment'),
    ('ec000000-0000-4000-8000-000000000004', 'ec000000-0000-4000-8000-000000000001', 'Guitars', 'guitars', NULL),
    ('ec000000-0000-4000-8000-000000000005', 'ec000000-0000-4000-8000-000000000001', 'Basses', 'basses', NULL),
    ('ec000000-0000-4000-8000-000000000006', 'ec000000-0000-4000-8000-000000000001', 'Keyboards', 'keyboards', NULL),
    ('ec000000-0000-4000-8000-000000000007', 'ec000000-0000-4000-8000-000000000001', 'Synthesizers', 'synthesizers', NULL),
    ('ec000000-0000-4000-8000-000000000008', 'ec000000-0000-4000-8000-000000000001', 'Drum Machines', 'drum-machines', NULL),
    ('ec000000-0000-4000-8000-000000000009', 'ec000000-0000-4000-8000-000000000001', 'Drums', 'drums', NULL),
    ('ec000000-0000-4000-8000-000000000010', 'ec000000-0000-4000-8000-000000000002', 'Microphones', 'microphones', NULL),
    ('ec000000-0000-4000-8000-000000000011', 'ec000000-0000-4000-8000-000000000002', 'Audio Interfaces', 'audio-interfaces', NULL),
    ('ec000000-0000-4000-8000-000000000012', 'ec000000-0000-4000-8000-000000000002', 'Studio Monitors', 'monitors', NULL),
    ('ec000000-0000-4000-8000-000000000013', 'ec000000-0000-4000-8000-000000000002', 'Headphones', 'headphones', NULL),
    ('ec000000-0000-4000-8000-000000000014', 'ec000000-0000-4000-8000-000000000002', 'Outboard Gear', 'outboard', NULL),
    ('ec000000-0000-4000-8000-000000000015', 'ec000000-0000-4000-8000-000000000002', 'MIDI Controllers', 'controllers', NULL),
    ('ec000000-0000-4000-8000-000000000016', 'ec000000-0000-4000-8000-000000000003', 'DJ Gear', 'dj-gear', NULL),
    ('ec000000-0000-4000-8000-000000000017', 'ec000000-0000-4000-8000-000000000003', 'PA Systems', 'pa-systems', NULL),
    ('ec000000-0000-4000-8000-000000000018', 'ec000000-0000-4000-8000-000000000003', 'Effects Pedals', 'effects-pedals', NULL),
    ('ec000000-0000-4000-8000-000000000019', 'ec000000-0000-4000-8000-000000000003', 'Cables and Stands', 'cables', NULL)
) AS v(id, parent_id, name, slug, description)
WHERE NOT EXISTS (SELECT 1 FROM equipment_categories)
ORDER BY v.parent_id NULLS FIRST;

-- The catalogue now starts filled: said where the table is described.
COMMENT ON TABLE equipment_categories IS 'Equipment types (microphones > condenser, interfaces, synthesizers, ...), managed by administrators (spec §12); migration 0049 inserts the starting list (ADR 0079)';
