// The books balance for every order in a seeded database after a randomised mix (issue 16 "done when", ADR 0084):
// `veza seed`'s year of marketplace data (orders, refunds, shares, payouts by bank transfer and Stripe Connect),
// then fast-check sequences of purchases, refunds (of new orders and of seeded paid ones, whose refund window is
// over), payouts (which also pay the seeded sellers' matured balances, and settle seeded bank transfers left
// processing) and clock moves; after each, `checkBooks` over the whole database finds nothing. The actions, world
// and model are books.property.test.ts's (books.test-support.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { useTestApp } from '../../../test/helpers/app.ts';
import type { SeedReporter } from '../../seed/progress.ts';
import { runSeed } from '../../seed/seed.ts';
import {
  action,
  booksConfig as config,
  DAY,
  newTally,
  outcomeOf,
  startSequence,
  type Action,
} from './books.test-support.ts';
import { checkBooks, sellerBalance } from './ledger.ts';

const testApp = useTestApp();
const quiet: SeedReporter = { tableStarted() {}, tableProgress() {}, tableFinished() {}, step() {} };
const seen = { ...newTally(), seededRefundsRefused: 0, seededPayouts: 0 };

interface Seeded {
  /** Paid orders of the seed, oldest first. */
  orders: { id: string; paidAt: Date }[];
  /** Sellers with a share in the seed, and the currencies of their shares. */
  sellers: { id: string; currency: string }[];
}
let seeded: Seeded;

/** Seeds the test file's database (inside the test: the app and its database exist only there). */
async function seed(): Promise<void> {
  const t = testApp.current;
  // seed.test.ts's scale (20 users, every table filled) and a fixed anchor: the same rows on every run.
  await runSeed(t.database.url, {
    seed: 7,
    scale: 0.0002,
    anchor: new Date('2026-03-15T00:00:00Z'),
    reporter: quiet,
  });
  assert.deepEqual((await checkBooks(t.pool.db)).problems, [], 'the seed balances to begin with');
  const orders = await t.database.sql<{ id: string; paid_at: Date }[]>`
    SELECT id, paid_at FROM orders WHERE status IN ('paid', 'processing', 'completed') ORDER BY paid_at, id`;
  const sellers = await t.database.sql<{ id: string; currency: string }[]>`
    SELECT DISTINCT user_id AS id, currency::text AS currency FROM transactions
     WHERE transaction_type = 'seller_share' ORDER BY 1, 2`;
  seeded = { orders: orders.map((o) => ({ id: o.id, paidAt: o.paid_at })), sellers: [...sellers] };
  assert.ok(seeded.orders.length > 0 && seeded.sellers.length > 0, 'the seed has paid orders and sellers');
}

type SeededAction = Action | { kind: 'refund-seeded'; order: number };
const seededAction: fc.Arbitrary<SeededAction> = fc.oneof(
  { weight: 5, arbitrary: action },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund-seeded' as const), order: fc.nat(10_000) }) },
);

async function seededPayoutCount(): Promise<number> {
  const [row] = await testApp.current.database.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM seller_payouts WHERE seller_id = ANY(${seeded.sellers.map((s) => s.id)}::uuid[])`;
  return row?.n ?? 0;
}

async function runSequence(actions: SeededAction[]): Promise<void> {
  const t = testApp.current;
  const payoutsBefore = await seededPayoutCount();
  const sequence = await startSequence(t, seen);
  for (const step of actions) {
    if (step.kind !== 'refund-seeded') {
      await sequence.step(step);
      continue;
    }
    const order = seeded.orders[step.order % seeded.orders.length]!;
    const outcome = await outcomeOf(sequence.checkout.refund(order.id));
    // An order paid before the window (by the sequence's clock) cannot be refunded: its share may be paid out.
    if (order.paidAt.getTime() < sequence.now().getTime() - config.holdDays * DAY) {
      assert.equal(outcome, 'REFUND_WINDOW_OVER', `seeded order ${order.id} paid ${order.paidAt.toISOString()}`);
      seen.seededRefundsRefused += 1;
    }
  }
  await sequence.finish();
  seen.seededPayouts += (await seededPayoutCount()) - payoutsBefore;
  // finish() ran the payout job once everything matured: seeded sellers too are left under the minimum.
  const heldSince = new Date(sequence.now().getTime() - config.holdDays * DAY);
  for (const seller of seeded.sellers) {
    const { payable } = await sellerBalance(t.pool.db, seller.id, seller.currency, heldSince);
    assert.ok(payable < config.payoutMinimum, `seeded seller ${seller.id}: ${payable} ${seller.currency} left payable`);
  }
  assert.deepEqual((await checkBooks(t.pool.db)).problems, [], 'every order of the database balances');
}

test('the books of a seeded database balance after any mix of purchases, refunds, payouts and time', async (context) => {
  await seed();
  await fc.assert(
    fc.asyncProperty(fc.array(seededAction, { minLength: 4, maxLength: 12 }), (actions) => runSequence(actions)),
    { numRuns: 5, endOnFailure: true },
  );
  context.diagnostic(JSON.stringify(seen));
  assert.ok(seen.paid > 0 && seen.seededPayouts > 0, 'purchases were paid and seeded sellers paid out');
});
