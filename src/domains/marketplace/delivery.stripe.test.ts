// Keys are issued wherever an order becomes paid (ADR 0075): here by a signed Stripe `payment_intent.succeeded`
// (ADR 0073), through the checkout service itself; a replayed event keeps the key it gave.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import Stripe from 'stripe';
import { useTestApp } from '../../../test/helpers/app.ts';
import { marketMoneyConfig } from './checkout.config.ts';
import { createCheckoutService } from './checkout.service.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody } from './checkout.test-support.ts';
import { LICENSE_KEY_PATTERN } from './delivery.service.ts';
import { manualProvider } from './payments/provider.ts';

const SECRET = 'whsec_test_secret_of_the_delivery_suite';
const testApp = useTestApp();
const stripe = new Stripe('sk_test_unused');

test('a signed Stripe success keys the line with its licence; a replay keeps the same key', async () => {
  const t = testApp.current;
  const [seller, buyer] = [await newPerson(t), await newPerson(t)];
  const p = await productOnSale(t, seller, { price: '30.00' });
  const asBuyer = moneyClient(t, buyer);
  assert.equal((await asBuyer.add({ product_id: p.productId, license_id: p.licenseId })).statusCode, 201);
  const order = (await asBuyer.checkout()).json<OrderBody>();
  const intent = `pi_${randomUUID().replaceAll('-', '')}`;
  await t.database
    .sql`UPDATE orders SET payment_method = 'stripe', payment_intent_id = ${intent} WHERE id = ${order.id}`;

  const checkout = createCheckoutService({
    db: t.pool.db,
    config: { ...marketMoneyConfig({}), stripeWebhookSecret: SECRET },
    providers: { manual: manualProvider },
    stripe,
  });
  const payload = JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: intent, object: 'payment_intent', latest_charge: 'ch_1' } },
  });
  const signature = () => stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  assert.equal((await checkout.stripeWebhook(payload, signature())).outcome, 'applied');
  const line = async () => {
    const [row] = await t.database.sql<{ license_key: string | null; license_name: string | null }[]>`
      SELECT license_key, license_name FROM order_items WHERE order_id = ${order.id}`;
    return row!;
  };
  const first = await line();
  assert.match(first.license_key ?? '', LICENSE_KEY_PATTERN);
  const [license] = await t.database.sql<
    { name: string }[]
  >`SELECT name FROM product_licenses WHERE id = ${p.licenseId}`;
  assert.equal(first.license_name, license!.name);
  assert.equal((await checkout.stripeWebhook(payload, signature())).outcome, 'duplicate');
  assert.deepEqual(await line(), first);
});
