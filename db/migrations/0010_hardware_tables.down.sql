SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE equipment_maintenance;
DROP TABLE equipment_warranties;
DROP TABLE equipment;
DROP TABLE equipment_categories;
