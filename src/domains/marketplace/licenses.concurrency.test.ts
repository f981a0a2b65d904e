// No oversell (issue 16 §2, ADR 0069): a hundred checkouts racing for the one unit of an exclusive licence, or for
// the last unit of a distribution limit, each in its own transaction on its own connection: exactly one gets it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { openPool, type Pool } from '../../platform/db/pool.ts';
import {
  commitLicenseUnit,
  releaseLicenseUnit,
  reserveLicenseUnit,
  type ReserveOutcome,
} from './licenses.repository.ts';

let opened: Pool | undefined;
// Registered before the database's own hook, so the pool closes before the database is dropped.
after(async () => {
  await opened?.close();
});
const database = useMigratedDatabase();
// Opened on first use: the database exists once the tests run. Enough connections for the racers to really race.
const pool = {
  get db() {
    opened ??= openPool(database.current.url, {
      poolSize: 25,
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 30_000,
      lockTimeoutMs: 20_000,
      prepareStatements: true,
    });
    return opened.db;
  },
};

async function onSale(license: Record<string, unknown>) {
  const { sql } = database.current;
  const product = await allFactories.products!(sql, { status: 'active', published_at: new Date() });
  const row = await allFactories.product_licenses!(sql, { product_id: product.id, ...license });
  const other = await allFactories.product_licenses!(sql, { product_id: product.id, name: 'Basic lease' });
  return { productId: String(product.id), licenseId: String(row.id), otherId: String(other.id) };
}

/** 100 buyers, each reserving then (when they got a unit) paying in one transaction, all started at once. */
async function race(licenseId: string, buyers = 100): Promise<ReserveOutcome[]> {
  return Promise.all(
    Array.from({ length: buyers }, () =>
      pool.db.transaction().execute(async (tx) => {
        const outcome = await reserveLicenseUnit(tx, licenseId);
        if (outcome === 'ok') assert.equal(await commitLicenseUnit(tx, licenseId), true);
        return outcome;
      }),
    ),
  );
}

async function units(licenseId: string) {
  const [row] = await database.current.sql`
    SELECT units_sold, units_reserved, withdrawn_at FROM product_licenses WHERE id = ${licenseId}`;
  return row!;
}

test('100 concurrent buyers of one exclusive licence: exactly one wins, the rest is withdrawn', async () => {
  const { productId, licenseId, otherId } = await onSale({ name: 'Exclusive', is_exclusive: true, price: '500.00' });
  const outcomes = await race(licenseId);
  assert.equal(outcomes.filter((o) => o === 'ok').length, 1);
  // Losers that waited for the winner's commit see the product off sale; the others see the unit gone.
  assert.ok(outcomes.every((o) => o === 'ok' || o === 'sold_out' || o === 'withdrawn'));
  assert.deepEqual(
    { ...(await units(licenseId)), withdrawn_at: null },
    {
      units_sold: 1,
      units_reserved: 0,
      withdrawn_at: null,
    },
  );
  assert.ok((await units(otherId)).withdrawn_at instanceof Date, 'the other licence is withdrawn');
  const [product] = await database.current.sql`SELECT status FROM products WHERE id = ${productId}`;
  assert.equal(product?.status, 'inactive');
  // Nothing more can be taken, exclusive or not.
  await pool.db.transaction().execute(async (tx) => {
    assert.equal(await reserveLicenseUnit(tx, otherId), 'withdrawn');
    assert.equal(await reserveLicenseUnit(tx, licenseId), 'withdrawn');
  });
});

test('the last unit of a distribution limit goes to exactly one of 100 buyers', async () => {
  const { licenseId, otherId } = await onSale({ distribution_limit: 5 });
  await database.current.sql`UPDATE product_licenses SET units_sold = 4 WHERE id = ${licenseId}`;
  const outcomes = await race(licenseId);
  assert.equal(outcomes.filter((o) => o === 'ok').length, 1);
  assert.equal(outcomes.filter((o) => o === 'sold_out').length, 99);
  assert.deepEqual(await units(licenseId), { units_sold: 5, units_reserved: 0, withdrawn_at: null });
  assert.equal((await units(otherId)).withdrawn_at, null, 'a lease sale withdraws nothing');
});

test('a released reservation gives the unit back; release and commit without a reservation change nothing', async () => {
  const { licenseId } = await onSale({ is_exclusive: true });
  await pool.db.transaction().execute(async (tx) => {
    assert.equal(await reserveLicenseUnit(tx, licenseId), 'ok');
    assert.equal(await reserveLicenseUnit(tx, licenseId), 'sold_out', 'held by the first reservation');
    assert.equal(await releaseLicenseUnit(tx, licenseId), true);
    assert.equal(await releaseLicenseUnit(tx, licenseId), false, 'released twice');
    assert.equal(await commitLicenseUnit(tx, licenseId), false, 'nothing reserved to sell');
  });
  assert.deepEqual(await units(licenseId), { units_sold: 0, units_reserved: 0, withdrawn_at: null });
  await pool.db.transaction().execute(async (tx) => {
    assert.equal(await reserveLicenseUnit(tx, '00000000-0000-4000-8000-000000000000'), 'withdrawn');
  });
});

test('a licence of a product not on sale, or deleted, is withdrawn; the CHECK refuses an oversell', async () => {
  const { sql } = database.current;
  const draft = await allFactories.product_licenses!(sql, {});
  const live = await onSale({});
  await sql`UPDATE product_licenses SET deleted_at = now() WHERE id = ${live.otherId}`;
  await pool.db.transaction().execute(async (tx) => {
    assert.equal(await reserveLicenseUnit(tx, String(draft.id)), 'withdrawn', 'the factory makes a draft product');
    assert.equal(await reserveLicenseUnit(tx, live.otherId), 'withdrawn');
  });
  await assert.rejects(
    sql`UPDATE product_licenses SET is_exclusive = true, units_sold = 2 WHERE id = ${live.licenseId}`,
    /chk_product_licenses_units_within_limit/,
  );
});
