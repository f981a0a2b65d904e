// Issue 16's whole story over HTTP, in one test: a seller lists a product with a licence and a code; a buyer adds it
// to a cart, applies the code, checks out with an idempotency key, pays (manual provider, confirmed by staff),
// downloads, verifies the licence key, fetches the PDF, reviews; the seller sees the sale and the share held in the
// refund window, and the payout run after the window pays exactly that share, once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { storedFile, testDataDir } from '../files/files.test-support.ts';
import { moneyClient, newPerson, type OrderBody } from './checkout.test-support.ts';
import { marketMoneyConfig } from './checkout.config.ts';
import { deliveryClient, type PurchaseBody } from './delivery.test-support.ts';
import { checkBooks } from './ledger.ts';
import { manualPayoutProvider, runPayouts } from './payouts.ts';
import { as, onSale } from './products.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir, VEZA_MARKET_PAYOUT_MINIMUM: '1.00' }) });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

test('list, cart, code, checkout, pay, download, verify, certificate, review; the seller is paid after the window', async () => {
  const t = testApp.current;
  const [seller, buyer, admin] = [await newPerson(t), await newPerson(t), await newPerson(t, 'admin')];
  const beat = await storedFile(t.database.sql, storage, {
    user_id: seller.id,
    mime_type: 'audio/wav',
    original_filename: 'night-drive.wav',
  });
  // The licence costs 29.99 (licenseBody's default).
  const product = await onSale(t, seller, { download_file_ids: [beat.id], currency: 'EUR', price: '29.99' });
  const code = await moneyClient(t, seller).createCode({
    code: 'LAUNCH25',
    discount_type: 'percentage',
    discount_value: '25',
    currency: 'EUR',
    valid_from: inDays(-1),
    valid_until: inDays(30),
  });
  assert.equal(code.statusCode, 201, code.body);

  const asBuyer = moneyClient(t, buyer);
  const added = await asBuyer.add({ product_id: product.id, license_id: product.licenseId });
  assert.equal(added.statusCode, 201, added.body);
  const key = randomUUID();
  const body = { billing_email: 'buyer@example.test', discount_code: 'launch25' };
  const first = await asBuyer.checkout(body, key);
  assert.equal(first.statusCode, 201, first.body);
  const retried = await asBuyer.checkout(body, key);
  assert.equal(retried.body, first.body, 'a retried checkout answers the same order');
  const order = first.json<OrderBody>();
  // 25 % of 29.99 = 7.4975 → 7.50 (half-up); no tax rate configured.
  assert.deepEqual(
    [order.subtotal, order.discount_total, order.tax_total, order.total],
    ['29.99', '7.50', '0.00', '22.49'],
  );

  const paid = await moneyClient(t, admin).confirm(order.id);
  assert.equal(paid.statusCode, 200, paid.body);

  const delivery = deliveryClient(t, buyer);
  const purchase = (await delivery.purchase(order.items[0]!.id)).json<PurchaseBody>();
  assert.equal(purchase.access, 'active');
  const link = await delivery.link(purchase.id, beat.id);
  assert.equal(link.statusCode, 201, link.body);
  const download = await delivery.get(link.json<{ url: string }>().url);
  assert.equal(download.statusCode, 200);
  assert.deepEqual(download.rawPayload, beat.bytes, 'the bytes bought');
  const verified = (await delivery.verify(purchase.license_key!)).json<{ valid: boolean; product: { id: string } }>();
  assert.deepEqual([verified.valid, verified.product.id], [true, product.id]);
  const certificate = await delivery.certificate(purchase.id);
  assert.equal(certificate.statusCode, 200);
  assert.equal(certificate.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const review = await as(t, buyer)('POST', `/v1/products/${product.id}/reviews`, {
    order_item_id: purchase.id,
    rating: 5,
    content: 'Warm, punchy and ready to use.',
  });
  assert.equal(review.statusCode, 201, review.body);

  // The seller's side: the sale, with no buyer identity; the share (22.49 − 15 % (3.37) = 19.12) held, not payable.
  const asSeller = as(t, seller);
  const sales = (await asSeller('GET', '/v1/me/sales')).json<{ items: Record<string, unknown>[] }>();
  assert.equal(sales.items.length, 1);
  assert.deepEqual(
    [sales.items[0]!.order_number, sales.items[0]!.price, sales.items[0]!.status, sales.items[0]!.download_count],
    [order.order_number, '22.49', 'paid', 1],
  );
  assert.ok(!JSON.stringify(sales).includes(buyer.id), 'no buyer id in a sale');
  const balance = async () => (await asSeller('GET', '/v1/me/balance')).json<{ items: Record<string, unknown>[] }>();
  assert.deepEqual((await balance()).items, [
    {
      currency: 'EUR',
      earned: '19.12',
      held: '19.12',
      paid_out: '0.00',
      payable: '0.00',
      payout_minimum: '1.00',
      hold_days: 14,
    },
  ]);
  assert.deepEqual((await as(t, buyer)('GET', '/v1/me/sales')).json<{ items: unknown[] }>().items, []);

  // Inside the window nothing is paid; after it, the share, once.
  const config = marketMoneyConfig({ VEZA_MARKET_PAYOUT_MINIMUM: '1.00' });
  await runPayouts(t.pool.db, config, manualPayoutProvider, new Date(Date.now() + 13 * 86_400_000));
  assert.equal((await asSeller('GET', '/v1/me/payouts')).json<{ items: unknown[] }>().items.length, 0);
  const later = new Date(Date.now() + 15 * 86_400_000);
  await runPayouts(t.pool.db, config, manualPayoutProvider, later);
  await runPayouts(t.pool.db, config, manualPayoutProvider, later);
  const payouts = (await asSeller('GET', '/v1/me/payouts')).json<{ items: Record<string, unknown>[] }>().items;
  assert.deepEqual(
    payouts.map((p) => [p.amount, p.currency, p.status, p.method]),
    [['19.12', 'EUR', 'completed', 'bank_transfer']],
  );
  assert.deepEqual((await balance()).items[0], {
    currency: 'EUR',
    earned: '19.12',
    held: '0.00',
    paid_out: '19.12',
    payable: '0.00',
    payout_minimum: '1.00',
    hold_days: 14,
  });
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});
