// A seller's payout account (ADR 0084): registered, replaced, read and removed by its seller only; verified by a
// signed Stripe Connect account.updated (the SDK's own test header), replays and late events changing nothing; the
// audit trail naming the seller; and the payout job paying a verified seller through Stripe Connect while one
// without a verified account is skipped, balance kept, with the reason.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import Stripe from 'stripe';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes } from '../../../test/helpers/documented-routes.ts';
import { loadAccountPlan } from '../../lifecycle/gdpr/account-deletion.ts';
import { buildExportPlan, tableExportQuery } from '../../lifecycle/gdpr/export.ts';
import { maturedSeller as maturedSellerOf, newPerson, type Person } from './checkout.test-support.ts';
import { checkBooks, sellerBalance } from './ledger.ts';
import { stripeConnectPayoutProvider, NO_VERIFIED_ACCOUNT } from './payments/stripe-connect.ts';
import { verifiedPayoutAccount } from './payout-accounts.repository.ts';
import { runPayouts, type PayoutProvider } from './payouts.ts';

const SECRET = 'whsec_test_secret_of_the_payout_accounts_suite';
const testApp = useTestApp({ env: () => ({ VEZA_STRIPE_CONNECT_WEBHOOK_SECRET: SECRET }) });
const stripe = new Stripe('sk_test_unused');

