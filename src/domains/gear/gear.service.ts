// The gear domain's rules (issue 17 §6, 8; ADR 0079): categories, a user's equipment, warranties and maintenance
// log (owner only), CSV import/export, and the opt-in public setup page.
import type { Transaction } from 'kysely';
import { Compile } from 'typebox/compile';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Position, type POSITION_STAMP } from '../../platform/http/pagination.ts';
import { ApiError, type ProblemField, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Caller } from '../../platform/policy/policy.ts';
import type { BridgedFile, FilesBridge } from '../files/index.ts';
import type { ProfileVisibility, PublicName } from '../profiles/index.ts';
import { checkDeclaredCharset, decodeCsv, GEAR_CSV_COLUMNS, readGearCsv, writeGearCsv } from './gear.csv.ts';
import { GearProblems } from './gear.errors.ts';
import { mayManageCategories, mayManageEquipment, mayViewSetup } from './gear.policy.ts';
import type {
  CategoryRow,
  EquipmentRow,
  EquipmentValues,
  GearRepository,
  MaintenanceRow,
  MaintenanceValues,
  WarrantyRow,
  WarrantyValues,
} from './gear.repository.ts';
import {
  CreateEquipmentSchema,
  GEAR_CSV_MAX_ROWS,
  type CreateCategory,
  type CreateEquipment,
  type CreateMaintenance,
  type CreateWarranty,
  type EquipmentListQuery,
  type UpdateCategory,
  type UpdateEquipment,
  type UpdateMaintenance,
  type UpdateWarranty,
} from './gear.schemas.ts';

export interface GearServiceDeps {
  repository: GearRepository;
  files: Pick<FilesBridge, 'findFile'>;
  /** profiles' index: the live account named so, and its profile visibility (undefined when not live). */
  accountNamed: (username: string) => Promise<PublicName | undefined>;
  profileVisibilityOf: (userId: string) => Promise<ProfileVisibility | undefined>;
  setupPublicOf: (userId: string) => Promise<boolean>;
  setSetupPublic: (userId: string, value: boolean) => Promise<void>;
  /** social's index: the one block rule, and whether the viewer follows the owner (private profiles). */
  blockAndFollow: (viewerId: string, ownerId: string) => Promise<{ blockedEitherWay: boolean; viewerFollows: boolean }>;
}

type Page = { limit: number; cursor?: string | undefined };
/** A row read with its page position (pagination.ts `toPage`). */
type Stamped = { [POSITION_STAMP]: string; id: string };

const iso = (date: Date) => date.toISOString();
/** A DATE column (midnight UTC, pool.ts) as YYYY-MM-DD. */
const day = (date: Date) => date.toISOString().slice(0, 10);
const dayOrNull = (date: Date | null) => (date === null ? null : day(date));
const position = (cursor: string | undefined): Position | undefined => (cursor ? decodeCursor(cursor) : undefined);

