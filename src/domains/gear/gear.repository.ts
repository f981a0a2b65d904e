// The SQL of the gear domain (spec §12, migrations 0010, 0049, 0050; ADR 0079). Rows in, rows out.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export type Executor = Database | Transaction<DB>;

export interface CategoryRow {
  id: string;
  name: string;
  slug: string;
  parent_id: string | null;
  description: string | null;
}

export interface EquipmentRow {
  id: string;
  user_id: string;
  category_id: string;
  category_slug: string;
  category_name: string;
  name: string;
  brand: string | null;
  model: string | null;
  serial_number: string | null;
  purchase_date: Date | null;
  purchase_price: string | null;
  currency: string | null;
  purchased_from: string | null;
  condition: string;
  status: string;
  photo_file_id: string | null;
  notes: string | null;
  is_public: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** Writable columns of an item; dates as YYYY-MM-DD. */
export interface EquipmentValues {
  category_id: string;
  name: string;
  brand: string | null;
  model: string | null;
  serial_number: string | null;
  purchase_date: string | null;
  purchase_price: string | null;
  currency: string | null;
  purchased_from: string | null;
  condition: string;
  status: string;
  photo_file_id: string | null;
  notes: string | null;
  is_public: boolean;
}

export interface WarrantyRow {
  id: string;
  equipment_id: string;
  coverage_type: string;
  provider: string;
  reference_number: string | null;
  starts_on: Date;
  ends_on: Date | null;
  document_file_id: string | null;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface WarrantyValues {
  coverage_type: string;
  provider: string;
  reference_number: string | null;
  starts_on: string;
  ends_on: string | null;
  document_file_id: string | null;
  notes: string | null;
}

export interface MaintenanceRow {
  id: string;
  equipment_id: string;
  maintenance_type: string;
  performed_on: Date;
  description: string;
  performed_by: string | null;
  cost: string | null;
  currency: string | null;
  invoice_file_id: string | null;
  next_due_on: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface MaintenanceValues {
  maintenance_type: string;
  performed_on: string;
  description: string;
  performed_by: string | null;
  cost: string | null;
  currency: string | null;
  invoice_file_id: string | null;
  next_due_on: string | null;
}

type Stamped<T> = T & { [POSITION_STAMP]: string };

const EQUIPMENT_COLUMNS = [
  'equipment.id',
  'equipment.user_id',
  'equipment.category_id',
  'equipment_categories.slug as category_slug',
  'equipment_categories.name as category_name',
  'equipment.name',
  'equipment.brand',
  'equipment.model',
  'equipment.serial_number',
  'equipment.purchase_date',
  'equipment.purchase_price',
  'equipment.currency',
  'equipment.purchased_from',
  'equipment.condition',
  'equipment.status',
  'equipment.photo_file_id',
  'equipment.notes',
  'equipment.is_public',
  'equipment.created_at',
  'equipment.updated_at',
  'equipment.deleted_at',
] as const;

const WARRANTY_COLUMNS = [
  'id',
  'equipment_id',
  'coverage_type',
  'provider',
  'reference_number',
  'starts_on',
  'ends_on',
  'document_file_id',
  'notes',
  'created_at',
  'updated_at',
] as const;

const MAINTENANCE_COLUMNS = [
  'id',
  'equipment_id',
  'maintenance_type',
  'performed_on',
  'description',
  'performed_by',
  'cost',
  'currency',
  'invoice_file_id',
  'next_due_on',
  'created_at',
  'updated_at',
] as const;

export function createGearRepository(pool: Pick<Pool, 'db'>) {
  const { db } = pool;

  const equipmentQuery = (executor: Executor) =>
    executor
      .selectFrom('equipment')
      .innerJoin('equipment_categories', 'equipment_categories.id', 'equipment.category_id')
      .select(EQUIPMENT_COLUMNS);

  return {
    db,

    inTransaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    // Categories

    categories(): Promise<CategoryRow[]> {
      return db
        .selectFrom('equipment_categories')
        .select(['id', 'name', 'slug', 'parent_id', 'description'])
        .orderBy('name')
        .orderBy('id')
        .execute();
    },

    category(id: string, executor: Executor = db): Promise<CategoryRow | undefined> {
      return executor
        .selectFrom('equipment_categories')
        .select(['id', 'name', 'slug', 'parent_id', 'description'])
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async hasChildren(id: string): Promise<boolean> {
      const row = await db
        .selectFrom('equipment_categories')
        .select('id')
        .where('parent_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    insertCategory(values: Omit<CategoryRow, 'id'>): Promise<CategoryRow> {
      return db
        .insertInto('equipment_categories')
        .values(values)
        .returning(['id', 'name', 'slug', 'parent_id', 'description'])
        .executeTakeFirstOrThrow();
    },

    updateCategory(id: string, values: Partial<Omit<CategoryRow, 'id'>>): Promise<CategoryRow | undefined> {
      return db
        .updateTable('equipment_categories')
        .set(values)
        .where('id', '=', id)
        .returning(['id', 'name', 'slug', 'parent_id', 'description'])
        .executeTakeFirst();
    },

    async deleteCategory(id: string): Promise<boolean> {
      const result = await db.deleteFrom('equipment_categories').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    // Equipment

    findEquipment(id: string, executor: Executor = db): Promise<EquipmentRow | undefined> {
      return equipmentQuery(executor).where('equipment.id', '=', id).executeTakeFirst();
    },

    /** The item's row locked for an edit (the owner's concurrent edits queue). */
    async lockEquipment(tx: Transaction<DB>, id: string): Promise<EquipmentRow | undefined> {
      await tx.selectFrom('equipment').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      return equipmentQuery(tx).where('equipment.id', '=', id).executeTakeFirst();
    },

    ownedBy(
      userId: string,
      filters: { categoryId?: string | undefined; status?: string | undefined },
      limit: number,
      after: Position | undefined,
    ): Promise<Stamped<EquipmentRow>[]> {
      let query = equipmentQuery(db)
        .select(positionStamp('equipment.created_at').as(POSITION_STAMP))
        .where('equipment.user_id', '=', userId)
        .where('equipment.deleted_at', 'is', null);
      if (filters.categoryId) query = query.where('equipment.category_id', '=', filters.categoryId);
      if (filters.status) query = query.where('equipment.status', '=', filters.status);
      if (after) query = query.where(beforePosition(after, { createdAt: 'equipment.created_at', id: 'equipment.id' }));
      return query
        .orderBy('equipment.created_at', 'desc')
        .orderBy('equipment.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    /** Every live item of the owner, oldest first: the CSV export (at most the import cap per file, ADR 0079). */
    allOwnedBy(userId: string, max: number): Promise<EquipmentRow[]> {
      return equipmentQuery(db)
        .where('equipment.user_id', '=', userId)
        .where('equipment.deleted_at', 'is', null)
        .orderBy('equipment.created_at')
        .orderBy('equipment.id')
        .limit(max)
        .execute();
    },

    /** The items on a setup page: public, live, still in the owner's hands. */
    publicOf(userId: string, limit: number, after: Position | undefined): Promise<Stamped<EquipmentRow>[]> {
      let query = equipmentQuery(db)
        .select(positionStamp('equipment.created_at').as(POSITION_STAMP))
        .where('equipment.user_id', '=', userId)
        .where('equipment.deleted_at', 'is', null)
        .where('equipment.is_public', '=', true)
        .where('equipment.status', 'in', ['owned', 'lent']);
      if (after) query = query.where(beforePosition(after, { createdAt: 'equipment.created_at', id: 'equipment.id' }));
      return query
        .orderBy('equipment.created_at', 'desc')
        .orderBy('equipment.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    async insertEquipment(executor: Executor, userId: string, values: EquipmentValues): Promise<string> {
      const row = await executor
        .insertInto('equipment')
        // clock_timestamp(), not NOW(): the rows of one CSV import keep the file's order (export reads by created_at).
        .values({ ...values, user_id: userId, created_at: sql`clock_timestamp()`, updated_at: sql`clock_timestamp()` })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async updateEquipment(tx: Transaction<DB>, id: string, values: Partial<EquipmentValues>): Promise<void> {
      await tx.updateTable('equipment').set(values).where('id', '=', id).execute();
    },

    /** Soft delete (retention: db/table-registry.json purges 30 days later, warranties and log with it). */
    async softDeleteEquipment(tx: Transaction<DB>, id: string): Promise<void> {
      await tx
        .updateTable('equipment')
        .set({ deleted_at: sql`NOW()` })
        .where('id', '=', id)
        .execute();
    },

    // Warranties

    findWarranty(equipmentId: string, id: string, executor: Executor = db): Promise<WarrantyRow | undefined> {
      return executor
        .selectFrom('equipment_warranties')
        .select(WARRANTY_COLUMNS)
        .where('id', '=', id)
        .where('equipment_id', '=', equipmentId)
        .executeTakeFirst();
    },

    warrantiesOf(equipmentId: string, limit: number, after: Position | undefined) {
      let query = db
        .selectFrom('equipment_warranties')
        .select([...WARRANTY_COLUMNS, positionStamp().as(POSITION_STAMP)])
        .where('equipment_id', '=', equipmentId);
      if (after) query = query.where(beforePosition(after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    insertWarranty(tx: Transaction<DB>, equipmentId: string, values: WarrantyValues): Promise<WarrantyRow> {
      return tx
        .insertInto('equipment_warranties')
        .values({ ...values, equipment_id: equipmentId })
        .returning(WARRANTY_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** A moved end date is reminded again (ADR 0079): the "done" mark goes with the old date. */
    updateWarranty(tx: Transaction<DB>, id: string, values: Partial<WarrantyValues>, endMoved: boolean) {
      return tx
        .updateTable('equipment_warranties')
        .set({ ...values, ...(endMoved ? { expiry_reminder_sent_at: null } : {}) })
        .where('id', '=', id)
        .returning(WARRANTY_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async deleteWarranty(tx: Transaction<DB>, id: string): Promise<void> {
      await tx.deleteFrom('equipment_warranties').where('id', '=', id).execute();
    },

    // Maintenance

    findMaintenance(equipmentId: string, id: string, executor: Executor = db): Promise<MaintenanceRow | undefined> {
      return executor
        .selectFrom('equipment_maintenance')
        .select(MAINTENANCE_COLUMNS)
        .where('id', '=', id)
        .where('equipment_id', '=', equipmentId)
        .executeTakeFirst();
    },

    maintenanceOf(equipmentId: string, limit: number, after: Position | undefined) {
      let query = db
        .selectFrom('equipment_maintenance')
        .select([...MAINTENANCE_COLUMNS, positionStamp().as(POSITION_STAMP)])
        .where('equipment_id', '=', equipmentId);
      if (after) query = query.where(beforePosition(after));
      return query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    insertMaintenance(tx: Transaction<DB>, equipmentId: string, values: MaintenanceValues): Promise<MaintenanceRow> {
      return tx
        .insertInto('equipment_maintenance')
        .values({ ...values, equipment_id: equipmentId })
        .returning(MAINTENANCE_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    updateMaintenance(tx: Transaction<DB>, id: string, values: Partial<MaintenanceValues>) {
      return tx
        .updateTable('equipment_maintenance')
        .set(values)
        .where('id', '=', id)
        .returning(MAINTENANCE_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async deleteMaintenance(tx: Transaction<DB>, id: string): Promise<void> {
      await tx.deleteFrom('equipment_maintenance').where('id', '=', id).execute();
    },
  };
}

export type GearRepository = ReturnType<typeof createGearRepository>;

// Warranty reminders (ADR 0079): what the job reads and writes.

export interface ReminderCandidate {
  id: string;
  ends_on: string;
  provider: string;
  user_id: string;
  equipment_name: string;
}

/**
 * Warranties whose end date is within [from, to] and not yet reminded on the day (partial index
 * idx_equipment_warranties_ends_on), of live items still in their owner's hands. Dates as YYYY-MM-DD.
 */
export function reminderCandidates(executor: Executor, from: string, to: string): Promise<ReminderCandidate[]> {
  return executor
    .selectFrom('equipment_warranties as w')
    .innerJoin('equipment as e', 'e.id', 'w.equipment_id')
    .select([
      'w.id',
      sql<string>`to_char(w.ends_on, 'YYYY-MM-DD')`.as('ends_on'),
      'w.provider',
      'e.user_id',
      'e.name as equipment_name',
    ])
    .where('w.ends_on', 'is not', null)
    .where('w.expiry_reminder_sent_at', 'is', null)
    .where(sql<boolean>`w.ends_on BETWEEN ${from}::date AND ${to}::date`)
    .where('e.deleted_at', 'is', null)
    .where('e.status', 'in', ['owned', 'lent'])
    .orderBy('w.ends_on')
    .orderBy('w.id')
    .execute();
}

/** The warranty's current end date under a row lock, or undefined when it is gone or lost its end date. */
export async function lockWarrantyEnd(tx: Executor, id: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('equipment_warranties')
    .select(sql<string | null>`to_char(ends_on, 'YYYY-MM-DD')`.as('ends_on'))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row?.ends_on ?? undefined;
}

/** Records a reminder; false when it was recorded already (uq_equipment_warranty_reminders_warranty_id_kind_ends_on). */
export async function recordReminder(
  tx: Executor,
  warrantyId: string,
  kind: 'thirty_days' | 'end_day',
  endsOn: string,
  at: Date,
): Promise<boolean> {
  const row = await tx
    .insertInto('equipment_warranty_reminders')
    .values({ warranty_id: warrantyId, kind, ends_on: endsOn, sent_at: at })
    .onConflict((oc) => oc.columns(['warranty_id', 'kind', 'ends_on']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** After the end-day reminder: the warranty leaves the job's partial index. */
export async function markReminded(tx: Executor, warrantyId: string, endsOn: string, at: Date): Promise<void> {
  await tx
    .updateTable('equipment_warranties')
    .set({ expiry_reminder_sent_at: at })
    .where('id', '=', warrantyId)
    .where(sql<boolean>`ends_on = ${endsOn}::date`)
    .execute();
}
