// The money side over HTTP (issue 16 §4-7, 10): cart, checkout with a code and tax, manual payment, the ledger and
// the books, refunds, a changed price reported, idempotent retries, expiry releasing licences, access (BOLA), bad input.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody } from './checkout.test-support.ts';
import { checkBooks } from './ledger.ts';
import { createMoneyServices } from './checkout.wiring.ts';
import { marketMoneyConfig } from './checkout.config.ts';

const testApp = useTestApp({
  env: () => ({ VEZA_MARKET_TAX_RATES: 'FR:0.2', VEZA_MARKET_COMMISSION_RATE: '0.15' }),
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

test('a buyer adds, applies a code, checks out with tax, staff confirm payment, the ledger balances', async () => {
  const t = testApp.current;
  const [seller, buyer, admin] = [await newPerson(t), await newPerson(t), await newPerson(t, 'admin')];
  const beat = await productOnSale(t, seller, { price: '19.99' });
  const asBuyer = moneyClient(t, buyer);
  const added = await asBuyer.add({ product_id: beat.productId, license_id: beat.licenseId });
  assert.equal(added.statusCode, 201, added.body);
  assert.equal(added.json<{ subtotal: string }>().subtotal, '19.99');

  const code = await moneyClient(t, seller).createCode({
    code: 'Spring10',
    discount_type: 'percentage',
    discount_value: '10',
    currency: 'EUR',
    valid_from: inDays(-1),
    valid_until: inDays(30),
  });
  assert.equal(code.statusCode, 201, code.body);

  const checkout = await asBuyer.checkout({
    billing_email: 'buyer@example.test',
    billing_name: 'Ana Buyer',
    billing_address: { country: 'fr', city: 'Lyon' },
    discount_code: 'SPRING10',
  });
  assert.equal(checkout.statusCode, 201, checkout.body);
  const order = checkout.json<OrderBody>();
  assert.equal(order.status, 'pending');
  assert.match(order.order_number, /^VZ-\d{8}-[0-9A-Z]{10}$/);
  // 19.99 − 10 % (2.00, half-up of 1.999) = 17.99; tax 20 % = 3.598 → 3.60; total 21.59.
  assert.deepEqual(
    [order.subtotal, order.discount_total, order.tax_total, order.total],
    ['19.99', '2.00', '3.60', '21.59'],
  );
  assert.equal(order.items[0]?.price, '17.99');
  assert.equal(order.items[0]?.license_terms, 'Non-exclusive use, up to 5,000 streams.');
  assert.equal((await asBuyer.cart()).json<{ item_count: number }>().item_count, 0, 'the cart is emptied');

  // Only staff confirm; someone else's order is 404 to the buyer's neighbour.
  assert.equal((await moneyClient(t, buyer).confirm(order.id)).statusCode, 403);
  const stranger = await newPerson(t);
  assert.equal((await moneyClient(t, stranger).order(order.id)).statusCode, 404);
  const confirmed = await moneyClient(t, admin).confirm(order.id);
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  assert.equal(confirmed.json<OrderBody>().status, 'paid');
  assert.equal((await moneyClient(t, admin).confirm(order.id)).statusCode, 200, 'confirming twice changes nothing');

  const rows = await t.database.sql<{ transaction_type: string; amount: string; user_id: string | null }[]>`
    SELECT transaction_type, amount::text AS amount, user_id FROM transactions WHERE order_id = ${order.id}
     ORDER BY transaction_type`;
  // 17.99 × 15 % = 2.6985 → 2.70 commission; the seller keeps 15.29; + tax 3.60 = 21.59.
  assert.deepEqual(
    rows.map((r) => [r.transaction_type, r.amount]),
    [
      ['commission', '2.70'],
      ['payment', '21.59'],
      ['seller_share', '15.29'],
      ['tax', '3.60'],
    ],
  );
  assert.equal(rows.find((r) => r.transaction_type === 'seller_share')?.user_id, seller.id);
  const [license] = await t.database.sql<{ units_sold: number; units_reserved: number }[]>`
    SELECT units_sold, units_reserved FROM product_licenses WHERE id = ${beat.licenseId}`;
  assert.deepEqual([license?.units_sold, license?.units_reserved], [1, 0]);

  const refunded = await moneyClient(t, admin).refund(order.id);
  assert.equal(refunded.statusCode, 200, refunded.body);
  assert.equal(refunded.json<OrderBody>().status, 'refunded');
  assert.equal((await moneyClient(t, admin).refund(order.id)).statusCode, 200, 'refunding twice changes nothing');
  const report = await checkBooks(t.pool.db);
  assert.deepEqual(report.problems, []);
  assert.ok(report.ordersChecked >= 1);
});

test('a changed price or a product taken off sale is reported (409 with the differences), not charged', async () => {
  const t = testApp.current;
  const [seller, buyer] = [await newPerson(t), await newPerson(t)];
  const [a, b] = [
    await productOnSale(t, seller, { price: '10.00' }),
    await productOnSale(t, seller, { price: '5.00' }),
  ];
  const asBuyer = moneyClient(t, buyer);
  await asBuyer.add({ product_id: a.productId, license_id: a.licenseId });
  await asBuyer.add({ product_id: b.productId, license_id: b.licenseId });
  await t.database.sql`UPDATE product_licenses SET price = '12.00' WHERE id = ${a.licenseId}`;
  await t.database.sql`UPDATE products SET status = 'inactive' WHERE id = ${b.productId}`;

  const refused = await asBuyer.checkout();
  assert.equal(refused.statusCode, 409, refused.body);
  const problem = refused.json<{ code: string; errors: { rule: string; message: string }[] }>();
  assert.equal(problem.code, 'CART_CHANGED');
  assert.deepEqual(problem.errors.map((e) => e.rule).sort(), ['not_on_sale', 'price_changed']);
  assert.match(problem.errors.find((e) => e.rule === 'price_changed')!.message, /10\.00 → 12\.00/);
  const [{ n } = { n: -1 }] = await t.database.sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM orders WHERE user_id = ${buyer.id}`;
  assert.equal(n, 0, 'no order, no partial write');
  const cart = (await asBuyer.cart()).json<{ subtotal: string; item_count: number }>();
  assert.deepEqual([cart.item_count, cart.subtotal], [1, '12.00'], 'the cart now shows what a checkout would charge');
  const second = await asBuyer.checkout();
  assert.equal(second.statusCode, 201, second.body);
  assert.equal(second.json<OrderBody>().total, '12.00');
});

test('a retried checkout with the same key answers the same order; a different body with it is refused', async () => {
  const t = testApp.current;
  const [seller, buyer] = [await newPerson(t), await newPerson(t)];
  const p = await productOnSale(t, seller);
  const asBuyer = moneyClient(t, buyer);
  await asBuyer.add({ product_id: p.productId, license_id: p.licenseId });
  const key = randomUUID();
  const body = { billing_email: 'buyer@example.test' };
  const responses = await Promise.all([1, 2, 3, 4, 5].map(() => asBuyer.checkout(body, key)));
  const created = responses.filter((r) => r.statusCode === 201);
  assert.ok(created.length >= 1, responses.map((r) => r.statusCode).join());
  assert.ok(
    responses.every((r) => r.statusCode === 201 || r.statusCode === 409),
    responses.map((r) => r.body).join(),
  );
  assert.equal(new Set(created.map((r) => r.json<OrderBody>().id)).size, 1);
  const again = await asBuyer.checkout(body, key);
  assert.equal(again.statusCode, 201);
  assert.equal(again.json<OrderBody>().id, created[0]!.json<OrderBody>().id);
  assert.equal((await asBuyer.checkout({ billing_email: 'other@example.test' }, key)).statusCode, 422);
  const [{ n } = { n: -1 }] = await t.database.sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM orders WHERE user_id = ${buyer.id}`;
  assert.equal(n, 1);
});

test('an unpaid order expires and gives back its licence unit and its code use', async () => {
  const t = testApp.current;
  const [seller, buyer, other] = [await newPerson(t), await newPerson(t), await newPerson(t)];
  const p = await productOnSale(t, seller, { exclusive: true });
  const once = `ONCE${randomUUID().slice(0, 6)}`;
  await moneyClient(t, seller).createCode({
    code: once,
    discount_type: 'fixed_amount',
    discount_value: '1',
    currency: 'EUR',
    usage_limit: 1,
    valid_from: inDays(-1),
    valid_until: inDays(1),
  });
  const asBuyer = moneyClient(t, buyer);
  await asBuyer.add({ product_id: p.productId, license_id: p.licenseId });
  const placed = await asBuyer.checkout({ billing_email: 'b@example.test', discount_code: once });
  assert.equal(placed.statusCode, 201, placed.body);
  const order = placed.json<OrderBody>();
  assert.equal(order.discount_total, '1.00');
  const asOther = moneyClient(t, other);
  assert.equal((await asOther.add({ product_id: p.productId, license_id: p.licenseId })).statusCode, 422, 'reserved');

  const { checkout } = createMoneyServices(
    { pool: t.pool },
    marketMoneyConfig({ VEZA_MARKET_ORDER_TTL_MINUTES: '30' }),
  );
  await checkout.expireUnpaidOrders(new Date(Date.now() + 10 * 60_000));
  assert.equal((await asBuyer.order(order.id)).json<OrderBody>().status, 'pending', 'not yet');
  assert.ok((await checkout.expireUnpaidOrders(new Date(Date.now() + 31 * 60_000))) >= 1);
  assert.equal(await checkout.expireUnpaidOrders(new Date(Date.now() + 31 * 60_000)), 0, 'idempotent');
  const [use] = await t.database.sql<{ usage_count: number }[]>`
    SELECT usage_count FROM discount_codes WHERE code = ${once}`;
  assert.equal(use?.usage_count, 0, 'the code use is given back');
  assert.equal((await asBuyer.order(order.id)).json<OrderBody>().status, 'cancelled');
  assert.equal((await asOther.add({ product_id: p.productId, license_id: p.licenseId })).statusCode, 201, 'released');
  const admin = await newPerson(t, 'admin');
  assert.equal((await moneyClient(t, admin).confirm(order.id)).statusCode, 409, 'a cancelled order cannot be paid');
});

test('discount codes: case-insensitive, creator scope, minimum, maximum, window, one per order, limits', async () => {
  const t = testApp.current;
  const [seller, otherSeller, buyer, admin] = [
    await newPerson(t),
    await newPerson(t),
    await newPerson(t),
    await newPerson(t, 'admin'),
  ];
  const mine = await productOnSale(t, seller, { price: '40.00' });
  const theirs = await productOnSale(t, otherSeller, { price: '60.00' });
  const asSeller = moneyClient(t, seller);
  const base = { currency: 'EUR', valid_from: inDays(-1), valid_until: inDays(1) };
  const tag = randomUUID().slice(0, 6);
  assert.equal(
    (
      await asSeller.createCode({
        ...base,
        code: `HALF${tag}`,
        discount_type: 'percentage',
        discount_value: '50',
        maximum_discount_amount: '15',
      })
    ).statusCode,
    201,
  );
  assert.equal(
    (await asSeller.createCode({ ...base, code: `half${tag}`, discount_type: 'percentage', discount_value: '5' }))
      .statusCode,
    409,
  );
  assert.equal(
    (await asSeller.createCode({ ...base, code: `OVER${tag}`, discount_type: 'percentage', discount_value: '100.01' }))
      .statusCode,
    400,
  );
  assert.equal(
    (await asSeller.createCode({ ...base, code: `NEG${tag}`, discount_type: 'fixed_amount', discount_value: '-1' }))
      .statusCode,
    400,
  );
  assert.equal(
    (await asSeller.createCode({ ...base, code: `TRI${tag}`, discount_type: 'fixed_amount', discount_value: '1.005' }))
      .statusCode,
    400,
  );
  assert.equal(
    (
      await asSeller.createCode({
        ...base,
        code: `BIG${tag}`,
        discount_type: 'fixed_amount',
        discount_value: '5',
        minimum_purchase_amount: '100',
      })
    ).statusCode,
    201,
  );
  assert.equal(
    (
      await asSeller.createCode({
        ...base,
        code: `OLD${tag}`,
        discount_type: 'fixed_amount',
        discount_value: '5',
        valid_from: inDays(-3),
        valid_until: inDays(-2),
      })
    ).statusCode,
    201,
  );
  assert.equal(
    (
      await moneyClient(t, buyer).createPlatformCode({
        ...base,
        code: `PLAT${tag}`,
        discount_type: 'fixed_amount',
        discount_value: '5',
      })
    ).statusCode,
    403,
  );

  const asBuyer = moneyClient(t, buyer);
  await asBuyer.add({ product_id: mine.productId, license_id: mine.licenseId });
  await asBuyer.add({ product_id: theirs.productId, license_id: theirs.licenseId });
  const expect = async (code: string, status: number, problem?: string) => {
    const r = await asBuyer.checkout({ billing_email: 'b@example.test', discount_code: code });
    assert.equal(r.statusCode, status, `${code}: ${r.body}`);
    if (problem) assert.equal(r.json<{ code: string }>().code, problem);
    return r;
  };
  await expect(`NOPE${tag}`, 422, 'DISCOUNT_CODE_INVALID');
  await expect(`old${tag}`, 422, 'DISCOUNT_CODE_INVALID');
  await expect(`big${tag}`, 422, 'DISCOUNT_CODE_NOT_APPLICABLE'); // the seller's own lines are 40.00 < 100
  const ok = (await expect(`Half${tag}`, 201)).json<OrderBody>();
  // 50 % of the seller's 40.00 is 20.00, capped at 15.00; the other seller's line is untouched.
  assert.equal(ok.discount_total, '15.00');
  assert.deepEqual(ok.items.map((i) => [i.seller_id === seller.id ? 'mine' : 'theirs', i.price]).sort(), [
    ['mine', '25.00'],
    ['theirs', '60.00'],
  ]);
  assert.equal(ok.total, '85.00');
  const bad = await asBuyer.checkout({ billing_email: 'b@example.test', discount_code: ['A', 'B'] });
  assert.equal(bad.statusCode, 400, 'one code per order');
  assert.ok(admin);
});

test('bad input: own product, inactive product, licence of another product, currency mismatch, pwyw minimum', async () => {
  const t = testApp.current;
  const [seller, buyer] = [await newPerson(t), await newPerson(t)];
  const eur = await productOnSale(t, seller);
  const usd = await productOnSale(t, seller, { currency: 'USD' });
  const pwyw = await productOnSale(t, seller, { pricingModel: 'pwyw', minimum: '3.00', price: '3.00' });
  const asBuyer = moneyClient(t, buyer);
  const code = async (body: unknown) => {
    const r = await asBuyer.add(body);
    return [r.statusCode, r.statusCode < 300 ? null : r.json<{ code: string }>().code];
  };
  assert.deepEqual(
    [await moneyClient(t, seller).add({ product_id: eur.productId, license_id: eur.licenseId })].map(
      (r) => r.statusCode,
    ),
    [422],
  );
  assert.deepEqual(await code({ product_id: eur.productId, license_id: usd.licenseId }), [422, 'PRODUCT_NOT_ON_SALE']);
  assert.deepEqual(await code({ product_id: eur.productId, license_id: eur.licenseId }), [201, null]);
  assert.deepEqual(await code({ product_id: usd.productId, license_id: usd.licenseId }), [422, 'CURRENCY_MISMATCH']);
  assert.deepEqual(await code({ product_id: pwyw.productId, license_id: pwyw.licenseId, amount: '2.99' }), [
    422,
    'AMOUNT_UNDER_MINIMUM',
  ]);
  for (const amount of ['NaN', '-1', '1.005', '1e3', '100000000']) {
    assert.deepEqual(
      await code({ product_id: pwyw.productId, license_id: pwyw.licenseId, amount }),
      [400, 'AMOUNT_INVALID'],
      amount,
    );
  }
  assert.deepEqual(await code({ product_id: pwyw.productId, license_id: pwyw.licenseId, amount: '7.5' }), [201, null]);
  const cart = (await asBuyer.cart()).json<{ subtotal: string }>();
  assert.equal(cart.subtotal, '27.49');
  await t.database.sql`UPDATE products SET status = 'inactive' WHERE id = ${usd.productId}`;
  assert.deepEqual(await code({ product_id: usd.productId, license_id: usd.licenseId }), [422, 'PRODUCT_NOT_ON_SALE']);
  assert.equal((await asBuyer.remove(randomUUID())).statusCode, 404);
  assert.equal((await moneyClient(t, undefined).cart()).statusCode, 401);
  assert.equal((await asBuyer.checkout({ billing_email: 'not-an-email' })).statusCode, 400);
  const [{ n } = { n: -1 }] = await t.database.sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM orders WHERE user_id = ${buyer.id}`;
  assert.equal(n, 0);
});
