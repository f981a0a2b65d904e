// The money side of the marketplace (issue 16 §4-7, 10; ADRs 0071-0074): the cart, checkout into an order, payment
// (manual or Stripe, through PaymentProvider), refunds, expiry of unpaid orders, and the ledger rows of each.
// Every state change of an order happens in one transaction that first locks the order row, so a payment, a refund,
// an expiry and a webhook never interleave; the ledger is written in that same transaction.
import { randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type Stripe from 'stripe';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError, type ProblemField } from '../../platform/http/problem.ts';
import { decodeCursor, type PageQuery } from '../../platform/http/pagination.ts';
import {
  cartIdOf,
  cartLines,
  clearCart,
  lockCart,
  offer,
  removeLine,
  setCartTotals,
  setLinePrice,
  upsertLine,
  type CartLineRow,
} from './carts.repository.ts';
import type { MarketMoneyConfig } from './checkout.config.ts';
import { MoneyProblems } from './checkout.errors.ts';
import { revokeCourseAccess } from './course-access.ts';
import { codeNamed, recordUse, releaseUse, takeUse, type DiscountCodeRow } from './discounts.repository.ts';
import { issueLicenses } from './delivery.service.ts';
import { bookPayment, bookRefund } from './ledger.ts';
import { lockSeller, orderSharePaidOut } from './payouts.ts';
import { commitLicenseUnit, releaseLicenseUnit, reserveLicenseUnit } from './licenses.repository.ts';
import {
  allocate,
  applyRate,
  formatMoney,
  minMoney,
  MoneyError,
  parseMoney,
  percentToRate,
  type Cents,
} from './money.ts';
import {
  findOrder,
  insertOrder,
  insertOrderItems,
  lockOrder,
  orderIdByPaymentIntent,
  orderItems,
  ordersOfBuyer,
  setOrderStatus,
  setPaymentIntent,
  stalePendingOrders,
  type OrderItemRow,
  type OrderRow,
} from './orders.repository.ts';
import type { PaymentMethod, PaymentProvider } from './payments/provider.ts';
import { verifyStripeEvent } from './payments/stripe.ts';
import { insertWebhookEvent, setWebhookOutcome } from './payments/webhook-events.repository.ts';

export interface CheckoutDeps {
  db: Database;
  config: MarketMoneyConfig;
  providers: Partial<Record<PaymentMethod, PaymentProvider>>;
  /** The SDK client that verifies Stripe webhooks (with VEZA_STRIPE_WEBHOOK_SECRET). */
  stripe: Stripe | undefined;
  now?: () => Date;
}

export interface CheckoutRequest {
  billing_email: string;
  billing_name?: string | undefined;
  billing_address?: Record<string, string> | undefined;
  discount_code?: string | undefined;
  payment_method?: PaymentMethod | undefined;
}

const PAID_STATES = new Set(['paid', 'processing', 'completed']);

/** `VZ-20261207-7KQ4M2XD9P`: the day and 10 characters of Crockford base32 (50 random bits). */
function newOrderNumber(now: Date): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let suffix = '';
  for (let i = 0; i < 10; i += 1) suffix += alphabet[randomInt(32)];
  return `VZ-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${suffix}`;
}

function amountOf(value: string, field: string): Cents {
  try {
    return parseMoney(value);
  } catch (error) {
    if (error instanceof MoneyError) {
      throw new ApiError(MoneyProblems.amountInvalid, error.message, [
        { field, rule: error.reason, message: error.message },
      ]);
    }
    throw error;
  }
}

/** What a line costs now, by the catalogue; undefined when it cannot be bought at all. */
function currentPrice(line: Pick<CartLineRow, 'pricing_model' | 'license_price' | 'minimum_price' | 'price'>): Cents {
  if (line.pricing_model === 'free') return 0n;
  const listed = parseMoney(line.license_price ?? '0');
  if (line.pricing_model === 'pwyw') {
    // The buyer's own amount stands while it is still at least the minimum.
    const minimum = line.minimum_price === null ? listed : parseMoney(line.minimum_price);
    const offered = parseMoney(line.price);
    return offered >= minimum ? offered : minimum;
  }
  return listed;
}