const account = () => `acct_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

function client(person: Person | null) {
  const t = testApp.current;
  const headers = person ? { authorization: person.authorization } : {};
  return {
    get: () => t.app.inject({ method: 'GET', url: '/v1/me/payout-account', headers }),
    put: (body: unknown) =>
      t.app.inject({ method: 'PUT', url: '/v1/me/payout-account', headers, payload: body as object }),
    remove: () => t.app.inject({ method: 'DELETE', url: '/v1/me/payout-account', headers }),
  };
}

/** Posts a signed Connect event about `accountId` (created `at`, seconds), as Stripe would. */
async function accountUpdated(accountId: string, payoutsEnabled: boolean, at: number, id = `evt_${randomUUID()}`) {
  const payload = JSON.stringify({
    id,
    object: 'event',
    type: 'account.updated',
    account: accountId,
    created: at,
    data: { object: { id: accountId, object: 'account', payouts_enabled: payoutsEnabled, charges_enabled: true } },
  });
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  return testApp.current.app.inject({
    method: 'POST',
    url: '/v1/payments/stripe/connect-webhook',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    payload,
  });
}

interface AccountBody {
  account_id: string;
  verified_at: string | null;
  payouts_enabled: boolean;
}

test('a seller registers, replaces, reads and removes their own account; bad ids are 400, others’ ids 409', async () => {
  const t = testApp.current;
  const [seller, other] = [await newPerson(t), await newPerson(t)];
  const mine = client(seller);
  assert.equal((await client(null).get()).statusCode, 401);
  assert.equal((await client(null).put({ account_id: account() })).statusCode, 401);
  assert.equal((await mine.get()).json<{ code: string }>().code, 'PAYOUT_ACCOUNT_NOT_FOUND');

  for (const bad of ['', 'acct_', 'acct_12-34', 'ACCT_123', 'ba_123', `acct_${'a'.repeat(251)}`, 42, null]) {
    const response = await mine.put({ account_id: bad });
    assert.equal(response.statusCode, 400, JSON.stringify(bad));
  }
  assert.equal((await mine.put({ account_id: account(), extra: 1 })).statusCode, 400);
  assert.equal(
    (await t.database.sql`SELECT 1 FROM seller_payout_accounts WHERE seller_id = ${seller.id}`).length,
    0,
    'nothing written by refused input',
  );

  const first = account();
  const created = await mine.put({ account_id: first });
  assert.equal(created.statusCode, 200);
  assert.deepEqual(
    (({ account_id, verified_at, payouts_enabled }) => ({ account_id, verified_at, payouts_enabled }))(
      created.json<AccountBody>(),
    ),
    { account_id: first, verified_at: null, payouts_enabled: false },
  );
  assert.equal((await mine.get()).json<AccountBody>().account_id, first);
  // Someone else cannot claim it, and their own registration does not touch it.
  const taken = await client(other).put({ account_id: first });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json<{ code: string }>().code, 'PAYOUT_ACCOUNT_TAKEN');
  assert.equal((await client(other).get()).statusCode, 404);

  // Verified, then the same id again keeps the verification; another id starts unverified.
  assert.equal(
    (await accountUpdated(first, true, Math.floor(Date.now() / 1000))).json<{ outcome: string }>().outcome,
    'applied',
  );
  assert.equal((await mine.put({ account_id: first })).json<AccountBody>().payouts_enabled, true);
  const second = account();
  const replaced = (await mine.put({ account_id: second })).json<AccountBody>();
  assert.deepEqual([replaced.account_id, replaced.payouts_enabled], [second, false]);
  // The first id is free again for whoever owns it.
  assert.equal((await client(other).put({ account_id: first })).statusCode, 200);

  assert.equal((await mine.remove()).statusCode, 204);
  assert.equal((await mine.get()).statusCode, 404);
  assert.equal((await mine.remove()).statusCode, 404);
  assert.equal((await client(other).get()).json<AccountBody>().account_id, first, 'the other seller’s row stays');

  // The audit trail names the seller for their own changes (ADR 0013); the account id is not a secret.
  const audit = await t.database.sql<{ operation: string; user_id: string | null }[]>`
    SELECT operation, user_id FROM audit_logs WHERE table_name = 'seller_payout_accounts'
       AND coalesce(new_data, old_data) ->> 'seller_id' = ${seller.id} ORDER BY created_at, operation`;
  assert.deepEqual(
    audit.map((row) => row.operation).sort(),
    ['DELETE', 'INSERT', 'UPDATE', 'UPDATE'],
    'insert, webhook verification, replacement, removal',
  );
  assert.ok(audit.filter((row) => row.operation !== 'UPDATE').every((row) => row.user_id === seller.id));
});

test('account.updated: signed events verify and unverify; replays, late events and bad signatures change nothing', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  const id = account();
  assert.equal((await client(seller).put({ account_id: id })).statusCode, 200);
  const state = async () => (await client(seller).get()).json<AccountBody>();
  const now = Math.floor(Date.now() / 1000);

  const unsigned = await t.app.inject({
    method: 'POST',
    url: '/v1/payments/stripe/connect-webhook',
    headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    payload: JSON.stringify({
      id: 'evt_forged',
      type: 'account.updated',
      data: { object: { id, object: 'account', payouts_enabled: true } },
    }),
  });
  assert.equal(unsigned.statusCode, 400);
  assert.equal(unsigned.json<{ code: string }>().code, 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal((await state()).verified_at, null);

  // Onboarding not finished yet: nothing to change.
  assert.equal((await accountUpdated(id, false, now - 100)).json<{ outcome: string }>().outcome, 'ignored');
  const event = `evt_${randomUUID()}`;
  assert.equal((await accountUpdated(id, true, now - 50, event)).json<{ outcome: string }>().outcome, 'applied');
  const verified = await state();
  assert.equal(verified.verified_at, new Date((now - 50) * 1000).toISOString());
  assert.equal(verified.payouts_enabled, true);
  assert.equal((await accountUpdated(id, true, now - 50, event)).json<{ outcome: string }>().outcome, 'duplicate');
  // A "not enabled" event older than the verification arrives late: the verification stands.
  assert.equal((await accountUpdated(id, false, now - 80)).json<{ outcome: string }>().outcome, 'stale');
  assert.equal((await state()).payouts_enabled, true);
  // Stripe disables payouts (a new requirement): the account is no longer verified.
  assert.equal((await accountUpdated(id, false, now)).json<{ outcome: string }>().outcome, 'applied');
  assert.equal((await state()).verified_at, null);
  // An account nobody registered: recorded, nothing else.
  assert.equal((await accountUpdated(account(), true, now)).json<{ outcome: string }>().outcome, 'ignored');
  const recorded = await t.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM payment_webhook_events WHERE provider = 'stripe_connect' AND event_id = ${event}`;
  assert.equal(recorded[0]!.n, 1);
});

const maturedSeller = () => maturedSellerOf(testApp.current);