/** 2026-02-31 matches the pattern but is no day. */
export function isCalendarDay(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** "12.5" -> "12.50": amounts are stored and shown with two decimals, never through a float. */
export function normaliseAmount(value: string): string {
  const [units = '0', cents = ''] = value.split('.');
  return `${BigInt(units).toString()}.${cents.padEnd(2, '0')}`;
}

function invalid(errors: ProblemField[]): ApiError {
  return new ApiError(GearProblems.invalid, errors[0]?.message ?? 'A value breaks a rule', errors);
}

/** The cross-field rules no JSON schema says: real days, an amount with its currency, an end after a start. */
function dateAndMoneyProblems(
  prefix: string,
  days: Record<string, string | null | undefined>,
  amount: { field: string; value: string | null; currency: string | null } | undefined,
  order: { from: string; to: string; rule: string } | undefined,
): ProblemField[] {
  const problems: ProblemField[] = [];
  for (const [field, value] of Object.entries(days))
    if (value && !isCalendarDay(value))
      problems.push({ field: `${prefix}${field}`, rule: 'date', message: `${value} is not a calendar day` });
  if (amount && amount.value !== null && amount.currency === null)
    problems.push({ field: `${prefix}currency`, rule: 'required', message: `is required with ${amount.field}` });
  if (order) {
    const from = days[order.from];
    const to = days[order.to];
    if (from && to && isCalendarDay(from) && isCalendarDay(to) && to < from)
      problems.push({ field: `${prefix}${order.to}`, rule: order.rule, message: `is before ${order.from}` });
  }
  return problems;
}

const checkCsvRow = Compile(CreateEquipmentSchema);

export class GearService {
  readonly #deps: GearServiceDeps;

  constructor(deps: GearServiceDeps) {
    this.#deps = deps;
  }

  // Views

  equipmentView(row: EquipmentRow) {
    return {
      id: row.id,
      name: row.name,
      category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
      brand: row.brand,
      model: row.model,
      serial_number: row.serial_number,
      purchase_date: dayOrNull(row.purchase_date),
      purchase_price: row.purchase_price,
      currency: row.currency,
      purchased_from: row.purchased_from,
      condition: row.condition as 'good',
      status: row.status as 'owned',
      photo_file_id: row.photo_file_id,
      notes: row.notes,
      is_public: row.is_public,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  warrantyView(row: WarrantyRow) {
    return {
      ...row,
      coverage_type: row.coverage_type as 'manufacturer',
      starts_on: day(row.starts_on),
      ends_on: dayOrNull(row.ends_on),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  maintenanceView(row: MaintenanceRow) {
    return {
      ...row,
      maintenance_type: row.maintenance_type as 'service',
      performed_on: day(row.performed_on),
      next_due_on: dayOrNull(row.next_due_on),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  // Categories

  async categories() {
    return { items: await this.#deps.repository.categories() };
  }

  async createCategory(caller: Caller, body: CreateCategory) {
    authorize(mayManageCategories(caller));
    const parentId = body.parent_id ?? null;
    await this.#checkParent(parentId, undefined);
    return this.#uniqueCategory(() =>
      this.#deps.repository.insertCategory({
        name: body.name,
        slug: body.slug,
        parent_id: parentId,
        description: body.description ?? null,
      }),
    );
  }

  async updateCategory(caller: Caller, id: string, body: UpdateCategory) {
    authorize(mayManageCategories(caller));
    const current = await this.#deps.repository.category(id);
    if (!current) throw new ApiError(GearProblems.categoryNotFound);
    if (body.parent_id !== undefined) await this.#checkParent(body.parent_id, current);
    const row = await this.#uniqueCategory(() => this.#deps.repository.updateCategory(id, body));
    if (!row) throw new ApiError(GearProblems.categoryNotFound);
    return row;
  }

  async deleteCategory(caller: Caller, id: string): Promise<void> {
    authorize(mayManageCategories(caller));
    try {
      if (!(await this.#deps.repository.deleteCategory(id))) throw new ApiError(GearProblems.categoryNotFound);
    } catch (error) {
      if ((error as { code?: string }).code === '23503')
        throw new ApiError(GearProblems.categoryInUse, 'Move or delete the equipment filed under it first');
      throw error;
    }
  }

  /** The tree is two levels deep: a parent is a top-level category, and a category with children stays on top. */
  async #checkParent(parentId: string | null, current: CategoryRow | undefined): Promise<void> {
    if (parentId === null) return;
    const parent = await this.#deps.repository.category(parentId);
    const problem = (rule: string, message: string) => invalid([{ field: 'body.parent_id', rule, message }]);
    if (!parent) throw problem('exists', 'is not a category');
    if (current && parent.id === current.id) throw problem('not_self', 'is the category itself');
    if (parent.parent_id !== null) throw problem('top_level', 'is not a top-level category (two levels at most)');
    if (current && (await this.#deps.repository.hasChildren(current.id)))
      throw problem('top_level', 'a category with children stays at the top level');
  }

  async #uniqueCategory<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ApiError(GearProblems.categoryTaken);
      throw error;
    }
  }

  // Equipment

  async mine(caller: Caller, query: EquipmentListQuery) {
    const rows = await this.#deps.repository.ownedBy(
      caller.userId,
      { categoryId: query.category_id, status: query.status },
      query.limit,
      position(query.cursor),
    );
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.equipmentView(row)) };
  }

  async get(caller: Caller, id: string) {
    return this.equipmentView(await this.#owned(caller, id));
  }

  async create(caller: Caller, body: CreateEquipment) {
    const values = this.#equipmentValues(body);
    await this.#checkEquipment(caller, values, 'body.');
    const id = await this.#deps.repository.insertEquipment(this.#deps.repository.db, caller.userId, values);
    return this.equipmentView((await this.#deps.repository.findEquipment(id)) as EquipmentRow);
  }

  async update(caller: Caller, id: string, body: UpdateEquipment) {
    return this.#deps.repository.inTransaction(async (tx) => {
      const current = await this.#lockOwned(tx, caller, id);
      const merged: EquipmentValues = { ...this.#currentValues(current), ...this.#changes(body) };
      await this.#checkEquipment(caller, merged, 'body.', body.photo_file_id !== undefined);
      await this.#deps.repository.updateEquipment(tx, id, this.#changes(body));
      return this.equipmentView((await this.#deps.repository.findEquipment(id, tx)) as EquipmentRow);
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      await this.#deps.repository.softDeleteEquipment(tx, id);
    });
  }

  #equipmentValues(body: CreateEquipment): EquipmentValues {
    return {
      category_id: body.category_id,
      name: body.name,
      brand: body.brand ?? null,
      model: body.model ?? null,
      serial_number: body.serial_number ?? null,
      purchase_date: body.purchase_date ?? null,
      purchase_price: body.purchase_price == null ? null : normaliseAmount(body.purchase_price),
      currency: body.currency ?? null,
      purchased_from: body.purchased_from ?? null,
      condition: body.condition ?? 'good',
      status: body.status ?? 'owned',
      photo_file_id: body.photo_file_id ?? null,
      notes: body.notes ?? null,
      is_public: body.is_public ?? false,
    };
  }

  #changes(body: UpdateEquipment): Partial<EquipmentValues> {
    const { purchase_price, ...rest } = body;
    return {
      ...rest,
      ...(purchase_price !== undefined
        ? { purchase_price: purchase_price === null ? null : normaliseAmount(purchase_price) }
        : {}),
    };
  }

  #currentValues(row: EquipmentRow): EquipmentValues {
    return {
      category_id: row.category_id,
      name: row.name,
      brand: row.brand,
      model: row.model,
      serial_number: row.serial_number,
      purchase_date: dayOrNull(row.purchase_date),
      purchase_price: row.purchase_price,
      currency: row.currency,
      purchased_from: row.purchased_from,
      condition: row.condition,
      status: row.status,
      photo_file_id: row.photo_file_id,
      notes: row.notes,
      is_public: row.is_public,
    };
  }

  async #checkEquipment(caller: Caller, values: EquipmentValues, prefix: string, photoNamed = true): Promise<void> {
    const problems = dateAndMoneyProblems(
      prefix,
      { purchase_date: values.purchase_date },
      { field: 'purchase_price', value: values.purchase_price, currency: values.currency },
      undefined,
    );
    if (!(await this.#deps.repository.category(values.category_id)))
      problems.push({ field: `${prefix}category_id`, rule: 'exists', message: 'is not an equipment category' });
    if (problems.length > 0) throw invalid(problems);
    if (photoNamed && values.photo_file_id)
      await this.#checkFile(caller, values.photo_file_id, `${prefix}photo_file_id`, 'image');
  }

  /** A photo or document must be the caller's own live file, cleared by the scanner (posts' attachment rule). */
  async #checkFile(caller: Caller, fileId: string, field: string, kind: 'image' | 'document'): Promise<void> {
    const file: BridgedFile | undefined = await this.#deps.files.findFile(fileId);
    const unusable = (rule: string, message: string) =>
      new ApiError(GearProblems.fileUnusable, `The file ${message}`, [{ field, rule, message }]);
    if (!file || file.deleted || file.user_id !== caller.userId) throw unusable('owner', 'is not a live file of yours');
    if (file.processing === 'quarantined' || !file.cleared)
      throw unusable('clean', 'has not been cleared by the virus scanner');
    if (kind === 'image' && !file.mime_type.startsWith('image/')) throw unusable('image', 'is not an image');
  }

  async #owned(caller: Caller, id: string): Promise<EquipmentRow> {
    const row = await this.#deps.repository.findEquipment(id);
    authorize(mayManageEquipment(caller, row), GearProblems.gearNotFound);
    return row as EquipmentRow;
  }

  async #lockOwned(tx: Transaction<DB>, caller: Caller, id: string): Promise<EquipmentRow> {
    const row = await this.#deps.repository.lockEquipment(tx, id);
    authorize(mayManageEquipment(caller, row), GearProblems.gearNotFound);
    return row as EquipmentRow;
  }

  // The warranty and maintenance reads share these: the owner rule on the item comes first, so a record of someone
  // else's item is as unknown as the item (404 GEAR_NOT_FOUND); then a page of its records, or one record (404 with
  // the record kind's own problem when the item has no such record).

  async #recordsPage<Row extends Stamped, View>(
    caller: Caller,
    id: string,
    query: Page,
    list: (equipmentId: string, limit: number, after: Position | undefined) => Promise<Row[]>,
    view: (row: Omit<Row, typeof POSITION_STAMP>) => View,
  ) {
    await this.#owned(caller, id);
    const page = toPage(await list(id, query.limit, position(query.cursor)), query.limit);
    return { ...page, items: page.items.map(view) };
  }

  async #record<Row>(
    caller: Caller,
    id: string,
    recordId: string,
    find: (equipmentId: string, recordId: string) => Promise<Row | undefined>,
    notFound: ProblemType,
  ): Promise<Row> {
    await this.#owned(caller, id);
    const row = await find(id, recordId);
    if (!row) throw new ApiError(notFound);
    return row;
  }

  // Warranties

  async warranties(caller: Caller, id: string, query: Page) {
    return this.#recordsPage(
      caller,
      id,
      query,
      (...page) => this.#deps.repository.warrantiesOf(...page),
      (row) => this.warrantyView(row),
    );
  }

  async warranty(caller: Caller, id: string, warrantyId: string) {
    const find = (...ids: [string, string]) => this.#deps.repository.findWarranty(...ids);
    return this.warrantyView(await this.#record(caller, id, warrantyId, find, GearProblems.warrantyNotFound));
  }

  async addWarranty(caller: Caller, id: string, body: CreateWarranty) {
    return this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      const values: WarrantyValues = {
        coverage_type: body.coverage_type ?? 'manufacturer',
        provider: body.provider,
        reference_number: body.reference_number ?? null,
        starts_on: body.starts_on,
        ends_on: body.ends_on ?? null,
        document_file_id: body.document_file_id ?? null,
        notes: body.notes ?? null,
      };
      await this.#checkWarranty(caller, values, true);
      return this.warrantyView(await this.#deps.repository.insertWarranty(tx, id, values));
    });
  }

  async updateWarranty(caller: Caller, id: string, warrantyId: string, body: UpdateWarranty) {
    return this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      const current = await this.#deps.repository.findWarranty(id, warrantyId, tx);
      if (!current) throw new ApiError(GearProblems.warrantyNotFound);
      const before = this.warrantyView(current);
      const merged: WarrantyValues = {
        coverage_type: before.coverage_type,
        provider: before.provider,
        reference_number: before.reference_number,
        starts_on: before.starts_on,
        ends_on: before.ends_on,
        document_file_id: before.document_file_id,
        notes: before.notes,
        ...body,
      };
      await this.#checkWarranty(caller, merged, body.document_file_id !== undefined);
      const endMoved = body.ends_on !== undefined && body.ends_on !== before.ends_on;
      return this.warrantyView(await this.#deps.repository.updateWarranty(tx, warrantyId, body, endMoved));
    });
  }

  async removeWarranty(caller: Caller, id: string, warrantyId: string): Promise<void> {
    await this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      if (!(await this.#deps.repository.findWarranty(id, warrantyId, tx)))
        throw new ApiError(GearProblems.warrantyNotFound);
      await this.#deps.repository.deleteWarranty(tx, warrantyId);
    });
  }

  async #checkWarranty(caller: Caller, values: WarrantyValues, documentNamed: boolean): Promise<void> {
    const problems = dateAndMoneyProblems(
      'body.',
      { starts_on: values.starts_on, ends_on: values.ends_on },
      undefined,
      { from: 'starts_on', to: 'ends_on', rule: 'after_start' },
    );
    if (problems.length > 0) throw invalid(problems);
    if (documentNamed && values.document_file_id)
      await this.#checkFile(caller, values.document_file_id, 'body.document_file_id', 'document');
  }

  // Maintenance

  async maintenance(caller: Caller, id: string, query: Page) {
    return this.#recordsPage(
      caller,
      id,
      query,
      (...page) => this.#deps.repository.maintenanceOf(...page),
      (row) => this.maintenanceView(row),
    );
  }

  async maintenanceEntry(caller: Caller, id: string, entryId: string) {
    const find = (...ids: [string, string]) => this.#deps.repository.findMaintenance(...ids);
    return this.maintenanceView(await this.#record(caller, id, entryId, find, GearProblems.maintenanceNotFound));
  }

  async addMaintenance(caller: Caller, id: string, body: CreateMaintenance) {
    return this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      const values: MaintenanceValues = {
        maintenance_type: body.maintenance_type ?? 'service',
        performed_on: body.performed_on,
        description: body.description,
        performed_by: body.performed_by ?? null,
        cost: body.cost == null ? null : normaliseAmount(body.cost),
        currency: body.currency ?? null,
        invoice_file_id: body.invoice_file_id ?? null,
        next_due_on: body.next_due_on ?? null,
      };
      await this.#checkMaintenance(caller, values, true);
      return this.maintenanceView(await this.#deps.repository.insertMaintenance(tx, id, values));
    });
  }

  async updateMaintenance(caller: Caller, id: string, entryId: string, body: UpdateMaintenance) {
    return this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      const current = await this.#deps.repository.findMaintenance(id, entryId, tx);
      if (!current) throw new ApiError(GearProblems.maintenanceNotFound);
      const before = this.maintenanceView(current);
      const changes: Partial<MaintenanceValues> = {
        ...body,
        ...(body.cost !== undefined ? { cost: body.cost === null ? null : normaliseAmount(body.cost) } : {}),
      };
      const merged: MaintenanceValues = {
        maintenance_type: before.maintenance_type,
        performed_on: before.performed_on,
        description: before.description,
        performed_by: before.performed_by,
        cost: before.cost,
        currency: before.currency,
        invoice_file_id: before.invoice_file_id,
        next_due_on: before.next_due_on,
        ...changes,
      };
      await this.#checkMaintenance(caller, merged, body.invoice_file_id !== undefined);
      return this.maintenanceView(await this.#deps.repository.updateMaintenance(tx, entryId, changes));
    });
  }

  async removeMaintenance(caller: Caller, id: string, entryId: string): Promise<void> {
    await this.#deps.repository.inTransaction(async (tx) => {
      await this.#lockOwned(tx, caller, id);
      if (!(await this.#deps.repository.findMaintenance(id, entryId, tx)))
        throw new ApiError(GearProblems.maintenanceNotFound);
      await this.#deps.repository.deleteMaintenance(tx, entryId);
    });
  }

  async #checkMaintenance(caller: Caller, values: MaintenanceValues, invoiceNamed: boolean): Promise<void> {
    const problems = dateAndMoneyProblems(
      'body.',
      { performed_on: values.performed_on, next_due_on: values.next_due_on },
      { field: 'cost', value: values.cost, currency: values.currency },
      { from: 'performed_on', to: 'next_due_on', rule: 'after_performed' },
    );
    if (problems.length > 0) throw invalid(problems);
    if (invoiceNamed && values.invoice_file_id)
      await this.#checkFile(caller, values.invoice_file_id, 'body.invoice_file_id', 'document');
  }

  // CSV (ADR 0079)

  /** The caller's live items as CSV, oldest first, formulas neutralised. */
  async exportCsv(caller: Caller): Promise<string> {
    const rows = await this.#deps.repository.allOwnedBy(caller.userId, GEAR_CSV_MAX_ROWS * 10);
    return writeGearCsv(
      rows.map((row) => ({
        name: row.name,
        category: row.category_slug,
        brand: row.brand ?? '',
        model: row.model ?? '',
        serial_number: row.serial_number ?? '',
        purchase_date: row.purchase_date ? day(row.purchase_date) : '',
        purchase_price: row.purchase_price ?? '',
        currency: row.currency ?? '',
        purchased_from: row.purchased_from ?? '',
        condition: row.condition,
        status: row.status,
        notes: row.notes ?? '',
        is_public: row.is_public ? 'true' : 'false',
      })),
    );
  }

  /**
   * Imports the rows as new items of the caller, all or nothing: any row breaking a rule makes a 422 listing every
   * broken rule (record number, column, rule), at most 100 of them, and nothing is stored.
   */
  async importCsv(caller: Caller, body: unknown, contentType: string | undefined): Promise<{ imported: number }> {
    if (!Buffer.isBuffer(body))
      throw new ApiError(GearProblems.csvInvalid, 'Send the file as text/csv', [
        { field: 'body', rule: 'content-type', message: 'must be a text/csv body' },
      ]);
    checkDeclaredCharset(contentType);
    const records = readGearCsv(decodeCsv(body), GEAR_CSV_MAX_ROWS);
    const categories = new Map((await this.#deps.repository.categories()).map((c) => [c.slug, c.id]));
    const problems: ProblemField[] = [];
    const valid: EquipmentValues[] = [];
    for (const { record, cells, extraCells } of records) {
      const field = (column: string) => `rows[${record}].${column}`;
      const before = problems.length;
      if (extraCells) problems.push({ field: field('*'), rule: 'columns', message: 'has more cells than the header' });
      const candidate: Record<string, unknown> = {};
      for (const column of GEAR_CSV_COLUMNS) {
        const value = cells[column];
        if (value === undefined || column === 'category' || column === 'is_public') continue;
        candidate[column] = value;
      }
      const slug = cells.category?.trim().toLowerCase();
      const categoryId = slug === undefined ? undefined : categories.get(slug);
      if (slug !== undefined && categoryId === undefined)
        problems.push({ field: field('category'), rule: 'exists', message: `"${slug}" is not a category slug` });
      candidate.category_id = categoryId ?? '00000000-0000-4000-8000-000000000000';
      if (cells.category === undefined)
        problems.push({ field: field('category'), rule: 'required', message: 'is required' });
      const flag = cells.is_public?.trim().toLowerCase();
      if (flag !== undefined) {
        if (['true', 'yes', '1'].includes(flag)) candidate.is_public = true;
        else if (['false', 'no', '0'].includes(flag)) candidate.is_public = false;
        else problems.push({ field: field('is_public'), rule: 'boolean', message: 'is not true or false' });
      }
      for (const error of checkCsvRow.Errors(candidate)) {
        const column = error.instancePath.split('/')[1] ?? (error.keyword === 'required' ? 'name' : '*');
        if (error.keyword === 'anyOf' || error.keyword === 'boolean') continue;
        problems.push({ field: field(column), rule: error.keyword, message: error.message });
      }
      if (problems.length === before) {
        const values = this.#equipmentValues(candidate as CreateEquipment);
        problems.push(
          ...dateAndMoneyProblems(
            `rows[${record}].`,
            { purchase_date: values.purchase_date },
            { field: 'purchase_price', value: values.purchase_price, currency: values.currency },
            undefined,
          ),
        );
        if (problems.length === before) valid.push(values);
      }
      if (problems.length > 100) break;
    }
    if (problems.length > 0) {
      const listed = problems.slice(0, 100);
      if (problems.length > 100)
        listed.push({ field: 'body', rule: 'truncated', message: 'more errors follow; fix these first' });
      throw new ApiError(
        GearProblems.csvInvalid,
        `${problems.length} error(s) in the file; nothing was imported`,
        listed,
      );
    }
    await this.#deps.repository.inTransaction(async (tx) => {
      for (const values of valid) await this.#deps.repository.insertEquipment(tx, caller.userId, values);
    });
    return { imported: valid.length };
  }

  // The setup page (ADR 0079)

  async setupSettings(caller: Caller) {
    return { public: await this.#deps.setupPublicOf(caller.userId) };
  }

  async setSetupSettings(caller: Caller, value: boolean) {
    await this.#deps.setSetupPublic(caller.userId, value);
    return { public: value };
  }

  /** The public items of `username`: name, brand, model and category only. */
  async setupPage(viewer: Caller | null, username: string, query: Page) {
    const account = await this.#deps.accountNamed(username);
    if (!account) throw new ApiError(GearProblems.setupNotFound);
    const other = viewer !== null && viewer.userId !== account.id;
    const [visibility, setupPublic, { blockedEitherWay, viewerFollows }] = await Promise.all([
      this.#deps.profileVisibilityOf(account.id),
      this.#deps.setupPublicOf(account.id),
      other ? this.#deps.blockAndFollow(viewer.userId, account.id) : { blockedEitherWay: false, viewerFollows: false },
    ]);
    authorize(
      mayViewSetup(viewer, { userId: account.id, visibility, setupPublic, blockedEitherWay, viewerFollows }),
      GearProblems.setupNotFound,
    );
    const rows = await this.#deps.repository.publicOf(account.id, query.limit, position(query.cursor));
    const page = toPage(rows, query.limit);
    return {
      user: { id: account.id, username: account.username, display_name: account.display_name },
      next_cursor: page.next_cursor,
      items: page.items.map((row) => ({
        id: row.id,
        name: row.name,
        brand: row.brand,
        model: row.model,
        category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
      })),
    };
  }
}