function cartView(lines: CartLineRow[]) {
  const subtotal = lines.reduce((sum, line) => sum + parseMoney(line.price), 0n);
  return {
    currency: lines[0]?.currency ?? null,
    item_count: lines.length,
    subtotal: formatMoney(subtotal),
    items: lines.map((line) => ({
      id: line.id,
      product_id: line.product_id,
      license_id: line.license_id,
      product_name: line.product_name,
      license_name: line.license_name,
      seller_id: line.seller_id,
      price: formatMoney(parseMoney(line.price)),
      currency: line.currency,
      on_sale: line.product_on_sale && line.license_on_sale,
      added_at: line.added_at.toISOString(),
    })),
  };
}
export type CartView = ReturnType<typeof cartView>;

export function orderView(order: OrderRow, items: OrderItemRow[], ttlMinutes: number) {
  return {
    id: order.id,
    order_number: order.order_number,
    status: order.status,
    currency: order.currency,
    subtotal: order.subtotal,
    discount_total: order.discount_total,
    tax_total: order.tax_total,
    total: order.total,
    payment_method: order.payment_method,
    billing_email: order.billing_email,
    billing_name: order.billing_name,
    billing_address: (order.billing_address ?? null) as Record<string, string> | null,
    created_at: order.created_at.toISOString(),
    expires_at:
      order.status === 'pending' ? new Date(order.created_at.getTime() + ttlMinutes * 60_000).toISOString() : null,
    paid_at: order.paid_at?.toISOString() ?? null,
    cancelled_at: order.cancelled_at?.toISOString() ?? null,
    refunded_at: order.refunded_at?.toISOString() ?? null,
    items: items
      .filter((item) => item.order_id === order.id)
      .map((item) => ({
        id: item.id,
        product_id: item.product_id,
        license_id: item.license_id,
        product_name: item.product_name,
        seller_id: item.seller_id,
        price: item.price,
        license_terms: item.license_terms,
      })),
  };
}
export type OrderView = ReturnType<typeof orderView>;

/** The discount a code gives on these lines, per line (ADR 0072); throws the reason it gives none. */
export function discountFor(
  code: DiscountCodeRow,
  lines: { seller_id: string; price: Cents }[],
  currency: string,
  now: Date,
) {
  if (!code.is_active || now < code.valid_from || now >= code.valid_until) {
    throw new ApiError(MoneyProblems.discountInvalid, 'This code is not active now');
  }
  if (code.usage_limit !== null && code.usage_count >= code.usage_limit) {
    throw new ApiError(MoneyProblems.discountExhausted);
  }
  if (code.currency !== currency) {
    throw new ApiError(MoneyProblems.discountNotApplicable, `This code applies to carts in ${code.currency}`);
  }
  // A creator's code applies to that creator's products only; a platform code (no creator) to every line.
  const eligible = lines.map((line) => code.creator_id === null || line.seller_id === code.creator_id);
  const base = lines.reduce((sum, line, i) => (eligible[i] ? sum + line.price : sum), 0n);
  if (base === 0n) {
    throw new ApiError(MoneyProblems.discountNotApplicable, 'No item of your cart is covered by this code');
  }
  if (code.minimum_purchase_amount !== null && base < parseMoney(code.minimum_purchase_amount)) {
    throw new ApiError(
      MoneyProblems.discountNotApplicable,
      `This code needs a purchase of at least ${code.minimum_purchase_amount} ${code.currency}`,
    );
  }
  let amount =
    code.discount_type === 'percentage'
      ? applyRate(base, percentToRate(code.discount_value))
      : minMoney(parseMoney(code.discount_value), base);
  if (code.maximum_discount_amount !== null) amount = minMoney(amount, parseMoney(code.maximum_discount_amount));
  const perLine = allocate(
    amount,
    lines.map((line, i) => (eligible[i] ? line.price : 0n)),
  );
  return { amount, perLine };
}

