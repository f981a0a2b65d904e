// A Stripe payment that succeeds after its order expired bought nothing (ADR 0073): the webhook refunds it through
// the provider, once, with the order's refund idempotency key; a provider failure fails the webhook so that
// Stripe's retry refunds. Stripe is unreachable here: a loopback server stands for its API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Stripe from 'stripe';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { marketMoneyConfig } from '../checkout.config.ts';
import { createCheckoutService } from '../checkout.service.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody } from '../checkout.test-support.ts';
import { checkBooks } from '../ledger.ts';
import { manualProvider } from './provider.ts';
import { stripeProvider } from './stripe.ts';

const SECRET = 'whsec_test_secret_of_the_late_payment_suite';
const testApp = useTestApp();

const seen: { url: string | undefined; headers: IncomingHttpHeaders; body: URLSearchParams }[] = [];
let answer = { status: 200, body: { id: 're_late', object: 'refund', status: 'succeeded' } as unknown };
let server: Server;
let api: Stripe;

before(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      seen.push({ url: request.url, headers: request.headers, body: new URLSearchParams(raw) });
      response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': 'req_test' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api = new Stripe('sk_test_loopback', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a success after expiry is refunded once; a failing refund fails the webhook, and its retry refunds', async () => {
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
    config: { ...marketMoneyConfig({}), stripeSecretKey: 'sk_test_loopback', stripeWebhookSecret: SECRET },
    providers: { manual: manualProvider, stripe: stripeProvider(api) },
    stripe: api,
  });
  assert.ok((await checkout.expireUnpaidOrders(new Date(Date.now() + 31 * 60_000))) >= 1);

  const payload = JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: intent, object: 'payment_intent', latest_charge: 'ch_late' } },
  });
  const signed = () => api.webhooks.generateTestHeaderString({ payload, secret: SECRET });

  answer = { status: 500, body: { error: { type: 'api_error', message: 'down' } } };
  await assert.rejects(checkout.stripeWebhook(payload, signed()), { code: 'PAYMENT_PROVIDER_FAILED' });
  const [recorded] = await t.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM payment_webhook_events WHERE order_id = ${order.id}`;
  assert.equal(recorded!.n, 0, 'a failed refund leaves the event unrecorded, for Stripe to retry');

  answer = { status: 200, body: { id: 're_late', object: 'refund', status: 'succeeded' } };
  assert.equal((await checkout.stripeWebhook(payload, signed())).outcome, 'stale');
  assert.equal((await checkout.stripeWebhook(payload, signed())).outcome, 'duplicate');
  const refunds = seen.filter((request) => request.url === '/v1/refunds');
  assert.equal(refunds.length, 2, 'the failed call and the retry, none for the replay');
  for (const request of refunds) {
    assert.equal(request.body.get('payment_intent'), intent);
    assert.equal(request.headers['idempotency-key'], `veza-refund-${order.id}`);
  }

  const [state] = await t.database.sql<{ status: string; units_sold: number; units_reserved: number }[]>`
    SELECT o.status::text, l.units_sold, l.units_reserved
    FROM orders o, product_licenses l WHERE o.id = ${order.id} AND l.id = ${p.licenseId}`;
  assert.deepEqual({ ...state }, { status: 'cancelled', units_sold: 0, units_reserved: 0 });
  const [booked] = await t.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM transactions WHERE order_id = ${order.id}`;
  assert.equal(booked!.n, 0, 'no sale, nothing in the ledger');
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});
