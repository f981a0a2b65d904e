// The gear domain (spec §12 Hardware; issue 17 §6-8). Other domains import from this file only.
export { gearModule } from './gear.module.ts';
export { gearWarrantyReminders } from './gear.jobs.ts';

/** Tables this domain owns: only its repositories read or write them (migrations 0010, 0050). */
export const hardwareTables = [
  'equipment_categories',
  'equipment',
  'equipment_warranties',
  'equipment_maintenance',
  'equipment_warranty_reminders',
] as const;
