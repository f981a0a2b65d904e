// `veza market books` and the marketplace's scheduled jobs through `veza jobs run`, as an operator runs them, on a
// real database (ADR 0077).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../test/factories/index.ts';
import { useTestApp } from '../../test/helpers/app.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';
const testApp = useTestApp();
const veza = (args: string[]) => runVeza(args, { DATABASE_URL: testApp.current.database.url });

interface Person {
  id: string;
  authorization: string;
}
interface OrderBody {
  id: string;
  order_number: string;
}

async function newPerson(role: 'user' | 'admin' = 'user'): Promise<Person> {
  const t = testApp.current;
  const user = await allFactories.users!(t.database.sql, { data_processing_consent: true, role });
  const { token } = await t.accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}

/** Through the HTTP API, as a buyer and an admin would: a product of `seller`, bought, paid if `pay`. */
async function placeOrder(seller: Person, price: string, pay: boolean): Promise<OrderBody> {
  const t = testApp.current;
  const [buyer, admin] = [await newPerson(), await newPerson('admin')];
  const product = await allFactories.products!(t.database.sql, {
    seller_id: seller.id,
    status: 'active',
    published_at: new Date(),
    currency: 'EUR',
    price,
    pricing_model: 'fixed',
  });
  const license = await allFactories.product_licenses!(t.database.sql, {
    product_id: product.id,
    price,
    is_exclusive: false,
    distribution_limit: null,
  });
  const as = (person: Person, url: string, payload?: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: person.authorization, 'idempotency-key': randomUUID() },
      ...(payload ? { payload } : {}),
    });
  await as(buyer, '/v1/me/cart/items', { product_id: product.id, license_id: license.id });
  const order = (await as(buyer, '/v1/me/checkout', { billing_email: 'buyer@example.test' })).json<OrderBody>();
  if (pay) assert.equal((await as(admin, `/v1/admin/orders/${order.id}/confirm-payment`)).statusCode, 200);
  return order;
}

async function refund(order: OrderBody): Promise<number> {
  const admin = await newPerson('admin');
  const answer = await testApp.current.app.inject({
    method: 'POST',
    url: `/v1/admin/orders/${order.id}/refund`,
    headers: { authorization: admin.authorization, 'idempotency-key': randomUUID() },
  });
  return answer.statusCode;
}

test('market books: a clean ledger passes; a corrupted transactions row fails, naming the order', async () => {
  const t = testApp.current;
  const seller = await newPerson();
  const kept = await placeOrder(seller, '19.99', true);
  const refunded = await placeOrder(seller, '10.00', true);
  assert.equal(await refund(refunded), 200);

  const clean = await veza(['market', 'books']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /orders checked:\s+2\n/);
  assert.match(clean.stdout, /sellers checked:\s+1\n/);
  assert.match(clean.stdout, /the books balance/);

  // One cent of commission too many on the kept order: its payment no longer equals its split.
  await t.database.sql`
    INSERT INTO transactions (transaction_type, user_id, order_id, amount, currency, provider, status)
    VALUES ('commission', NULL, ${kept.id}, 0.01, 'EUR', 'manual', 'completed')`;
  const corrupted = await veza(['market', 'books']);
  assert.equal(corrupted.code, 1);
  assert.match(
    corrupted.stdout,
    new RegExp(`${kept.order_number}: payment 19\\.99 ≠ shares\\+commission\\+tax 20\\.00`),
  );
  assert.doesNotMatch(corrupted.stdout, new RegExp(refunded.order_number), 'only the broken order is named');
  assert.match(corrupted.stderr, /the books do not balance \(1 discrepancy/);
  await t.database.sql`DELETE FROM transactions WHERE order_id = ${kept.id} AND amount = 0.01`;
});

test('jobs run market.expire-unpaid-orders: a dry run counts, a run cancels the stale order, not the fresh one', async () => {
  const t = testApp.current;
  const order = await placeOrder(await newPerson(), '5.00', false);
  const fresh = await placeOrder(await newPerson(), '6.00', false);
  await t.database.sql`UPDATE orders SET created_at = now() - interval '31 minutes' WHERE id = ${order.id}`;

  const dry = await veza(['jobs', 'run', 'market.expire-unpaid-orders', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /dry run: 1 unpaid order\(s\) would expire/);

  const real = await veza(['jobs', 'run', 'market.expire-unpaid-orders']);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /market\.expire-unpaid-orders succeeded: orders=1/);
  const statuses = await t.database.sql<{ id: string; status: string }[]>`
    SELECT id, status::text AS status FROM orders WHERE id IN (${order.id}, ${fresh.id})`;
  assert.deepEqual(Object.fromEntries(statuses.map((o) => [o.id, o.status])), {
    [order.id]: 'cancelled',
    [fresh.id]: 'pending',
  });
  const list = await veza(['jobs', 'list']);
  assert.match(list.stdout, /market\.expire-unpaid-orders\s+\* \* \* \* \*\s+last succeeded/);
  assert.match(list.stdout, /market\.payouts\s+30 4 \* \* \*/);
});

test('jobs run market.payouts: the matured balance is paid once, the held one waits', async () => {
  const t = testApp.current;
  const seller = await newPerson();
  const matured = await placeOrder(seller, '40.00', true); // share 34.00
  await placeOrder(seller, '30.00', true); // share 25.50, still held
  const at = new Date(Date.now() - 20 * 86_400_000);
  await t.database.sql`UPDATE transactions SET created_at = ${at} WHERE order_id = ${matured.id}`;
  await t.database.sql`UPDATE orders SET paid_at = ${at} WHERE id = ${matured.id}`;

  const dry = await veza(['jobs', 'run', 'market.payouts', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`seller ${seller.id} would be paid 34\\.00 EUR`));

  const real = await veza(['jobs', 'run', 'market.payouts']);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /market\.payouts succeeded: seller_payouts=1/);
  const again = await veza(['jobs', 'run', 'market.payouts']);
  assert.match(again.stdout, /market\.payouts succeeded: nothing to do/, 'idempotent');
  const payouts = await t.database.sql<{ amount: string; status: string; payout_method: string }[]>`
    SELECT amount::text AS amount, status, payout_method FROM seller_payouts WHERE seller_id = ${seller.id}`;
  assert.deepEqual(
    payouts.map((p) => [p.amount, p.status, p.payout_method]),
    [['34.00', 'completed', 'bank_transfer']],
  );
});
