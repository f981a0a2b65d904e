// The SQL of product licences (spec §10.2, issue 16 §2, ADR 0069). Rows in, rows out.
// A licence holds its own sale state (migration 0045): units_reserved (unpaid orders), units_sold (paid orders) and
// withdrawn_at (another licence of the product was sold exclusively). A reservation is one conditional UPDATE of the
// licence row: under READ COMMITTED a racer that waited for the row lock re-checks the condition against the
// winner's committed row, so exactly one of any number of buyers takes the last unit, and the CHECK
// chk_product_licenses_units_within_limit refuses an oversell even from a writer that forgets the condition.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';

export type Executor = Database | Transaction<DB>;

/** What a reservation of one unit gave: a unit, nothing left, or a licence that is not (or no longer) on sale. */
export type ReserveOutcome = 'ok' | 'sold_out' | 'withdrawn';

export interface LicenseRow {
  id: string;
  product_id: string;
  name: string;
  description: string | null;
  price: string;
  terms: string;
  usage_rights: unknown;
  is_exclusive: boolean;
  distribution_limit: number | null;
  units_sold: number;
  units_reserved: number;
  withdrawn_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewLicense {
  name: string;
  description: string | null;
  price: string;
  terms: string;
  usage_rights: string; // JSON text, validated by licenses.schemas.ts
  is_exclusive: boolean;
  distribution_limit: number | null;
}

export type LicenseChanges = Partial<NewLicense>;

const LICENSE_COLUMNS = [
  'id',
  'product_id',
  'name',
  'description',
  'price',
  'terms',
  'usage_rights',
  'is_exclusive',
  'distribution_limit',
  'units_sold',
  'units_reserved',
  'withdrawn_at',
  'created_at',
  'updated_at',
] as const;

/** The units a licence may ever sell: one when exclusive, its distribution limit, or no limit (int4 max). */
const unitLimit = sql<number>`CASE WHEN is_exclusive THEN 1 ELSE COALESCE(distribution_limit, 2147483647) END`;

/**
 * Takes one unit of a licence for an unpaid order, in the caller's transaction (the checkout's). `ok` only while the
 * licence is live (not deleted, not withdrawn), its product is on sale (active, not deleted) and a unit is left.
 * A checkout that reserves several licences must take them in licence id order, so two checkouts never wait on
 * each other's rows in opposite orders (a deadlock).
 */
export async function reserveLicenseUnit(tx: Transaction<DB>, licenseId: string): Promise<ReserveOutcome> {
  const taken = await sql<{ id: string }>`
    UPDATE product_licenses l SET units_reserved = l.units_reserved + 1
      FROM products p
     WHERE l.id = ${licenseId}::uuid AND p.id = l.product_id
       AND l.deleted_at IS NULL AND l.withdrawn_at IS NULL
       AND p.status = 'active' AND p.deleted_at IS NULL
       AND l.units_sold + l.units_reserved
           < CASE WHEN l.is_exclusive THEN 1 ELSE COALESCE(l.distribution_limit, 2147483647) END
    RETURNING l.id`.execute(tx);
  if (taken.rows.length > 0) return 'ok';
  // Why not: read after the UPDATE, so a licence that was live but full answers sold_out.
  const row = await sql<{ live: boolean }>`
    SELECT (l.deleted_at IS NULL AND l.withdrawn_at IS NULL AND p.status = 'active' AND p.deleted_at IS NULL) AS live
      FROM product_licenses l JOIN products p ON p.id = l.product_id
     WHERE l.id = ${licenseId}::uuid`.execute(tx);
  return row.rows[0]?.live ? 'sold_out' : 'withdrawn';
}

/**
 * Gives back a unit reserved by an unpaid order that expired, failed or was cancelled. Returns false when the
 * licence holds no reserved unit (released twice): callers release once per reservation, in the transaction that
 * moves the order out of pending, so a replay changes nothing.
 */
export async function releaseLicenseUnit(tx: Transaction<DB>, licenseId: string): Promise<boolean> {
  const result = await tx
    .updateTable('product_licenses')
    .set({ units_reserved: sql`units_reserved - 1` })
    .where('id', '=', licenseId)
    .where('units_reserved', '>', 0)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Turns a reserved unit into a sold one when its order is paid, in the payment's transaction. Selling an exclusive
 * licence withdraws every other licence of the product and takes the product off sale (status inactive): units those
 * licences had reserved before stay payable (their buyers were promised them), no new ones can be taken.
 * Returns false when the licence holds no reserved unit (the reservation was released: the caller reserves again).
 */
export async function commitLicenseUnit(tx: Transaction<DB>, licenseId: string): Promise<boolean> {
  const sold = await tx
    .updateTable('product_licenses')
    .set({ units_reserved: sql`units_reserved - 1`, units_sold: sql`units_sold + 1` })
    .where('id', '=', licenseId)
    .where('units_reserved', '>', 0)
    .returning(['product_id', 'is_exclusive'])
    .executeTakeFirst();
  if (!sold) return false;
  if (sold.is_exclusive) await withdrawOtherLicenses(tx, sold.product_id, licenseId);
  return true;
}

/** The exclusive sale of `soldLicenseId`: the product's other licences and the product itself leave the catalogue. */
async function withdrawOtherLicenses(tx: Transaction<DB>, productId: string, soldLicenseId: string): Promise<void> {
  await sql`
    UPDATE product_licenses SET withdrawn_at = now()
     WHERE id IN (SELECT id FROM product_licenses
                   WHERE product_id = ${productId}::uuid AND id <> ${soldLicenseId}::uuid AND withdrawn_at IS NULL
                   ORDER BY id FOR UPDATE)`.execute(tx);
  await tx
    .updateTable('products')
    .set({ status: 'inactive' })
    .where('id', '=', productId)
    .where('status', '=', 'active')
    .execute();
}

/** The live (not deleted) licences of products, cheapest first then oldest (unexecuted: bench/workloads.ts). */
export function licensesOfProducts(db: Executor, productIds: string[]) {
  return db
    .selectFrom('product_licenses')
    .select(LICENSE_COLUMNS)
    .where('product_id', 'in', productIds)
    .where('deleted_at', 'is', null)
    .orderBy('price')
    .orderBy('created_at')
    .orderBy('id');
}

export function createLicensesRepository(pool: Pool) {
  const { db } = pool;
  return {
    db,

    /** The live (not deleted) licences of products, cheapest first then oldest. */
    async ofProducts(productIds: string[], executor: Executor = db): Promise<LicenseRow[]> {
      if (productIds.length === 0) return [];
      return await licensesOfProducts(executor, productIds).execute();
    },

    async find(productId: string, licenseId: string, executor: Executor = db): Promise<LicenseRow | undefined> {
      return await executor
        .selectFrom('product_licenses')
        .select(LICENSE_COLUMNS)
        .where('id', '=', licenseId)
        .where('product_id', '=', productId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    /** Live licences still on sale (not withdrawn, a unit left): publishing needs one. */
    async countOnSale(productId: string, executor: Executor = db): Promise<number> {
      const row = await executor
        .selectFrom('product_licenses')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('product_id', '=', productId)
        .where('deleted_at', 'is', null)
        .where('withdrawn_at', 'is', null)
        .where(sql<boolean>`units_sold + units_reserved < ${unitLimit}`)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Whether an exclusive licence of the product was sold: it can then never be on sale again. */
    async soldExclusively(productId: string, executor: Executor = db): Promise<boolean> {
      const row = await executor
        .selectFrom('product_licenses')
        .select('id')
        .where('product_id', '=', productId)
        .where('is_exclusive', '=', true)
        .where('units_sold', '>', 0)
        .executeTakeFirst();
      return row !== undefined;
    },

    async insert(tx: Transaction<DB>, productId: string, license: NewLicense): Promise<LicenseRow> {
      return await tx
        .insertInto('product_licenses')
        .values({ ...license, product_id: productId })
        .returning(LICENSE_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    async update(tx: Transaction<DB>, licenseId: string, changes: LicenseChanges): Promise<LicenseRow> {
      return await tx
        .updateTable('product_licenses')
        .set(changes)
        .where('id', '=', licenseId)
        .returning(LICENSE_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** Soft delete: order lines keep pointing at the licence they bought (and their own terms snapshot). */
    async softDelete(tx: Transaction<DB>, licenseId: string): Promise<void> {
      await tx.updateTable('product_licenses').set({ deleted_at: new Date() }).where('id', '=', licenseId).execute();
    },
  };
}

export type LicensesRepository = ReturnType<typeof createLicensesRepository>;
