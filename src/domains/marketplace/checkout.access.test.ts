// Who may call each money route (issue 16: "the BOLA matrix covers every new route"). Routes come from
// /openapi.json (tags marketplace-orders and marketplace-discounts, and the admin ones of this file), so a route
// added later is covered. Anonymous: 401 everywhere but the signed webhook; a stranger never reads or changes a
// buyer's cart or order (404 like a missing id); staff routes are 403 to users; nothing changes on a refusal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody, type Person } from './checkout.test-support.ts';

const testApp = useTestApp();
const STAFF = ['/v1/admin/orders/', '/v1/admin/discount-codes'];
const routes = async () =>
  (await documentedRoutes(testApp.current.app, 'marketplace-orders', 'marketplace-discounts', 'admin')).filter(
    (r) => !r.path.startsWith('/v1/admin') || STAFF.some((prefix) => r.path.startsWith(prefix)),
  );

async function world() {
  const t = testApp.current;
  const [seller, buyer, stranger] = [await newPerson(t), await newPerson(t), await newPerson(t)];
  const p = await productOnSale(t, seller);
  const asBuyer = moneyClient(t, buyer);
  const cart = await asBuyer.add({ product_id: p.productId, license_id: p.licenseId });
  const order = (await asBuyer.checkout()).json<OrderBody>();
  await asBuyer.add({ product_id: p.productId, license_id: p.licenseId }).catch(() => undefined);
  const item = cart.json<{ items: { id: string }[] }>().items[0]!.id;
  return { seller, buyer, stranger, order, item };
}

function requestFor(route: DocumentedRoute, ids: { order: string; item: string }, caller: Person | undefined) {
  const id = route.path.includes('/cart/items/') ? ids.item : ids.order;
  return {
    method: route.method as 'GET',
    url: route.path.replace('{id}', id),
    headers: caller ? { authorization: caller.authorization } : {},
    ...(route.method === 'POST' && !route.path.includes('/admin/orders/') ? { payload: {} } : {}),
  };
}

async function snapshot() {
  return testApp.current.database.sql`
    SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM cart_items) AS items,
           (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM discount_codes) AS codes,
           (SELECT string_agg(status::text, ',' ORDER BY id) FROM orders) AS statuses`;
}

test('the money routes are the ones designed, all behind a bearer token but the signed webhook', async () => {
  const found = (await routes()).map((r) => r.key).sort();
  for (const key of [
    'GET /v1/me/cart',
    'POST /v1/me/cart/items',
    'DELETE /v1/me/cart/items/{id}',
    'POST /v1/me/checkout',
    'GET /v1/me/orders',
    'GET /v1/me/orders/{id}',
    'POST /v1/admin/orders/{id}/confirm-payment',
    'POST /v1/admin/orders/{id}/refund',
    'POST /v1/payments/stripe/webhook',
    'POST /v1/me/discount-codes',
    'GET /v1/me/discount-codes',
    'POST /v1/admin/discount-codes',
    'GET /v1/admin/discount-codes',
  ]) {
    assert.ok(found.includes(key), key);
  }
  assert.deepEqual(
    (await routes()).filter((r) => !r.secured).map((r) => r.key),
    ['POST /v1/payments/stripe/webhook'],
  );
});

test('anonymous callers get 401 from every secured route, and nothing changes', async () => {
  const ids = await world();
  const before = await snapshot();
  for (const route of (await routes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(
      requestFor(route, { order: ids.order.id, item: ids.item }, undefined),
    );
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await snapshot(), before);
});

test("a stranger never sees or changes a buyer's cart or order; staff routes are 403 to users", async () => {
  const ids = await world();
  const before = await snapshot();
  const asStranger = moneyClient(testApp.current, ids.stranger);
  assert.equal((await asStranger.order(ids.order.id)).statusCode, 404);
  assert.equal((await asStranger.remove(ids.item)).statusCode, 404);
  const theirOrders = (await asStranger.orders()).json<{ items: unknown[] }>();
  assert.equal(theirOrders.items.length, 0);
  for (const caller of [ids.stranger, ids.buyer, ids.seller]) {
    const client = moneyClient(testApp.current, caller);
    assert.equal((await client.confirm(ids.order.id)).statusCode, 403);
    assert.equal((await client.refund(ids.order.id)).statusCode, 403);
  }
  assert.deepEqual(await snapshot(), before);
  const mine = await moneyClient(testApp.current, ids.buyer).order(ids.order.id);
  assert.equal(mine.statusCode, 200, 'the buyer sees their own');
});
