// Shared by the books property tests (books.property.test.ts on an empty database, books.seeded.property.test.ts on
// a seeded one; issue 16 §10, ADRs 0074, 0077): the random actions (fast-check), a world of sellers, buyers,
// products and codes, a sequence runner on a movable clock, and the independent model of each seller's shares.
// The clock is the one the code takes (`now` of the checkout service, the `now` of runPayouts): the real time plus
// an offset the sequence moves forward, because order and ledger timestamps are PostgreSQL's now().
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { TestApp } from '../../../test/helpers/app.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { marketMoneyConfig } from './checkout.config.ts';
import { createCheckoutService, type CheckoutService, type OrderView } from './checkout.service.ts';
import { newPerson, productOnSale, type Person } from './checkout.test-support.ts';
import { checkBooks } from './ledger.ts';
import { manualProvider } from './payments/provider.ts';
import { manualPayoutProvider, runPayouts, type PayoutProvider, type PayoutRun } from './payouts.ts';

export const DAY = 86_400_000;
export const booksConfig = marketMoneyConfig({
  VEZA_MARKET_COMMISSION_RATE: '0.15',
  VEZA_MARKET_TAX_RATES: 'FR:0.2,DE:0.19',
  VEZA_MARKET_HOLD_DAYS: '14',
  VEZA_MARKET_PAYOUT_MINIMUM: '10.00',
  VEZA_MARKET_ORDER_TTL_MINUTES: '30',
});
const config = booksConfig;

/** Codes (ApiError) a random action may legitimately run into; anything else fails the property. */
const EXPECTED_REFUSALS = new Set([
  'LICENSE_SOLD_OUT',
  'PRODUCT_NOT_ON_SALE',
  'DISCOUNT_CODE_EXHAUSTED',
  'DISCOUNT_CODE_NOT_APPLICABLE',
  'DISCOUNT_CODE_INVALID',
  'CURRENCY_MISMATCH',
  'REFUND_WINDOW_OVER',
  'ORDER_STATE_CONFLICT',
]);

/** The result, or the code of an expected refusal; anything else is thrown. */
export async function outcomeOf<T>(work: Promise<T>): Promise<T | string> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ApiError && EXPECTED_REFUSALS.has(error.code)) return error.code;
    throw error;
  }
}

export async function tolerated<T>(work: Promise<T>): Promise<T | undefined> {
  const outcome = await outcomeOf(work);
  return typeof outcome === 'string' ? undefined : outcome;
}

const failingPayouts: PayoutProvider = {
  method: 'bank_transfer',
  transfer: () => Promise.resolve({ ok: false, reason: 'account closed' }),
};
const throwingPayouts: PayoutProvider = {
  method: 'bank_transfer',
  transfer: () => Promise.reject(new Error('bank unreachable')),
};

export type Action =
  | { kind: 'buy'; buyer: number; lines: number[]; code: number | null; country: string | null; pay: boolean }
  | { kind: 'refund'; order: number }
  | { kind: 'payout'; provider: 'manual' | 'failing' | 'throwing' }
  | { kind: 'race'; orders: number[]; provider: 'manual' | 'failing' }
  | { kind: 'advance'; days: number }
  | { kind: 'expire' };