test('Stripe Connect payouts read the verified account; a seller without one is skipped, balance kept', async () => {
  const t = testApp.current;
  const [verified, unverified, none] = [await maturedSeller(), await maturedSeller(), await maturedSeller()];
  const [verifiedId, unverifiedId] = [account(), account()];
  assert.equal((await client(verified).put({ account_id: verifiedId })).statusCode, 200);
  assert.equal((await client(unverified).put({ account_id: unverifiedId })).statusCode, 200);
  assert.equal((await accountUpdated(verifiedId, true, Math.floor(Date.now() / 1000))).statusCode, 200);

  // Transfers stand in for Stripe's (unreachable here): the provider's own request path is covered by
  // payments/stripe-connect.test.ts; what matters here is which sellers it is asked to pay, and to where.
  const transfers: { sellerId: string; destination: string | null }[] = [];
  const real = stripeConnectPayoutProvider(stripe, (sellerId) => verifiedPayoutAccount(t.pool.db, sellerId));
  const provider: PayoutProvider = {
    method: real.method,
    unpayable: (sellerId) => real.unpayable!(sellerId),
    async transfer(payout) {
      const destination = await verifiedPayoutAccount(t.pool.db, payout.sellerId);
      transfers.push({ sellerId: payout.sellerId, destination });
      return { ok: true, reference: `tr_${payout.id.slice(0, 8)}`, accountId: destination };
    },
  };
  const config = { holdDays: 14, payoutMinimum: 2000n };
  const run = await runPayouts(t.pool.db, config, provider);
  const mine = (id: string) => transfers.filter((tr) => tr.sellerId === id);
  assert.deepEqual(mine(verified.id), [{ sellerId: verified.id, destination: verifiedId }]);
  assert.deepEqual([mine(unverified.id), mine(none.id)], [[], []]);
  for (const seller of [unverified, none]) {
    assert.deepEqual(
      run.skipped.filter((s) => s.sellerId === seller.id),
      [{ sellerId: seller.id, currency: 'EUR', reason: NO_VERIFIED_ACCOUNT }],
    );
    const payouts = await t.database.sql`SELECT 1 FROM seller_payouts WHERE seller_id = ${seller.id}`;
    assert.equal(payouts.length, 0, 'no payout row, not even a failed one');
    const heldSince = new Date(Date.now() - 14 * 86_400_000);
    assert.equal((await sellerBalance(t.pool.db, seller.id, 'EUR', heldSince)).payable, 3400n, 'balance kept');
  }
  const [payout] = await t.database.sql<{ payout_account_id: string; method: string }[]>`
    SELECT payout_account_id, payout_method AS method FROM seller_payouts WHERE seller_id = ${verified.id}`;
  assert.deepEqual([payout!.payout_account_id, payout!.method], [verifiedId, 'stripe_connect']);

  // Once Stripe verifies the second account, the next run pays it.
  assert.equal((await accountUpdated(unverifiedId, true, Math.floor(Date.now() / 1000))).statusCode, 200);
  await runPayouts(t.pool.db, config, provider);
  assert.deepEqual(mine(unverified.id), [{ sellerId: unverified.id, destination: unverifiedId }]);
  assert.deepEqual((await checkBooks(t.pool.db)).problems, []);
});

test('GDPR: the account is in the seller’s export and goes with the account at anonymisation', async () => {
  const t = testApp.current;
  const seller = await newPerson(t);
  const id = account();
  assert.equal((await client(seller).put({ account_id: id })).statusCode, 200);
  const exportPlan = await buildExportPlan(t.pool.db);
  const exported = await t.database.sql.unsafe<{ json: string }[]>(
    tableExportQuery(exportPlan, 'seller_payout_accounts'),
    [seller.id],
  );
  assert.deepEqual(
    exported.map((r) => (JSON.parse(r.json) as { account_id: string }).account_id),
    [id],
  );
  const plan = await loadAccountPlan(t.pool.db);
  assert.deepEqual(
    plan.erasure.filter((step) => step.table === 'seller_payout_accounts').map((s) => [s.column, s.action]),
    [['seller_id', 'delete']],
  );
});

test('access: every selling route is behind a bearer token but the signed Connect webhook; /me reaches only one’s own', async () => {
  const t = testApp.current;
  const routes = await documentedRoutes(t.app, 'marketplace-selling');
  assert.deepEqual(
    routes.filter((r) => !r.secured).map((r) => r.key),
    ['POST /v1/payments/stripe/connect-webhook'],
  );
  for (const key of ['GET /v1/me/payout-account', 'PUT /v1/me/payout-account', 'DELETE /v1/me/payout-account']) {
    assert.ok(
      routes.some((r) => r.key === key),
      key,
    );
  }
  const [owner, stranger] = [await newPerson(t), await newPerson(t)];
  const id = account();
  assert.equal((await client(owner).put({ account_id: id })).statusCode, 200);
  const rows = () => t.database.sql`SELECT account_id, verified_at, updated_at FROM seller_payout_accounts`;
  const before = await rows();
  for (const route of routes.filter((r) => r.secured)) {
    const answer = await t.app.inject({
      method: route.method as 'GET',
      url: route.path,
      ...(route.method === 'PUT' ? { payload: { account_id: account() } } : {}),
    });
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  // The stranger's own (absent) account is all they reach: the owner's row is never read, replaced or removed.
  assert.equal((await client(stranger).get()).statusCode, 404);
  assert.equal((await client(stranger).remove()).statusCode, 404);
  assert.equal((await client(stranger).put({ account_id: id })).statusCode, 409);
  assert.deepEqual(await rows(), before);
  assert.equal((await client(owner).get()).json<AccountBody>().account_id, id);
});
