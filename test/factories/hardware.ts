import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const equipmentCategories: Factory = (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'equipment_categories', { name: `Microphones ${token}`, slug: `microphones-${token}`, ...o });
};

const equipment: Factory = async (sql, o = {}) =>
  insertRow(sql, 'equipment', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    category_id: await parentId(o, 'category_id', () => equipmentCategories(sql)),
    name: 'Studio vocal mic',
    brand: 'Neumann',
    model: 'TLM 103',
    purchase_date: '2024-03-15',
    purchase_price: '999.00',
    currency: 'EUR',
    ...o,
  });

const equipmentWarranties: Factory = async (sql, o = {}) =>
  insertRow(sql, 'equipment_warranties', {
    equipment_id: await parentId(o, 'equipment_id', () => equipment(sql)),
    provider: 'Neumann',
    starts_on: '2024-03-15',
    ends_on: '2027-03-14',
    ...o,
  });

export const hardwareFactories = {
  equipment_categories: equipmentCategories,
  equipment,
  equipment_warranties: equipmentWarranties,
  equipment_maintenance: async (sql, o = {}) =>
    insertRow(sql, 'equipment_maintenance', {
      equipment_id: await parentId(o, 'equipment_id', () => equipment(sql)),
      performed_on: '2025-06-01',
      description: 'Capsule cleaned and shock mount replaced.',
      cost: '80.00',
      currency: 'EUR',
      ...o,
    }),
  equipment_warranty_reminders: async (sql, o = {}) =>
    insertRow(sql, 'equipment_warranty_reminders', {
      warranty_id: await parentId(o, 'warranty_id', () => equipmentWarranties(sql)),
      kind: 'thirty_days',
      ends_on: '2027-03-14',
      sent_at: new Date('2027-02-12T07:15:00Z'),
      ...o,
    }),
} satisfies Record<string, Factory>;
