import type { CheckCase } from './check-case.ts';

export const hardwareCheckCases: CheckCase[] = [
  { table: 'equipment_categories', constraint: 'chk_equipment_categories_slug_format', bad: { slug: 'Mics & more' } },
  {
    table: 'equipment_categories',
    constraint: 'chk_equipment_categories_not_own_parent',
    bad: { id: '11111111-1111-4111-8111-111111111111', parent_id: '11111111-1111-4111-8111-111111111111' },
  },
  { table: 'equipment', constraint: 'chk_equipment_name_not_blank', bad: { name: '  ' } },
  { table: 'equipment', constraint: 'chk_equipment_purchase_price_non_negative', bad: { purchase_price: '-1.00' } },
  { table: 'equipment', constraint: 'chk_equipment_currency_format', bad: { currency: 'eur' } },
  { table: 'equipment', constraint: 'chk_equipment_currency_with_price', bad: { currency: null } },
  { table: 'equipment', constraint: 'chk_equipment_condition_valid', bad: { condition: 'mint' } },
  { table: 'equipment', constraint: 'chk_equipment_status_valid', bad: { status: 'borrowed' } },
  {
    table: 'equipment_warranties',
    constraint: 'chk_equipment_warranties_coverage_type_valid',
    bad: { coverage_type: 'lifetime' },
  },
  {
    table: 'equipment_warranties',
    constraint: 'chk_equipment_warranties_ends_after_start',
    bad: { starts_on: '2025-01-02', ends_on: '2025-01-01' },
  },
  {
    table: 'equipment_maintenance',
    constraint: 'chk_equipment_maintenance_maintenance_type_valid',
    bad: { maintenance_type: 'tuning' },
  },
  { table: 'equipment_maintenance', constraint: 'chk_equipment_maintenance_cost_non_negative', bad: { cost: '-5.00' } },
  { table: 'equipment_maintenance', constraint: 'chk_equipment_maintenance_currency_format', bad: { currency: '€' } },
  {
    table: 'equipment_maintenance',
    constraint: 'chk_equipment_maintenance_currency_with_cost',
    bad: { currency: null },
  },
  {
    table: 'equipment_maintenance',
    constraint: 'chk_equipment_maintenance_next_due_after',
    bad: { performed_on: '2025-06-01', next_due_on: '2025-05-31' },
  },
  {
    table: 'equipment_warranty_reminders',
    constraint: 'chk_equipment_warranty_reminders_kind_valid',
    bad: { kind: 'weekly' },
  },
];
