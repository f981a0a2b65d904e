// The hardware domain (spec §12 Hardware). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0010). */
export const hardwareTables = [
  'equipment_categories',
  'equipment',
  'equipment_warranties',
  'equipment_maintenance',
] as const;