export function createCheckoutService(deps: CheckoutDeps) {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());

  async function refreshTotals(tx: Transaction<DB>, cartId: string): Promise<CartLineRow[]> {
    const lines = await cartLines(tx, cartId);
    const subtotal = lines.reduce((sum, line) => sum + parseMoney(line.price), 0n);
    await setCartTotals(tx, cartId, { itemCount: lines.length, subtotal: formatMoney(subtotal) });
    return lines;
  }

  /** Moves a locked pending order to cancelled and gives back what it held (licence units, the code's use). */
  async function cancelPending(tx: Transaction<DB>, order: OrderRow): Promise<void> {
    const items = await orderItems(tx, [order.id]);
    const licenses = items.map((i) => i.license_id).filter((id): id is string => id !== null);
    for (const licenseId of licenses.sort()) await releaseLicenseUnit(tx, licenseId);
    await releaseUse(tx, order.id);
    await setOrderStatus(tx, order.id, 'cancelled', 'cancelled_at');
  }

  /** Pays a locked order: units sold, ledger booked. 'already' when it was paid before; 'stale' when cancelled. */
  async function applyPayment(
    tx: Transaction<DB>,
    order: OrderRow,
    provider: string,
    providerTransactionId: string | null,
  ): Promise<'applied' | 'already' | 'stale'> {
    if (PAID_STATES.has(order.status) || order.status === 'refunded') return 'already';
    if (order.status !== 'pending') return 'stale';
    const items = await orderItems(tx, [order.id]);
    const licenses = items.map((i) => i.license_id).filter((id): id is string => id !== null);
    for (const licenseId of licenses.sort()) {
      // A pending order holds its reservation until it leaves pending (under this same row lock).
      if (!(await commitLicenseUnit(tx, licenseId))) throw new Error(`order ${order.id}: reservation missing`);
    }
    await setOrderStatus(tx, order.id, 'paid', 'paid_at');
    // Licence keys and what each line licenses, in this same transaction (ADR 0075).
    await issueLicenses(tx, order.id);
    await bookPayment(tx, order, items, config.commissionRate, provider, providerTransactionId);
    // products.sale_count follows the paid lines by trigger (migration 0016).
    return 'applied';
  }

  async function applyRefund(
    tx: Transaction<DB>,
    order: OrderRow,
    provider: string,
    providerTransactionId: string | null,
  ): Promise<'applied' | 'already' | 'stale'> {
    if (order.status === 'refunded') return 'already';
    if (!PAID_STATES.has(order.status)) return 'stale';
    // The sellers' payouts and this refund of their shares do not interleave (payouts.ts).
    const sellers = [...new Set((await orderItems(tx, [order.id])).map((i) => i.seller_id))].sort();
    for (const sellerId of sellers) await lockSeller(tx, sellerId);
    await bookRefund(tx, order, provider, providerTransactionId);
    await setOrderStatus(tx, order.id, 'refunded', 'refunded_at');
    // Courses the order paid for are taken back with it (ADR 0090).
    await revokeCourseAccess(tx, order.id, now());
    return 'applied';
  }

  /**
   * A payment that succeeded after its order expired (the buyer finished paying past the TTL, or Stripe was late)
   * bought nothing: the units and the code went back. The money goes back too, under the order's refund idempotency
   * key, while the webhook's transaction holds the order; if Stripe fails, the webhook fails and its retry refunds.
   * Stripe's later `charge.refunded` finds a cancelled order and is stale. Nothing enters the ledger: no sale.
   */
  async function refundLatePayment(order: OrderRow): Promise<void> {
    const provider = deps.providers.stripe;
    if (!provider) throw new ApiError(MoneyProblems.paymentMethodUnavailable, 'stripe is not configured');
    try {
      await provider.refund(order);
    } catch {
      throw new ApiError(MoneyProblems.paymentProviderFailed);
    }
  }

  function refundWindowOpen(order: OrderRow): boolean {
    return order.paid_at !== null && now().getTime() < order.paid_at.getTime() + config.holdDays * 86_400_000;
  }

  async function viewOf(orderId: string): Promise<OrderView> {
    const order = await findOrder(db, orderId);
    if (!order) throw new ApiError(MoneyProblems.orderNotFound);
    return orderView(order, await orderItems(db, [order.id]), config.orderTtlMinutes);
  }

  return {
    async cart(caller: Caller): Promise<CartView> {
      return cartView(await cartLines(db, await cartIdOf(db, caller.userId)));
    },

    async addToCart(
      caller: Caller,
      input: { product_id: string; license_id: string; amount?: string | undefined },
    ): Promise<CartView> {
      const given = input.amount === undefined ? undefined : amountOf(input.amount, 'body.amount');
      return db.transaction().execute(async (tx) => {
        const cartId = await lockCart(tx, caller.userId);
        const found = await offer(tx, input.product_id, input.license_id);
        if (!found || !found.product_on_sale || !found.license_on_sale) {
          throw new ApiError(MoneyProblems.productNotOnSale);
        }
        if (found.seller_id === caller.userId) throw new ApiError(MoneyProblems.ownProduct);
        const lines = await cartLines(tx, cartId);
        const other = lines.find((line) => line.product_id !== input.product_id);
        if (other && other.currency !== found.currency) {
          throw new ApiError(MoneyProblems.currencyMismatch, `Your cart is in ${other.currency}`);
        }
        let price: Cents;
        if (found.pricing_model === 'free') price = 0n;
        else if (found.pricing_model === 'pwyw') {
          const minimum =
            found.minimum_price === null ? parseMoney(found.license_price) : parseMoney(found.minimum_price);
          if (given === undefined || given < minimum) {
            throw new ApiError(
              MoneyProblems.amountUnderMinimum,
              `Pay at least ${formatMoney(minimum)} ${found.currency}`,
            );
          }
          price = given;
        } else price = parseMoney(found.license_price);
        await upsertLine(tx, cartId, {
          productId: input.product_id,
          licenseId: input.license_id,
          price: formatMoney(price),
        });
        return cartView(await refreshTotals(tx, cartId));
      });
    },

    async removeFromCart(caller: Caller, itemId: string): Promise<CartView> {
      return db.transaction().execute(async (tx) => {
        const cartId = await lockCart(tx, caller.userId);
        if (!(await removeLine(tx, cartId, itemId))) throw new ApiError(MoneyProblems.cartItemNotFound);
        return cartView(await refreshTotals(tx, cartId));
      });
    },

    /**
     * Cart → order, in one transaction (issue 16 §6): the cart re-priced against the catalogue (a difference is a
     * 409 CART_CHANGED listing each one, and the cart is brought up to date for the buyer to review), the code's use
     * taken, the licence units reserved, the order and its snapshots written, the cart emptied. Any refusal rolls
     * everything back. The payment is started after the commit (no network call inside a transaction).
     */
    async checkout(caller: Caller, input: CheckoutRequest): Promise<OrderView & { client_secret: string | null }> {
      const method: PaymentMethod = input.payment_method ?? 'manual';
      const provider = deps.providers[method];
      if (!provider) throw new ApiError(MoneyProblems.paymentMethodUnavailable, `${method} is not configured`);
      const country = input.billing_address?.country?.toUpperCase();
      const changes: { itemId: string; price: string | null }[] = [];
      let order: OrderRow;
      try {
        order = await db.transaction().execute(async (tx) => {
          const cartId = await lockCart(tx, caller.userId);
          const lines = await cartLines(tx, cartId);
          if (lines.length === 0) throw new ApiError(MoneyProblems.cartEmpty);
          const differences: ProblemField[] = [];
          lines.forEach((line, i) => {
            if (!line.product_on_sale || !line.license_on_sale || line.license_id === null) {
              differences.push({
                field: `items[${i}]`,
                rule: 'not_on_sale',
                message: `${line.product_name} is no longer on sale`,
              });
              changes.push({ itemId: line.id, price: null });
              return;
            }
            const price = currentPrice(line);
            if (price !== parseMoney(line.price)) {
              differences.push({
                field: `items[${i}]`,
                rule: 'price_changed',
                message: `${line.product_name}: ${formatMoney(parseMoney(line.price))} → ${formatMoney(price)} ${line.currency}`,
              });
              changes.push({ itemId: line.id, price: formatMoney(price) });
            }
          });
          if (differences.length > 0) {
            throw new ApiError(
              MoneyProblems.cartChanged,
              'Prices or availability changed: review your cart',
              differences,
            );
          }
          const currency = lines[0]!.currency;
          const priced = lines.map((line) => ({ seller_id: line.seller_id, price: parseMoney(line.price) }));
          const subtotal = priced.reduce((sum, line) => sum + line.price, 0n);
          let discount: { amount: Cents; perLine: Cents[] } = { amount: 0n, perLine: priced.map(() => 0n) };
          let code: DiscountCodeRow | undefined;
          if (input.discount_code !== undefined) {
            code = await codeNamed(tx, input.discount_code);
            if (!code) throw new ApiError(MoneyProblems.discountInvalid);
            discount = discountFor(code, priced, currency, now());
            if (!(await takeUse(tx, code.id))) throw new ApiError(MoneyProblems.discountExhausted);
          }
          // Licence units in licence id order: two checkouts never wait on each other's rows crosswise.
          for (const line of [...lines].sort((a, b) => (a.license_id! < b.license_id! ? -1 : 1))) {
            const outcome = await reserveLicenseUnit(tx, line.license_id!);
            if (outcome === 'sold_out')
              throw new ApiError(MoneyProblems.licenseSoldOut, `${line.product_name} is sold out`);
            if (outcome === 'withdrawn')
              throw new ApiError(MoneyProblems.productNotOnSale, `${line.product_name} is no longer on sale`);
          }
          const net = subtotal - discount.amount;
          const tax = applyRate(net, (country ? config.taxRates.get(country) : undefined) ?? 0n);
          const created = await insertOrder(tx, {
            userId: caller.userId,
            orderNumber: newOrderNumber(now()),
            subtotal: formatMoney(subtotal),
            discountTotal: formatMoney(discount.amount),
            taxTotal: formatMoney(tax),
            total: formatMoney(net + tax),
            currency,
            paymentMethod: method,
            billingEmail: input.billing_email,
            billingName: input.billing_name ?? null,
            billingAddress: input.billing_address
              ? { ...input.billing_address, ...(country ? { country } : {}) }
              : null,
          });
          // order_items.price is what the line costs the buyer after the code (ADR 0074): Σ lines = subtotal − discount.
          await insertOrderItems(
            tx,
            created.id,
            lines.map((line, i) => ({
              productId: line.product_id,
              licenseId: line.license_id,
              productName: line.product_name,
              productDescription: line.product_description,
              sellerId: line.seller_id,
              price: formatMoney(priced[i]!.price - discount.perLine[i]!),
              licenseTerms: line.license_terms,
              downloadFileIds: line.download_file_ids,
            })),
          );
          if (code) {
            await recordUse(tx, {
              codeId: code.id,
              orderId: created.id,
              userId: caller.userId,
              amount: formatMoney(discount.amount),
            });
          }
          await clearCart(tx, cartId);
          await setCartTotals(tx, cartId, { itemCount: 0, subtotal: '0.00' });
          return created;
        });
      } catch (error) {
        if (error instanceof ApiError && error.code === MoneyProblems.cartChanged.code && changes.length > 0) {
          // Bring the cart up to date so the buyer reviews what a new checkout would charge.
          await db.transaction().execute(async (tx) => {
            const cartId = await lockCart(tx, caller.userId);
            for (const change of changes) {
              if (change.price === null) await removeLine(tx, cartId, change.itemId);
              else await setLinePrice(tx, change.itemId, change.price);
            }
            await refreshTotals(tx, cartId);
          });
        }
        throw error;
      }
      let clientSecret: string | null;
      try {
        const started = await provider.start(order);
        clientSecret = started.clientSecret;
        if (started.intentId) await setPaymentIntent(db, order.id, started.intentId);
      } catch {
        // The order stays pending and expires, giving its units back; the buyer may check out again.
        throw new ApiError(MoneyProblems.paymentProviderFailed);
      }
      return { ...(await viewOf(order.id)), client_secret: clientSecret };
    },

    async orders(caller: Caller, query: PageQuery) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await ordersOfBuyer(db, caller.userId, query.limit, after);
      const kept = rows.slice(0, query.limit);
      const items = await orderItems(
        db,
        kept.map((o) => o.id),
      );
      const last = kept.at(-1);
      return {
        items: kept.map((order) => orderView(order, items, config.orderTtlMinutes)),
        next_cursor:
          rows.length > query.limit && last
            ? Buffer.from(JSON.stringify([last.position_stamp, last.id])).toString('base64url')
            : null,
      };
    },

    /** The caller's own order; someone else's answers 404 like a missing one (BOLA). */
    async order(caller: Caller, orderId: string): Promise<OrderView> {
      const order = await findOrder(db, orderId);
      if (!order || order.user_id !== caller.userId) throw new ApiError(MoneyProblems.orderNotFound);
      return orderView(order, await orderItems(db, [order.id]), config.orderTtlMinutes);
    },

    /** Manual provider: staff record that the money arrived (ADR 0073). Confirming twice changes nothing. */
    async confirmManualPayment(orderId: string): Promise<OrderView> {
      await db.transaction().execute(async (tx) => {
        const order = await lockOrder(tx, orderId);
        if (!order) throw new ApiError(MoneyProblems.orderNotFound);
        if (order.payment_method !== 'manual') {
          throw new ApiError(MoneyProblems.orderStateConflict, 'Only manual-payment orders are confirmed by hand');
        }
        const outcome = await applyPayment(tx, order, 'manual', null);
        if (outcome === 'stale') throw new ApiError(MoneyProblems.orderStateConflict, `The order is ${order.status}`);
      });
      return viewOf(orderId);
    },

    /**
     * Refunds a paid order in full, within the refund window (= the payout hold, ADR 0074): the provider first
     * (idempotent per order), then the order and the ledger reversals in one transaction.
     */
    async refund(orderId: string): Promise<OrderView> {
      const order = await findOrder(db, orderId);
      if (!order) throw new ApiError(MoneyProblems.orderNotFound);
      if (order.status === 'refunded') return viewOf(orderId);
      if (!PAID_STATES.has(order.status))
        throw new ApiError(MoneyProblems.orderStateConflict, `The order is ${order.status}`);
      if (!refundWindowOpen(order)) throw new ApiError(MoneyProblems.refundWindowOver);
      const method = (order.payment_method ?? 'manual') as PaymentMethod;
      const provider = deps.providers[method];
      if (!provider) throw new ApiError(MoneyProblems.paymentMethodUnavailable, `${method} is not configured`);
      let providerRefundId: string | null;
      try {
        providerRefundId = await provider.refund(order);
      } catch {
        throw new ApiError(MoneyProblems.paymentProviderFailed);
      }
      await db.transaction().execute(async (tx) => {
        const locked = await lockOrder(tx, orderId);
        if (!locked) throw new ApiError(MoneyProblems.orderNotFound);
        if (locked.status !== 'refunded' && !refundWindowOpen(locked))
          throw new ApiError(MoneyProblems.refundWindowOver);
        if (PAID_STATES.has(locked.status)) {
          // Under the sellers' locks (payouts.ts): a payout run whose clock already said the window was over may
          // have paid these shares out between our window check and now; then the window is over (ADR 0077).
          const sellers = [...new Set((await orderItems(tx, [orderId])).map((i) => i.seller_id))].sort();
          for (const sellerId of sellers) await lockSeller(tx, sellerId);
          for (const sellerId of sellers) {
            if (await orderSharePaidOut(tx, orderId, sellerId)) throw new ApiError(MoneyProblems.refundWindowOver);
          }
        }
        const outcome = await applyRefund(tx, locked, method, providerRefundId);
        if (outcome === 'stale') throw new ApiError(MoneyProblems.orderStateConflict, `The order is ${locked.status}`);
      });
      return viewOf(orderId);
    },

    /**
     * A Stripe webhook (ADR 0073): the signature is verified by the SDK first (a bad one: 400, nothing written);
     * the event id is recorded in the transaction of its effect, so a replay finds it and changes nothing; events
     * apply as state transitions that only move forward, so one arriving late (a success after a refund) is
     * recorded as stale and ignored.
     */
    async stripeWebhook(
      rawBody: string | Buffer,
      signature: string | undefined,
    ): Promise<{ received: true; outcome: string }> {
      if (!deps.stripe || !config.stripeWebhookSecret) {
        throw new ApiError(MoneyProblems.paymentMethodUnavailable, 'Stripe webhooks are not configured');
      }
      let event;
      try {
        event = verifyStripeEvent(deps.stripe, rawBody, signature, config.stripeWebhookSecret);
      } catch {
        throw new ApiError(MoneyProblems.webhookSignatureInvalid);
      }
      const outcome = await db.transaction().execute(async (tx) => {
        const orderId = event.paymentIntentId ? await orderIdByPaymentIntent(tx, event.paymentIntentId) : undefined;
        const rowId = await insertWebhookEvent(tx, {
          provider: 'stripe',
          eventId: event.id,
          eventType: event.type,
          orderId,
        });
        if (!rowId) return 'duplicate';
        if (!orderId) return 'ignored';
        const order = await lockOrder(tx, orderId);
        if (!order) return 'ignored';
        let result: 'applied' | 'already' | 'stale' | 'ignored';
        switch (event.type) {
          case 'payment_intent.succeeded':
            result = await applyPayment(tx, order, 'stripe', event.providerTransactionId);
            if (result === 'stale' && order.status === 'cancelled') await refundLatePayment(order);
            break;
          case 'payment_intent.canceled':
            if (order.status === 'pending') {
              await cancelPending(tx, order);
              result = 'applied';
            } else result = 'stale';
            break;
          case 'charge.refunded':
            result = await applyRefund(tx, order, 'stripe', event.providerTransactionId);
            break;
          default:
            result = 'ignored';
        }
        const stored = result === 'already' ? 'ignored' : result;
        await setWebhookOutcome(tx, rowId, stored);
        return stored;
      });
      return { received: true, outcome };
    },

    /** The expiry job: unpaid orders older than the TTL are cancelled and give back what they held. */
    async expireUnpaidOrders(at: Date = now(), batch = 500): Promise<number> {
      const cutoff = new Date(at.getTime() - config.orderTtlMinutes * 60_000);
      const ids = await stalePendingOrders(db, cutoff, batch);
      let expired = 0;
      for (const id of ids) {
        const done = await db.transaction().execute(async (tx) => {
          const order = await lockOrder(tx, id);
          if (!order || order.status !== 'pending') return false;
          await cancelPending(tx, order);
          return true;
        });
        if (done) expired += 1;
      }
      return expired;
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
