// The Stripe webhook (ADR 0073), with events signed by the SDK's own test-header helper: a bad signature is 400 and
// changes nothing; a replayed event has no second effect; a late event (success after a refund) is stale.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import Stripe from 'stripe';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { checkBooks } from '../ledger.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody } from '../checkout.test-support.ts';

const SECRET = 'whsec_test_secret_of_the_veza_suite';
const testApp = useTestApp({ env: () => ({ VEZA_STRIPE_WEBHOOK_SECRET: SECRET }) });
const stripe = new Stripe('sk_test_unused');

function event(type: string, object: Record<string, unknown>, id = `evt_${randomUUID().replaceAll('-', '')}`) {
  return JSON.stringify({ id, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
}

function send(payload: string, signature?: string) {
  return testApp.current.app.inject({
    method: 'POST',
    url: '/v1/payments/stripe/webhook',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signature ?? stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
    },
    payload,
  });
}

/** A pending Stripe order (its PaymentIntent id set as the provider would have). */
async function stripeOrder(): Promise<{ order: OrderBody; intent: string }> {
  const t = testApp.current;
  const [seller, buyer] = [await newPerson(t), await newPerson(t)];
  const p = await productOnSale(t, seller, { price: '30.00' });
  const asBuyer = moneyClient(t, buyer);
  await asBuyer.add({ product_id: p.productId, license_id: p.licenseId });
  const order = (await asBuyer.checkout()).json<OrderBody>();
  const intent = `pi_${randomUUID().replaceAll('-', '')}`;
  await t.database
    .sql`UPDATE orders SET payment_method = 'stripe', payment_intent_id = ${intent} WHERE id = ${order.id}`;
  return { order, intent };
}

async function status(orderId: string): Promise<string> {
  const [row] = await testApp.current.database.sql<
    { status: string }[]
  >`SELECT status::text FROM orders WHERE id = ${orderId}`;
  return row!.status;
}

test('a bad, missing or foreign-secret signature is 400 and changes nothing', async () => {
  const { order, intent } = await stripeOrder();
  const payload = event('payment_intent.succeeded', { id: intent, object: 'payment_intent', latest_charge: 'ch_1' });
  const forged = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' });
  for (const signature of [forged, 't=1,v1=deadbeef', '']) {
    const r = await send(payload, signature);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<{ code: string }>().code, 'WEBHOOK_SIGNATURE_INVALID');
  }
  const tampered = await send(
    payload.replace('payment_intent.succeeded', 'charge.refunded'),
    stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
  );
  assert.equal(tampered.statusCode, 400);
  assert.equal(await status(order.id), 'pending');
  const [{ n } = { n: -1 }] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM payment_webhook_events WHERE order_id = ${order.id}`;
  assert.equal(n, 0);
});

test('a signed success pays the order once; replays and concurrent duplicates change nothing', async () => {
  const { order, intent } = await stripeOrder();
  const payload = event('payment_intent.succeeded', { id: intent, object: 'payment_intent', latest_charge: 'ch_42' });
  const first = await send(payload);
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json<{ outcome: string }>().outcome, 'applied');
  const replays = await Promise.all([1, 2, 3, 4].map(() => send(payload)));
  assert.deepEqual(
    replays.map((r) => r.json<{ outcome: string }>().outcome),
    ['duplicate', 'duplicate', 'duplicate', 'duplicate'],
  );
  assert.equal(await status(order.id), 'paid');
  const rows = await testApp.current.database.sql<{ transaction_type: string; provider_transaction_id: string }[]>`
    SELECT transaction_type, provider_transaction_id FROM transactions WHERE order_id = ${order.id} AND transaction_type = 'payment'`;
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.provider_transaction_id, 'ch_42');
  // A second, different success event for the same intent is recorded but books nothing more.
  const again = await send(event('payment_intent.succeeded', { id: intent, object: 'payment_intent' }));
  assert.equal(again.json<{ outcome: string }>().outcome, 'ignored');
  assert.deepEqual((await checkBooks(testApp.current.pool.db)).problems, []);
});

test('out of order: a refund before its success is stale; after the refund, a late success changes nothing', async () => {
  const { order, intent } = await stripeOrder();
  const refund = event('charge.refunded', { id: 'ch_7', object: 'charge', payment_intent: intent });
  assert.equal((await send(refund)).json<{ outcome: string }>().outcome, 'stale', 'nothing to refund yet');
  assert.equal(await status(order.id), 'pending');
  await send(event('payment_intent.succeeded', { id: intent, object: 'payment_intent', latest_charge: 'ch_7' }));
  assert.equal(await status(order.id), 'paid');
  const refundAgain = event('charge.refunded', { id: 'ch_7', object: 'charge', payment_intent: intent });
  assert.equal((await send(refundAgain)).json<{ outcome: string }>().outcome, 'applied');
  assert.equal(await status(order.id), 'refunded');
  const late = await send(event('payment_intent.succeeded', { id: intent, object: 'payment_intent' }));
  assert.equal(late.json<{ outcome: string }>().outcome, 'ignored');
  assert.equal(await status(order.id), 'refunded');
  assert.deepEqual((await checkBooks(testApp.current.pool.db)).problems, []);
});

test('a cancelled PaymentIntent cancels the pending order and releases its licence', async () => {
  const { order, intent } = await stripeOrder();
  const r = await send(event('payment_intent.canceled', { id: intent, object: 'payment_intent' }));
  assert.equal(r.json<{ outcome: string }>().outcome, 'applied');
  assert.equal(await status(order.id), 'cancelled');
  const unknown = await send(event('customer.created', { id: 'cus_1', object: 'customer' }));
  assert.equal(unknown.json<{ outcome: string }>().outcome, 'ignored');
});
