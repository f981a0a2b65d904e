// The gear API contract (issue 17 §6-8, ADR 0079): equipment, warranties, maintenance, categories, the setup page.
// TypeBox schemas = OpenAPI document. Amounts are decimal strings ("1299.00"), days are ISO dates ("2026-03-01").
import { Type, type Static } from 'typebox';
import { closed, CONTROL, Line, literals, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

/** Free text: line breaks allowed, at least one visible character. */
const Text = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$` });

/** A calendar day; the service also refuses days that do not exist (2026-02-31). */
export const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'YYYY-MM-DD' });
/** DECIMAL(10,2) as the API writes it: "12.50"; never a binary float. */
export const Amount = Type.String({
  pattern: '^\\d{1,8}(\\.\\d{1,2})?$',
  maxLength: 11,
  description: 'A decimal amount with at most two decimals, e.g. "1299.00"',
});
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code; required with an amount' });

export const CONDITIONS = ['new', 'excellent', 'good', 'fair', 'poor', 'broken'] as const;
export const STATUSES = ['owned', 'lent', 'sold', 'lost', 'stolen', 'retired'] as const;
export const COVERAGE_TYPES = ['manufacturer', 'retailer', 'extended', 'insurance'] as const;
export const MAINTENANCE_TYPES = ['service', 'repair', 'calibration', 'upgrade', 'cleaning', 'inspection'] as const;

// Equipment

const equipmentFields = {
  name: Line(255, 'Your label for the item'),
  category_id: Uuid,
  brand: Nullable(Line(100)),
  model: Nullable(Line(255)),
  serial_number: Nullable(Line(100), 'Private: never shown to anyone but you'),
  purchase_date: Nullable(Day),
  purchase_price: Nullable(Amount, 'Private; needs currency'),
  currency: Nullable(Currency),
  purchased_from: Nullable(Line(255)),
  condition: literals(CONDITIONS),
  status: literals(STATUSES, 'Whether the item is still in your hands'),
  photo_file_id: Nullable(Uuid, 'An image file of yours, scanned clean'),
  notes: Nullable(Text(5000), 'Private'),
  is_public: Type.Boolean({ description: 'Listed on your public setup page when you turned it on' }),
};

export const CreateEquipmentSchema = Type.Object(
  {
    name: equipmentFields.name,
    category_id: equipmentFields.category_id,
    brand: Type.Optional(equipmentFields.brand),
    model: Type.Optional(equipmentFields.model),
    serial_number: Type.Optional(equipmentFields.serial_number),
    purchase_date: Type.Optional(equipmentFields.purchase_date),
    purchase_price: Type.Optional(equipmentFields.purchase_price),
    currency: Type.Optional(equipmentFields.currency),
    purchased_from: Type.Optional(equipmentFields.purchased_from),
    condition: Type.Optional(equipmentFields.condition),
    status: Type.Optional(equipmentFields.status),
    photo_file_id: Type.Optional(equipmentFields.photo_file_id),
    notes: Type.Optional(equipmentFields.notes),
    is_public: Type.Optional(equipmentFields.is_public),
  },
  closed,
);
export type CreateEquipment = Static<typeof CreateEquipmentSchema>;

export const UpdateEquipmentSchema = Type.Object(
  {
    name: Type.Optional(equipmentFields.name),
    category_id: Type.Optional(equipmentFields.category_id),
    brand: Type.Optional(equipmentFields.brand),
    model: Type.Optional(equipmentFields.model),
    serial_number: Type.Optional(equipmentFields.serial_number),
    purchase_date: Type.Optional(equipmentFields.purchase_date),
    purchase_price: Type.Optional(equipmentFields.purchase_price),
    currency: Type.Optional(equipmentFields.currency),
    purchased_from: Type.Optional(equipmentFields.purchased_from),
    condition: Type.Optional(equipmentFields.condition),
    status: Type.Optional(equipmentFields.status),
    photo_file_id: Type.Optional(equipmentFields.photo_file_id),
    notes: Type.Optional(equipmentFields.notes),
    is_public: Type.Optional(equipmentFields.is_public),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateEquipment = Static<typeof UpdateEquipmentSchema>;

const CategoryRefSchema = Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() });

export const EquipmentSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  category: CategoryRefSchema,
  brand: Nullable(Type.String()),
  model: Nullable(Type.String()),
  serial_number: Nullable(Type.String()),
  purchase_date: Nullable(Day),
  purchase_price: Nullable(Amount),
  currency: Nullable(Type.String()),
  purchased_from: Nullable(Type.String()),
  condition: literals(CONDITIONS),
  status: literals(STATUSES),
  photo_file_id: Nullable(Uuid),
  notes: Nullable(Type.String()),
  is_public: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const EquipmentListSchema = PageSchema(EquipmentSchema);

export const EquipmentListQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    category_id: Type.Optional(Uuid),
    status: Type.Optional(literals(STATUSES)),
  },
  closed,
);
export type EquipmentListQuery = Static<typeof EquipmentListQuerySchema>;

export const GearIdParams = Type.Object({ id: Uuid }, closed);
export const WarrantyParams = Type.Object({ id: Uuid, warranty_id: Uuid }, closed);
export const MaintenanceParams = Type.Object({ id: Uuid, entry_id: Uuid }, closed);
export const CategoryIdParams = Type.Object({ id: Uuid }, closed);
export const UsernameParams = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$' }) },
  closed,
);

// Warranties

const warrantyFields = {
  coverage_type: literals(COVERAGE_TYPES),
  provider: Line(255, 'Who honours it: manufacturer, shop or insurer'),
  reference_number: Nullable(Line(100)),
  starts_on: Day,
  ends_on: Nullable(Day, 'Last covered day (on or after starts_on); null for a lifetime warranty'),
  document_file_id: Nullable(Uuid, 'A file of yours (scan of the card, receipt or policy), scanned clean'),
  notes: Nullable(Text(5000)),
};

export const CreateWarrantySchema = Type.Object(
  {
    coverage_type: Type.Optional(warrantyFields.coverage_type),
    provider: warrantyFields.provider,
    reference_number: Type.Optional(warrantyFields.reference_number),
    starts_on: warrantyFields.starts_on,
    ends_on: Type.Optional(warrantyFields.ends_on),
    document_file_id: Type.Optional(warrantyFields.document_file_id),
    notes: Type.Optional(warrantyFields.notes),
  },
  closed,
);
export type CreateWarranty = Static<typeof CreateWarrantySchema>;

export const UpdateWarrantySchema = Type.Object(
  {
    coverage_type: Type.Optional(warrantyFields.coverage_type),
    provider: Type.Optional(warrantyFields.provider),
    reference_number: Type.Optional(warrantyFields.reference_number),
    starts_on: Type.Optional(warrantyFields.starts_on),
    ends_on: Type.Optional(warrantyFields.ends_on),
    document_file_id: Type.Optional(warrantyFields.document_file_id),
    notes: Type.Optional(warrantyFields.notes),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateWarranty = Static<typeof UpdateWarrantySchema>;

export const WarrantySchema = Type.Object({
  id: Uuid,
  equipment_id: Uuid,
  coverage_type: literals(COVERAGE_TYPES),
  provider: Type.String(),
  reference_number: Nullable(Type.String()),
  starts_on: Day,
  ends_on: Nullable(Day),
  document_file_id: Nullable(Uuid),
  notes: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const WarrantyListSchema = PageSchema(WarrantySchema);

// Maintenance

const maintenanceFields = {
  maintenance_type: literals(MAINTENANCE_TYPES),
  performed_on: Day,
  description: Text(5000),
  performed_by: Nullable(Line(255)),
  cost: Nullable(Amount, 'Needs currency'),
  currency: Nullable(Currency),
  invoice_file_id: Nullable(Uuid, 'A file of yours, scanned clean'),
  next_due_on: Nullable(Day, 'On or after performed_on'),
};

export const CreateMaintenanceSchema = Type.Object(
  {
    maintenance_type: Type.Optional(maintenanceFields.maintenance_type),
    performed_on: maintenanceFields.performed_on,
    description: maintenanceFields.description,
    performed_by: Type.Optional(maintenanceFields.performed_by),
    cost: Type.Optional(maintenanceFields.cost),
    currency: Type.Optional(maintenanceFields.currency),
    invoice_file_id: Type.Optional(maintenanceFields.invoice_file_id),
    next_due_on: Type.Optional(maintenanceFields.next_due_on),
  },
  closed,
);
export type CreateMaintenance = Static<typeof CreateMaintenanceSchema>;

export const UpdateMaintenanceSchema = Type.Object(
  {
    maintenance_type: Type.Optional(maintenanceFields.maintenance_type),
    performed_on: Type.Optional(maintenanceFields.performed_on),
    description: Type.Optional(maintenanceFields.description),
    performed_by: Type.Optional(maintenanceFields.performed_by),
    cost: Type.Optional(maintenanceFields.cost),
    currency: Type.Optional(maintenanceFields.currency),
    invoice_file_id: Type.Optional(maintenanceFields.invoice_file_id),
    next_due_on: Type.Optional(maintenanceFields.next_due_on),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateMaintenance = Static<typeof UpdateMaintenanceSchema>;

export const MaintenanceSchema = Type.Object({
  id: Uuid,
  equipment_id: Uuid,
  maintenance_type: literals(MAINTENANCE_TYPES),
  performed_on: Day,
  description: Type.String(),
  performed_by: Nullable(Type.String()),
  cost: Nullable(Amount),
  currency: Nullable(Type.String()),
  invoice_file_id: Nullable(Uuid),
  next_due_on: Nullable(Day),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const MaintenanceListSchema = PageSchema(MaintenanceSchema);

// Categories

const Slug = Type.String({
  minLength: 2,
  maxLength: 100,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'Lower-case letters, digits and single dashes',
});

export const CreateCategorySchema = Type.Object(
  {
    name: Line(100),
    slug: Slug,
    parent_id: Type.Optional(Nullable(Uuid, 'A top-level category: the tree is two levels deep')),
    description: Type.Optional(Nullable(Text(1000))),
  },
  closed,
);
export type CreateCategory = Static<typeof CreateCategorySchema>;

export const UpdateCategorySchema = Type.Object(
  {
    name: Type.Optional(Line(100)),
    slug: Type.Optional(Slug),
    parent_id: Type.Optional(Nullable(Uuid)),
    description: Type.Optional(Nullable(Text(1000))),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateCategory = Static<typeof UpdateCategorySchema>;

export const CategorySchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  parent_id: Nullable(Uuid),
  description: Nullable(Type.String()),
});
export const CategoryListSchema = Type.Object({ items: Type.Array(CategorySchema) });

// The setup page

export const SetupSettingsSchema = Type.Object(
  { public: Type.Boolean({ description: 'Whether /v1/users/{username}/setup shows your public items' }) },
  closed,
);
export type SetupSettings = Static<typeof SetupSettingsSchema>;

/** What anyone may see of an item: never serial numbers, prices, purchase details, notes, warranties or documents. */
export const SetupItemSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  brand: Nullable(Type.String()),
  model: Nullable(Type.String()),
  category: CategoryRefSchema,
});
export const SetupPageSchema = Type.Object({
  user: Type.Object({ id: Uuid, username: Type.String(), display_name: Nullable(Type.String()) }),
  items: Type.Array(SetupItemSchema),
  next_cursor: Nullable(Type.String()),
});

// CSV import

export const ImportResultSchema = Type.Object({
  imported: Type.Integer({ description: 'Items created' }),
});
export const GEAR_CSV_MAX_ROWS = 5_000;
export const GEAR_CSV_MAX_BYTES = 2 * 1024 * 1024;
