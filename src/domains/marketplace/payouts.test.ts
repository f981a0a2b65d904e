// Payouts (ADR 0074): only shares out of the hold window, above the minimum, once; a failed payout returns to the
// balance and is paid by the next run; refunds are refused after the window; the books balance throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { moneyClient, newPerson, productOnSale, type OrderBody, type Person } from './checkout.test-support.ts';
import { checkBooks, sellerBalance } from './ledger.ts';
import { manualPayoutProvider, runPayouts, type PayoutProvider } from './payouts.ts';

const testApp = useTestApp();
const config = { holdDays: 14, payoutMinimum: 2000n };

async function paidOrder(seller: Person, price: string, daysAgo: number): Promise<OrderBody> {
  const t = testApp.current;
  const [buyer, admin] = [await newPerson(t), await newPerson(t, 'admin')];
  const p = await productOnSale(t, seller, { price });
  await moneyClient(t, buyer).add({ product_id: p.productId, license_id: p.licenseId });
  const order = (await moneyClient(t, buyer).checkout()).json<OrderBody>();
  assert.equal((await moneyClient(t, admin).confirm(order.id)).statusCode, 200);
  const at = new Date(Date.now() - daysAgo * 86_400_000);
  await t.database.sql`UPDATE transactions SET created_at = ${at} WHERE order_id = ${order.id}`;
  await t.database.sql`UPDATE orders SET paid_at = ${at} WHERE id = ${order.id}`;
  return order;
}

test('a seller is paid what matured, once; fresh shares wait; a failed payout returns to the balance', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  await paidOrder(seller, '40.00', 20); // share 34.00, matured
  const fresh = await paidOrder(seller, '10.00', 1); // share 8.50, held
  const failing: PayoutProvider = {
    method: 'bank_transfer',
    transfer: () => Promise.resolve({ ok: false, reason: 'account closed' }),
  };

  assert.deepEqual(await runPayouts(t.pool.db, config, failing), { paid: 0, failed: 1, unsettled: 0, skipped: [] });
  const heldSince = new Date(Date.now() - 14 * 86_400_000);
  assert.equal((await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince)).payable, 3400n, 'back in the balance');

  assert.deepEqual(await runPayouts(t.pool.db, config, manualPayoutProvider), {
    paid: 1,
    failed: 0,
    unsettled: 0,
    skipped: [],
  });
  assert.deepEqual(
    await runPayouts(t.pool.db, config, manualPayoutProvider),
    { paid: 0, failed: 0, unsettled: 0, skipped: [] },
    'idempotent',
  );
  const payouts = await t.database.sql<{ amount: string; status: string }[]>`
    SELECT amount::text AS amount, status FROM seller_payouts WHERE seller_id = ${seller.id} ORDER BY created_at`;
  assert.deepEqual(
    payouts.map((p) => [p.amount, p.status]),
    [
      ['34.00', 'failed'],
      ['34.00', 'completed'],
    ],
  );
  const balance = await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince);
  assert.deepEqual([balance.earned, balance.paidOut, balance.payable], [4250n, 3400n, 0n]);

  // The fresh order can still be refunded (its share was never paid out); the matured one cannot.
  const admin = await newPerson(t, 'admin');
  assert.equal((await moneyClient(t, admin).refund(fresh.id)).statusCode, 200);
  const old = await paidOrder(seller, '30.00', 15);
  const late = await moneyClient(t, admin).refund(old.id);
  assert.equal(late.statusCode, 409);
  assert.equal(late.json<{ code: string }>().code, 'REFUND_WINDOW_OVER');
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});

test('under the minimum nothing is paid', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  await paidOrder(seller, '5.00', 30);
  await runPayouts(t.pool.db, config, manualPayoutProvider);
  const [{ n } = { n: -1 }] = await t.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM seller_payouts WHERE seller_id = ${seller.id}`;
  assert.equal(n, 0);
});
