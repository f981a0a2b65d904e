// Stripe Connect payouts (ADR 0077) against a loopback HTTP server standing in for api.stripe.com (unreachable here):
// the Transfer request (minor units, currency, destination, one idempotency key per payout), a completed payout
// keeping the transfer and account ids, a 4xx answer failing the payout with its money back in the balance, and a
// seller without an account skipped before any payout is made.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Stripe from 'stripe';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { maturedSeller as maturedSellerOf } from '../checkout.test-support.ts';
import { checkBooks, sellerBalance } from '../ledger.ts';
import { runPayouts } from '../payouts.ts';
import { NO_VERIFIED_ACCOUNT, stripeConnectPayoutProvider } from './stripe-connect.ts';

const testApp = useTestApp();
const config = { holdDays: 14, payoutMinimum: 2000n };

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: URLSearchParams;
}
const seen: Seen[] = [];
/** What the fake Stripe answers next: a transfer, or a refusal. */
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
let stripe: Stripe;

before(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: new URLSearchParams(raw) });
      response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': 'req_test' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stripe = new Stripe('sk_test_loopback', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const maturedSeller = () => maturedSellerOf(testApp.current);

test('a payout is one Transfer to the connected account, in cents, with the payout as idempotency key', async () => {
  const t = testApp.current;
  const seller = await maturedSeller();
  const accounts = new Map([[seller.id, 'acct_1Veza']]);
  const provider = stripeConnectPayoutProvider(stripe, (id) => Promise.resolve(accounts.get(id) ?? null));
  answer = { status: 200, body: { id: 'tr_1Veza', object: 'transfer', amount: 3400, currency: 'eur' } };
  seen.length = 0;

  assert.deepEqual(await runPayouts(t.pool.db, config, provider), { paid: 1, failed: 0, unsettled: 0, skipped: [] });
  const [payout] = await t.database.sql<{ id: string; status: string; payout_account_id: string; method: string }[]>`
    SELECT id, status, payout_account_id, payout_method AS method FROM seller_payouts WHERE seller_id = ${seller.id}`;
  assert.equal(seen.length, 1);
  const request = seen[0]!;
  assert.equal(request.method, 'POST');
  assert.equal(request.url, '/v1/transfers');
  assert.equal(request.headers['idempotency-key'], `veza-payout-${payout!.id}`);
  assert.equal(request.headers.authorization, 'Bearer sk_test_loopback');
  assert.equal(request.body.get('amount'), '3400');
  assert.equal(request.body.get('currency'), 'eur');
  assert.equal(request.body.get('destination'), 'acct_1Veza');
  assert.equal(request.body.get('metadata[payout_id]'), payout!.id);
  assert.deepEqual(
    [payout!.status, payout!.payout_account_id, payout!.method],
    ['completed', 'acct_1Veza', 'stripe_connect'],
  );
  const [row] = await t.database.sql<{ provider_transaction_id: string; status: string }[]>`
    SELECT provider_transaction_id, status FROM transactions WHERE payout_id = ${payout!.id}`;
  assert.deepEqual([row!.provider_transaction_id, row!.status], ['tr_1Veza', 'completed']);
});

test('a 4xx from Stripe fails the payout and its money returns to the balance; no account: skipped, no request', async () => {
  const t = testApp.current;
  const [refused, unconnected] = [await maturedSeller(), await maturedSeller()];
  const provider = stripeConnectPayoutProvider(stripe, (id) =>
    Promise.resolve(id === refused.id ? 'acct_closed' : null),
  );
  answer = {
    status: 400,
    body: { error: { type: 'invalid_request_error', code: 'account_invalid', message: 'No such destination' } },
  };
  seen.length = 0;

  const run = await runPayouts(t.pool.db, config, provider);
  assert.ok(run.failed >= 1 && run.paid === 0, JSON.stringify(run));
  assert.deepEqual(
    run.skipped.filter((s) => s.sellerId === unconnected.id),
    [{ sellerId: unconnected.id, currency: 'EUR', reason: NO_VERIFIED_ACCOUNT }],
  );
  assert.equal(seen.filter((r) => r.body.get('destination') === 'acct_closed').length, 1);
  assert.ok(
    seen.every((r) => r.body.get('destination') !== null),
    'nothing sent without an account',
  );
  const heldSince = new Date(Date.now() - 14 * 86_400_000);
  const [payout] = await t.database.sql<{ status: string; failure_reason: string }[]>`
    SELECT status, failure_reason FROM seller_payouts WHERE seller_id = ${refused.id}`;
  assert.equal(payout!.status, 'failed');
  assert.match(payout!.failure_reason, /stripe 400 StripeInvalidRequestError: .*No such destination/);
  assert.equal(
    (await t.database.sql`SELECT 1 FROM seller_payouts WHERE seller_id = ${unconnected.id}`).length,
    0,
    'no payout made for a seller without an account',
  );
  for (const seller of [refused, unconnected]) {
    assert.equal((await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince)).payable, 3400n, 'in the balance');
  }
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});

test('no answer or a 5xx leaves the payout processing and counted; the next run asks again under the same key', async () => {
  const t = testApp.current;
  const seller = await maturedSeller();
  const provider = stripeConnectPayoutProvider(stripe, () => Promise.resolve('acct_slow'));
  const payouts = () => t.database.sql<{ id: string; status: string }[]>`
    SELECT id, status FROM seller_payouts WHERE seller_id = ${seller.id} ORDER BY created_at`;
  const heldSince = new Date(Date.now() - 14 * 86_400_000);

  answer = { status: 503, body: { error: { type: 'api_error', message: 'Stripe is having trouble' } } };
  seen.length = 0;
  assert.ok((await runPayouts(t.pool.db, config, provider)).unsettled >= 1);
  const [first] = await payouts();
  assert.equal(first!.status, 'processing', 'the money may have moved: neither completed nor failed');
  assert.equal((await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince)).payable, 0n, 'not payable twice');
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);

  answer = { status: 200, body: { id: 'tr_late', object: 'transfer', amount: 3400, currency: 'eur' } };
  await runPayouts(t.pool.db, config, provider);
  const rows = await payouts();
  assert.deepEqual(
    rows.map((row) => [row.id, row.status]),
    [[first!.id, 'completed']],
    'the same payout completed, no second one',
  );
  const asked = seen.filter((r) => r.body.get('metadata[payout_id]') === first!.id);
  assert.equal(asked.length, 2);
  assert.ok(asked.every((r) => r.headers['idempotency-key'] === `veza-payout-${first!.id}`));
  assert.equal((await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince)).payable, 0n);
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});
