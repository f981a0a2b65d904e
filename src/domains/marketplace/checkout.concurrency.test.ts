// The races of issue 16 (§2, §5, §6): 100 buyers of one exclusive licence → one order, one paid; 50 checkouts with a
// code limited to 3 → exactly 3 uses. Real PostgreSQL, concurrent requests through the whole app.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { checkBooks } from './ledger.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody, type Person } from './checkout.test-support.ts';

const testApp = useTestApp();

async function buyersWithCarts(n: number, productId: string, licenseId: string): Promise<Person[]> {
  const buyers: Person[] = [];
  for (let i = 0; i < n; i += 1) {
    const buyer = await newPerson(testApp.current);
    const added = await moneyClient(testApp.current, buyer).add({ product_id: productId, license_id: licenseId });
    assert.equal(added.statusCode, 201, added.body);
    buyers.push(buyer);
  }
  return buyers;
}

test('100 concurrent buyers of one exclusive licence: exactly one order, one paid, the product withdrawn', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  const admin = await newPerson(t, 'admin');
  const beat = await productOnSale(t, seller, { exclusive: true, price: '500.00' });
  const buyers = await buyersWithCarts(100, beat.productId, beat.licenseId);
  const started = Date.now();
  const responses = await Promise.all(buyers.map((buyer) => moneyClient(t, buyer).checkout()));
  const duration = Date.now() - started;
  const codes = responses.map((r) => r.statusCode);
  const winners = responses.filter((r) => r.statusCode === 201);
  assert.equal(winners.length, 1, codes.join());
  assert.ok(
    // The losers are told the licence is gone: sold out at the reservation, or no longer on sale when their cart is
    // re-priced after the winner's reservation committed (their cart then drops the line).
    responses.every(
      (r) => r.statusCode === 201 || ['LICENSE_SOLD_OUT', 'CART_CHANGED'].includes(r.json<{ code: string }>().code),
    ),
    [...new Set(responses.map((r) => `${r.statusCode} ${r.body.slice(0, 300)}`))].join('\n'),
  );
  const order = winners[0]!.json<OrderBody>();
  assert.equal((await moneyClient(t, admin).confirm(order.id)).statusCode, 200);
  const [counts] = await t.database.sql<{ orders: number; paid: number; sold: number; status: string }[]>`
    SELECT (SELECT count(*)::int FROM order_items WHERE product_id = ${beat.productId}) AS orders,
           (SELECT count(*)::int FROM orders o JOIN order_items i ON i.order_id = o.id
             WHERE i.product_id = ${beat.productId} AND o.status = 'paid') AS paid,
           (SELECT units_sold FROM product_licenses WHERE id = ${beat.licenseId}) AS sold,
           (SELECT status FROM products WHERE id = ${beat.productId}) AS status`;
  assert.deepEqual(counts, { orders: 1, paid: 1, sold: 1, status: 'inactive' });
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
  console.log(`# 100-buyer race: ${duration} ms`);
});

test('50 concurrent checkouts with a code limited to 3: exactly 3 uses', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  const p = await productOnSale(t, seller, { price: '10.00' });
  const code = `LIMIT${randomUUID().slice(0, 6)}`;
  const created = await moneyClient(t, seller).createCode({
    code,
    discount_type: 'fixed_amount',
    discount_value: '2.50',
    currency: 'EUR',
    usage_limit: 3,
    valid_from: new Date(Date.now() - 60_000).toISOString(),
    valid_until: new Date(Date.now() + 86_400_000).toISOString(),
  });
  assert.equal(created.statusCode, 201, created.body);
  const buyers = await buyersWithCarts(50, p.productId, p.licenseId);
  const responses = await Promise.all(
    buyers.map((buyer) =>
      moneyClient(t, buyer).checkout({ billing_email: 'b@example.test', discount_code: code.toLowerCase() }),
    ),
  );
  const ok = responses.filter((r) => r.statusCode === 201);
  assert.equal(ok.length, 3, [...new Set(responses.map((r) => `${r.statusCode} ${r.body.slice(0, 300)}`))].join('\n'));
  assert.ok(ok.every((r) => r.json<OrderBody>().total === '7.50'));
  assert.ok(
    responses.every((r) => r.statusCode === 201 || r.json<{ code: string }>().code === 'DISCOUNT_CODE_EXHAUSTED'),
  );
  const [row] = await t.database.sql<{ usage_count: number; uses: number }[]>`
    SELECT usage_count, (SELECT count(*)::int FROM discount_code_usage u WHERE u.discount_code_id = d.id) AS uses
      FROM discount_codes d WHERE code = ${code}`;
  assert.deepEqual(row, { usage_count: 3, uses: 3 });
});