const PRODUCTS = 6;
const CODES = 3;
export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('buy' as const),
      buyer: fc.nat(2),
      lines: fc.uniqueArray(fc.nat(PRODUCTS - 1), { minLength: 1, maxLength: 3 }),
      code: fc.option(fc.nat(CODES - 1), { freq: 2 }),
      country: fc.constantFrom('FR', 'DE', 'US', null),
      pay: fc.constantFrom(true, true, true, false),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), order: fc.nat(50) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('payout' as const),
      provider: fc.constantFrom('manual' as const, 'manual' as const, 'failing' as const, 'throwing' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('race' as const),
      orders: fc.uniqueArray(fc.nat(50), { minLength: 1, maxLength: 3 }),
      provider: fc.constantFrom('manual' as const, 'failing' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.constantFrom(1, 3, 8, 15) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
);

/** Half-up to the cent, written apart from money.ts on purpose: the model must not share the code's arithmetic. */
const commissionOf = (cents: bigint) => (cents * 15n + 50n) / 100n;
export const centsOf = (amount: string) => BigInt(amount.replace('.', ''));

export interface World {
  sellers: Person[];
  buyers: Person[];
  products: { productId: string; licenseId: string; sellerIndex: number; currency: string }[];
  codes: string[];
}

export async function newWorld(t: TestApp): Promise<World> {
  const sellers = [await newPerson(t), await newPerson(t), await newPerson(t)];
  const buyers = [await newPerson(t), await newPerson(t), await newPerson(t)];
  const products: World['products'] = [];
  for (let i = 0; i < PRODUCTS; i += 1) {
    const sellerIndex = i % sellers.length;
    // Awkward prices (odd cents, where half-up rounding shows), one free product, one licence limited to 2 units.
    const price = ['19.99', '7.05', '33.33', '0.00', '12.50', '50.01'][i]!;
    const currency = i === 5 ? 'USD' : 'EUR';
    const made = await productOnSale(t, sellers[sellerIndex]!, {
      price,
      currency,
      limit: i === 2 ? 2 : null,
      ...(price === '0.00' ? { pricingModel: 'free' as const } : {}),
    });
    products.push({ ...made, sellerIndex, currency });
  }
  // A creator's 15 % code (seller 0's products only), a platform 5.00 fixed code capped, a platform 100 % code used once.
  const tag = randomUUID().slice(0, 8).toUpperCase();
  const codes = [`C${tag}`, `P${tag}`, `F${tag}`];
  const from = new Date(Date.now() - DAY);
  const until = new Date(Date.now() + 400 * DAY);
  await t.database.sql`
    INSERT INTO discount_codes (code, discount_type, discount_value, currency, creator_id, usage_limit,
                                maximum_discount_amount, minimum_purchase_amount, valid_from, valid_until)
    VALUES (${codes[0]!}, 'percentage', 15, 'EUR', ${sellers[0]!.id}, NULL, NULL, NULL, ${from}, ${until}),
           (${codes[1]!}, 'fixed_amount', 5, 'EUR', NULL, 5, 4.5, 10, ${from}, ${until}),
           (${codes[2]!}, 'percentage', 100, 'EUR', NULL, 1, NULL, NULL, ${from}, ${until})`;
  return { sellers, buyers, products, codes };
}

/** What the runs did, reported at the end: a property that never refunds or pays proves little. */
export function newTally() {
  return { orders: 0, paid: 0, refunded: 0, racedRefunds: 0, payouts: 0, failedPayouts: 0, lastRunPayouts: 0, runs: 0 };
}
export type Tally = ReturnType<typeof newTally>;

/**
 * One sequence against a fresh world: `step` plays an action, `payout` runs the payout job on the sequence's clock
 * (what each run did is also handed to `onRun`), and `finish` checks the books, the model, and that a last run once
 * everything matured leaves each seller of the world less than the minimum.
 */
export async function startSequence(t: TestApp, tally: Tally, onRun: (run: PayoutRun) => void = () => {}) {
  const world = await newWorld(t);
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const checkout: CheckoutService = createCheckoutService({
    db: t.pool.db,
    config,
    providers: { manual: manualProvider },
    stripe: undefined,
    now,
  });
  const paid: OrderView[] = [];
  const refunded = new Set<string>();
  const payouts = { manual: manualPayoutProvider, failing: failingPayouts, throwing: throwingPayouts };
  const payout = async (provider: PayoutProvider) => {
    const run = await runPayouts(t.pool.db, config, provider, now());
    onRun(run);
    return run;
  };

  async function step(step: Action): Promise<void> {
    switch (step.kind) {
      case 'buy': {
        const buyer = world.buyers[step.buyer]!;
        const caller = { userId: buyer.id, role: 'user' as const };
        for (const index of step.lines) {
          const product = world.products[index]!;
          await tolerated(checkout.addToCart(caller, { product_id: product.productId, license_id: product.licenseId }));
        }
        if ((await checkout.cart(caller)).item_count === 0) break;
        const order = await tolerated(
          checkout.checkout(caller, {
            billing_email: 'buyer@example.test',
            ...(step.country ? { billing_address: { country: step.country } } : {}),
            ...(step.code === null ? {} : { discount_code: world.codes[step.code]! }),
          }),
        );
        if (!order) {
          // A refused code or a sold-out unit leaves the cart as it was: empty it for the next purchase.
          for (const item of (await checkout.cart(caller)).items) await checkout.removeFromCart(caller, item.id);
          break;
        }
        tally.orders += 1;
        // The order's own arithmetic, against the model: Σ lines = subtotal − discount; total = that + tax.
        const lines = order.items.reduce((sum, item) => sum + centsOf(item.price), 0n);
        assert.equal(lines, centsOf(order.subtotal) - centsOf(order.discount_total), order.order_number);
        assert.equal(centsOf(order.total), lines + centsOf(order.tax_total), order.order_number);
        const taxRate = { FR: 20n, DE: 19n }[step.country ?? ''] ?? 0n;
        assert.equal(centsOf(order.tax_total), (lines * taxRate + 50n) / 100n, `${order.order_number} tax`);
        if (step.pay) {
          const confirmed = await tolerated(checkout.confirmManualPayment(order.id));
          if (confirmed?.status === 'paid') paid.push(confirmed);
          tally.paid += confirmed?.status === 'paid' ? 1 : 0;
        }
        break;
      }
      case 'refund': {
        const order = paid[step.order % Math.max(paid.length, 1)];
        if (!order) break;
        const done = await tolerated(checkout.refund(order.id));
        if (done?.status === 'refunded') refunded.add(order.id);
        tally.refunded += done?.status === 'refunded' ? 1 : 0;
        break;
      }
      case 'payout': {
        const run = await payout(payouts[step.provider]);
        tally.payouts += run.paid;
        tally.failedPayouts += run.failed;
        break;
      }
      case 'race': {
        const orders = [...new Set(step.orders.map((i) => paid[i % Math.max(paid.length, 1)]).filter((o) => o))];
        const [run, ...refunds] = await Promise.all([
          payout(payouts[step.provider]),
          ...orders.map((order) => tolerated(checkout.refund(order!.id))),
        ]);
        refunds.forEach((done, i) => {
          if (done?.status === 'refunded') refunded.add(orders[i]!.id);
          tally.racedRefunds += done?.status === 'refunded' ? 1 : 0;
        });
        tally.payouts += run.paid;
        tally.failedPayouts += run.failed;
        break;
      }
      case 'advance':
        offset += step.days * DAY;
        break;
      case 'expire':
        await checkout.expireUnpaidOrders(now());
        break;
      default:
        step satisfies never;
    }
  }

  async function finish(): Promise<void> {
    tally.runs += 1;
    assert.deepEqual((await checkBooks(t.pool.db)).problems, [], 'the books balance');
    await assertSellers(t, world, paid, refunded, now());
    // Everything matures, one more run: the money of each seller is paid out, down to less than the minimum.
    offset += (config.holdDays + 1) * DAY;
    tally.lastRunPayouts += (await payout(manualPayoutProvider)).paid;
    const left = await assertSellers(t, world, paid, refunded, now());
    for (const [key, rest] of left) assert.ok(rest < config.payoutMinimum, `${key}: ${rest} cents left unpaid`);
    assert.deepEqual((await checkBooks(t.pool.db)).problems, [], 'the books balance after the last run');
  }

  return { world, checkout, now, step, finish };
}

/**
 * Per seller and currency: the ledger's shares − reversals equal the model's, and payouts (not failed) never exceed
 * what had matured (shares older than the hold window, minus their reversals). Returns what is left to pay.
 */
async function assertSellers(
  t: TestApp,
  world: World,
  paid: OrderView[],
  refunded: Set<string>,
  at: Date,
): Promise<Map<string, bigint>> {
  const heldSince = at.getTime() - config.holdDays * DAY;
  const paidAt = new Map(
    (
      await t.database.sql<{ id: string; paid_at: Date }[]>`
        SELECT id, paid_at FROM orders WHERE id = ANY(${paid.map((o) => o.id)}::uuid[])`
    ).map((row) => [row.id, row.paid_at.getTime()]),
  );
  const model = new Map<string, { earned: bigint; matured: bigint }>();
  for (const order of paid) {
    if (refunded.has(order.id)) continue;
    for (const item of order.items) {
      const key = `${item.seller_id}/${order.currency}`;
      const share = centsOf(item.price) - commissionOf(centsOf(item.price));
      const entry = model.get(key) ?? { earned: 0n, matured: 0n };
      entry.earned += share;
      if (paidAt.get(order.id)! < heldSince) entry.matured += share;
      model.set(key, entry);
    }
  }
  const ledger = await t.database.sql<{ key: string; earned: string; paid_out: string }[]>`
    SELECT user_id || '/' || currency AS key,
           (COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share'), 0)
            - COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'seller_share_reversal'), 0))::numeric(14, 2)::text
             AS earned,
           COALESCE(SUM(amount) FILTER (WHERE transaction_type = 'payout' AND status <> 'failed'), 0)::numeric(14, 2)::text
             AS paid_out
      FROM transactions
     WHERE user_id = ANY(${world.sellers.map((s) => s.id)}::uuid[])
     GROUP BY user_id, currency`;
  const left = new Map<string, bigint>();
  for (const row of ledger) {
    const expected = model.get(row.key) ?? { earned: 0n, matured: 0n };
    const [earned, paidOut] = [centsOf(row.earned), centsOf(row.paid_out)];
    assert.equal(earned, expected.earned, `${row.key}: ledger earned ${row.earned}`);
    assert.ok(paidOut <= expected.matured, `${row.key}: paid ${row.paid_out}, only ${expected.matured} cents matured`);
    left.set(row.key, expected.earned - paidOut);
  }
  for (const [key, expected] of model) {
    if (!left.has(key)) assert.equal(expected.earned, 0n, `${key}: the model's shares are missing from the ledger`);
  }
  return left;
}
