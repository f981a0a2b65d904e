// Marketplace (spec §10): products of the sellers with their licenses, carts, orders and their lines, reviews,
// favourites, payouts, discount codes and the payment transactions. Amounts are kept in cents.
import { allocate, splitOrder } from '../../domains/marketplace/index.ts';
import { marketConfig } from '../../platform/config/config.ts';
import { money, pgArray, pgQuotedArray, type Row } from '../copy-text.ts';
import { distinctPicks } from '../pick.ts';
import { copyTable, type SeedSql, type SeedTable } from '../table.ts';
import { DAY_MS, iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, streams, Timed, type Universe } from '../universe.ts';
import { GENRES, MUSICAL_KEYS, paragraph, PRODUCT_KINDS, sentence, slugify, title } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, email, staffMember, userCreated, userId, users } from './auth.ts';
import { productFileId } from './files.ts';

const S = streams(
  'products',
  'products.id',
  'products.attr',
  'products.name',
  'products.row',
  'product_licenses',
  'product_licenses.id',
  'carts',
  'carts.id',
  'cart_items',
  'cart_items.id',
  'orders',
  'orders.id',
  'orders.attr',
  'order_items.id',
  'order_items.row',
  'product_reviews.id',
  'product_favorites',
  'product_favorites.id',
  'seller_payouts',
  'seller_payouts.id',
  'discount_codes.id',
  'discount_codes.attr',
  'discount_code_usage.id',
  'transactions.id',
  'seller_payout_accounts',
  'seller_payout_accounts.id',
);

export const CATEGORIES = ['sample', 'beat', 'preset', 'template', 'service'] as const;
const STATUSES = ['draft', 'active', 'inactive', 'suspended'] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;
const PRICING = ['fixed', 'pwyw', 'free'] as const;
const LICENSES = [
  ['Basic lease', 0.5],
  ['Premium lease', 1],
  ['Unlimited', 2.5],
  ['Exclusive rights', 10],
] as const;
/** Index in LICENSES of the exclusive licence, the last one a product offers. */
const EXCLUSIVE_LICENSE = 3;

export interface Products {
  count: number;
  fanout: Fanout;
  seller: Int32Array;
  timed: Timed;
  category: Uint8Array;
  status: Uint8Array;
  deleted: Uint8Array;
  currency: Uint8Array;
  pricing: Uint8Array;
  priceCents: Int32Array;
  /** Licenses of product p are [licenses.start[p], licenses.start[p + 1]); licensePriceCents by license index. */
  licenses: Fanout;
  licensePriceCents: Int32Array;
}

export function products(u: Universe): Products {
  return u.cached('products', () => {
    const sellers = users(u).sellers;
    const fanout = Fanout.of(u, S.products, sellers.length, (_, rng) =>
      Math.max(1, rng.exponentialCount(VOLUMES.productsPerSeller, 300)),
    );
    const count = fanout.total;
    const seller = new Int32Array(count);
    const created = new Float64Array(count);
    const category = new Uint8Array(count);
    const status = new Uint8Array(count);
    const deleted = new Uint8Array(count);
    const currency = new Uint8Array(count);
    const pricing = new Uint8Array(count);
    const priceCents = new Int32Array(count);
    const rng = u.rng();
    for (let s = 0; s < sellers.length; s++) {
      for (let p = fanout.start[s] as number; p < (fanout.start[s + 1] as number); p++) {
        rng.reset(S['products.attr'], p);
        const user = sellers[s] as number;
        seller[p] = user;
        created[p] = u.time.after(userCreated(u, user), rng.next() * 0.95);
        // the first product is a beat, whose license offers no scale leaves out
        category[p] = p === 0 ? 1 : rng.int(CATEGORIES.length);
        const state = rng.next();
        status[p] = state < 0.8 ? 1 : state < 0.9 ? 0 : state < 0.97 ? 2 : 3;
        deleted[p] = rng.chance(0.02) ? 1 : 0;
        currency[p] = rng.chance(0.7) ? 0 : rng.chance(0.83) ? 1 : 2;
        pricing[p] = category[p] === 4 ? 0 : rng.chance(0.85) ? 0 : rng.chance(0.6) ? 1 : 2;
        const base =
          category[p] === 4 ? rng.between(50, 400) : category[p] === 1 ? rng.between(20, 150) : rng.between(5, 60);
        priceCents[p] = pricing[p] === 2 ? 0 : base * 100 - (rng.chance(0.6) ? 1 : 0);
      }
    }
    const licenses = Fanout.of(u, S.product_licenses, count, (p, r) =>
      category[p] === 1 ? 2 + r.int(3) : category[p] === 4 || pricing[p] === 2 ? 0 : r.chance(0.5) ? 1 : 0,
    );
    const licensePriceCents = new Int32Array(licenses.total);
    for (let p = 0; p < count; p++) {
      for (let l = licenses.start[p] as number; l < (licenses.start[p + 1] as number); l++) {
        const [, factor] = LICENSES[l - (licenses.start[p] as number)] as (typeof LICENSES)[number];
        licensePriceCents[l] = Math.max(100, Math.round((priceCents[p] as number) * factor));
      }
    }
    return {
      count,
      fanout,
      seller,
      timed: new Timed(created),
      category,
      status,
      deleted,
      currency,
      pricing,
      priceCents,
      licenses,
      licensePriceCents,
    };
  });
}

export function productId(u: Universe, product: number): string {
  return u.id(S['products.id'], product);
}

export function productName(u: Universe, product: number): string {
  const rng = u.rng().reset(S['products.name'], product);
  const kind = CATEGORIES[products(u).category[product] as number] as (typeof CATEGORIES)[number];
  return `${title(rng)} ${rng.pick(PRODUCT_KINDS[kind])}`;
}

function purchasable(all: Products, product: number): boolean {
  return all.status[product] === 1 && !all.deleted[product];
}

const productsTable = copyTable({
  name: 'products',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'seller_id',
    'name',
    'slug',
    'description',
    'category',
    'tags',
    'price',
    'currency',
    'pricing_model',
    'minimum_price',
    'preview_file_id',
    'demo_url',
    'download_file_ids',
    'image_file_ids',
    'thumbnail_url',
    'bpm',
    'musical_key',
    'genre',
    'formats',
    'license_type',
    'status',
    'view_count',
    'favorite_count',
    'sale_count',
    'review_count',
    'average_rating',
    'published_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => products(u).count,
  *rows(u): Iterable<Row> {
    const all = products(u);
    const rng = u.rng();
    for (let p = 0; p < all.count; p++) {
      rng.reset(S['products.row'], p);
      const name = productName(u, p);
      const created = all.timed.created[p] as number;
      const category = CATEGORIES[all.category[p] as number] as string;
      const musical = category === 'beat' || category === 'sample';
      const published = all.status[p] !== 0 ? created + rng.between(10, 600) * MINUTE_MS : NaN;
      const deletedAt = all.deleted[p] ? u.time.after(created, 0.5 + rng.next() / 2) : NaN;
      yield [
        productId(u, p),
        userId(u, all.seller[p] as number),
        name,
        `${slugify(name)}-${p}`,
        paragraph(rng, rng.between(2, 5)),
        category,
        pgArray([
          rng.pick(GENRES).replace(/[^a-z]/g, ''),
          category,
          rng.pick(['dark', 'warm', 'punchy', 'lofi', 'clean']),
        ]),
        money((all.priceCents[p] as number) / 100),
        CURRENCIES[all.currency[p] as number] as string,
        PRICING[all.pricing[p] as number] as string,
        all.pricing[p] === 1 ? money(Math.floor((all.priceCents[p] as number) / 200)) : null,
        category === 'service' ? null : productFileId(u, p, 0),
        rng.chance(0.2) ? `https://demo.veza.example/products/${p}` : null,
        category === 'service' ? null : pgArray([productFileId(u, p, 1)]),
        null,
        `https://cdn.veza.example/products/${p}.jpg`,
        musical && rng.chance(0.8) ? rng.between(70, 170) : null,
        musical && rng.chance(0.6) ? rng.pick(MUSICAL_KEYS) : null,
        rng.pick(GENRES),
        category === 'service' ? null : pgQuotedArray(musical ? ['WAV', 'MP3', 'STEMS'] : ['ZIP']),
        category === 'beat' ? 'lease' : category === 'service' ? null : 'royalty-free',
        STATUSES[all.status[p] as number] as string,
        rng.int(5000),
        0,
        0,
        0,
        '0.00',
        Number.isNaN(published) ? null : iso(published),
        iso(created),
        iso(Number.isNaN(deletedAt) ? (Number.isNaN(published) ? created : published) : deletedAt),
        Number.isNaN(deletedAt) ? null : iso(deletedAt),
      ];
    }
  },
});

const productLicenses = copyTable({
  name: 'product_licenses',
  dependsOn: ['products'],
  columns: [
    'id',
    'product_id',
    'name',
    'description',
    'price',
    'terms',
    'usage_rights',
    'is_exclusive',
    'distribution_limit',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => products(u).licenses.total,
  *rows(u): Iterable<Row> {
    const all = products(u);
    for (let p = 0; p < all.count; p++) {
      const first = all.licenses.start[p] as number;
      const at = iso(all.timed.created[p] as number);
      for (let l = first; l < (all.licenses.start[p + 1] as number); l++) {
        const [name] = LICENSES[l - first] as (typeof LICENSES)[number];
        const exclusive = name === 'Exclusive rights';
        const limit = name === 'Basic lease' ? 5000 : name === 'Premium lease' ? 50_000 : null;
        yield [
          u.id(S['product_licenses.id'], l),
          productId(u, p),
          name,
          `${name} of this product`,
          money((all.licensePriceCents[l] as number) / 100),
          `Non-transferable license. ${exclusive ? 'Exclusive: the product is withdrawn after sale.' : 'Non-exclusive.'}`,
          JSON.stringify({ streaming: true, broadcast: !name.startsWith('Basic'), distribution_limit: limit }),
          exclusive,
          limit,
          at,
          at,
          null,
        ];
      }
    }
  },
});

function cartFanout(u: Universe): Fanout {
  return u.cached('carts', () =>
    Fanout.of(u, S.carts, users(u).count, (_, rng) => (rng.chance(VOLUMES.cartShare) ? 1 : 0)),
  );
}

const cartsTable = copyTable({
  name: 'carts',
  dependsOn: ['users'],
  columns: ['id', 'user_id', 'item_count', 'subtotal', 'tax_total', 'total', 'created_at', 'updated_at'],
  count: (u) => cartFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = cartFanout(u);
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let c = fanout.start[user] as number; c < (fanout.start[user + 1] as number); c++) {
        const at = iso(u.time.after(userCreated(u, user), u.unit(S.carts, c)));
        // item_count, subtotal and total are computed after the load (counters.ts); tax_total stays 0 (ADR 0012)
        yield [u.id(S['carts.id'], c), userId(u, user), 0, '0.00', '0.00', '0.00', at, at];
      }
    }
  },
});

function cartItemFanout(u: Universe): Fanout {
  return u.cached('cart_items', () => {
    const cap = Math.min(10, Math.floor(products(u).count / 2));
    return Fanout.of(u, S.cart_items, cartFanout(u).total, (_, rng) => rng.exponentialCount(VOLUMES.itemsPerCart, cap));
  });
}

const cartItems = copyTable({
  name: 'cart_items',
  dependsOn: ['carts', 'products', 'product_licenses'],
  columns: ['id', 'cart_id', 'product_id', 'license_id', 'price', 'added_at', 'created_at', 'updated_at'],
  count: (u) => cartItemFanout(u).total,
  *rows(u): Iterable<Row> {
    const carts = cartFanout(u);
    const items = cartItemFanout(u);
    const all = products(u);
    const rng = u.rng();
    for (let user = 0; user < carts.counts.length; user++) {
      for (let c = carts.start[user] as number; c < (carts.start[user + 1] as number); c++) {
        const k = items.counts[c] as number;
        if (k === 0) continue;
        rng.reset(S.cart_items, c);
        const picks = distinctPicks(k, all.count, rng, () => {
          let product = all.timed.pick(u.time.anchor, rng.next());
          for (let attempt = 0; attempt < 4 && !purchasable(all, product); attempt++) {
            product = all.timed.pick(u.time.anchor, rng.next());
          }
          return product;
        });
        for (let j = 0; j < k; j++) {
          const row = (items.start[c] as number) + j;
          const product = picks[j] as number;
          const licenses = (all.licenses.counts[product] as number) > 0 ? all.licenses : null;
          const license = licenses
            ? (licenses.start[product] as number) + rng.int(licenses.counts[product] as number)
            : -1;
          const price = license >= 0 ? (all.licensePriceCents[license] as number) : (all.priceCents[product] as number);
          const at = iso(
            u.time.after(Math.max(userCreated(u, user), all.timed.created[product] as number), rng.next()),
          );
          yield [
            u.id(S['cart_items.id'], row),
            u.id(S['carts.id'], c),
            productId(u, product),
            license >= 0 ? u.id(S['product_licenses.id'], license) : null,
            money(price / 100),
            at,
            at,
            at,
          ];
        }
      }
    }
  },
});

export const ORDER_STATUSES = ['pending', 'paid', 'processing', 'completed', 'cancelled', 'refunded'] as const;
const COMPLETED = 3;
const CANCELLED = 4;
const REFUNDED = 5;

export interface Orders {
  fanout: Fanout;
  user: Int32Array;
  timed: Timed;
  status: Uint8Array;
  currency: Uint8Array;
  items: Fanout;
  itemProduct: Int32Array;
  itemLicense: Int32Array;
  /** What the line costs the buyer, after the order's discount code (the service's order_items.price). */
  itemPriceCents: Int32Array;
  subtotalCents: Int32Array;
  taxCents: Int32Array;
  discountCents: Int32Array;
  /** Index of the discount code used, -1 for none. */
  discountCode: Int32Array;
}

export function orders(u: Universe): Orders {
  return u.cached('orders', () => {
    const all = products(u);
    const codes = discountCodes(u);
    const fanout = Fanout.of(u, S.orders, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.ordersPerUser, 50));
    const count = fanout.total;
    const user = new Int32Array(count);
    const created = new Float64Array(count);
    const status = new Uint8Array(count);
    const currency = new Uint8Array(count);
    const itemCap = Math.min(5, Math.floor(all.count / 2));
    const items = Fanout.of(u, S['orders.attr'], count, (_, rng) =>
      Math.min(itemCap, 1 + rng.exponentialCount(VOLUMES.itemsPerOrder - 1, 4)),
    );
    const itemProduct = new Int32Array(items.total);
    const itemLicense = new Int32Array(items.total);
    const itemPriceCents = new Int32Array(items.total);
    const subtotalCents = new Int32Array(count);
    const taxCents = new Int32Array(count);
    const discountCents = new Int32Array(count);
    const discountCode = new Int32Array(count).fill(-1);
    const rng = u.rng();
    for (let buyer = 0; buyer < fanout.counts.length; buyer++) {
      for (let o = fanout.start[buyer] as number; o < (fanout.start[buyer + 1] as number); o++) {
        rng.reset(S['orders.id'], o);
        user[o] = buyer;
        let at = u.time.after(userCreated(u, buyer), rng.next());
        const k = items.counts[o] as number;
        const picks = distinctPicks(k, all.count, rng, () => {
          let product = all.timed.pick(at, rng.next());
          for (let attempt = 0; attempt < 4 && !purchasable(all, product); attempt++) {
            product = all.timed.pick(at, rng.next());
          }
          return product;
        });
        let subtotal = 0;
        for (let j = 0; j < k; j++) {
          const item = (items.start[o] as number) + j;
          const product = picks[j] as number;
          at = Math.max(at, (all.timed.created[product] as number) + MINUTE_MS);
          // Leases only: an exclusive licence sells once and then withdraws its product (ADR 0069), a timeline the
          // seed does not play; its units counters are recounted from these lines (src/seed/counters.ts).
          const licenseCount = Math.min(all.licenses.counts[product] as number, EXCLUSIVE_LICENSE);
          const license =
            licenseCount > 0 && rng.chance(0.8) ? (all.licenses.start[product] as number) + rng.int(licenseCount) : -1;
          let price = license >= 0 ? (all.licensePriceCents[license] as number) : (all.priceCents[product] as number);
          if (all.pricing[product] === 1) price += rng.int(3) * 100;
          itemProduct[item] = product;
          itemLicense[item] = license;
          itemPriceCents[item] = price;
          subtotal += price;
        }
        created[o] = Math.min(at, u.time.anchor - 1000);
        currency[o] = all.currency[picks[0] as number] as number;
        const state = rng.next();
        // the newest orders are still being paid
        const recent = u.time.anchor - (created[o] as number) < 2 * DAY_MS;
        status[o] =
          recent && state < 0.5
            ? 0
            : state < 0.8
              ? COMPLETED
              : state < 0.83
                ? 1
                : state < 0.85
                  ? 2
                  : state < 0.9
                    ? 0
                    : state < 0.96
                      ? CANCELLED
                      : REFUNDED;
        if (codes.count > 0 && subtotal > 0 && rng.chance(VOLUMES.discountedOrderShare)) {
          const code = codes.timed.pick(created[o] as number, rng.next());
          discountCode[o] = code;
          const value = codes.valueCents[code] as number;
          discountCents[o] = Math.min(
            subtotal,
            codes.percentage[code] ? Math.round((subtotal * value) / 10_000) : value,
          );
        }
        subtotalCents[o] = subtotal;
        // order_items.price is what the line costs after the code, as the service writes it (ADR 0074): the code's
        // amount spread over the lines by the service's own allocation, so Σ lines = subtotal − discount.
        if ((discountCents[o] as number) > 0) {
          const first = items.start[o] as number;
          const prices = Array.from(itemPriceCents.subarray(first, first + k), (price) => BigInt(price));
          allocate(BigInt(discountCents[o] as number), prices).forEach((part, j) => {
            itemPriceCents[first + j] = (itemPriceCents[first + j] as number) - Number(part);
          });
        }
        taxCents[o] = Math.round((subtotal - (discountCents[o] as number)) * (currency[o] === 1 ? 0.2 : 0.08));
      }
    }
    return {
      fanout,
      user,
      timed: new Timed(created),
      status,
      currency,
      items,
      itemProduct,
      itemLicense,
      itemPriceCents,
      subtotalCents,
      taxCents,
      discountCents,
      discountCode,
    };
  });
}

export function orderId(u: Universe, order: number): string {
  return u.id(S['orders.id'], order);
}

/** When an order reached its status: [paid_at, completed_at, cancelled_at, refunded_at] (NaN where not). */
function orderDates(u: Universe, all: Orders, order: number): [number, number, number, number] {
  const created = all.timed.created[order] as number;
  const status = all.status[order] as number;
  const paid = status === 0 || status === CANCELLED ? NaN : created + 2 * MINUTE_MS;
  const completed = status === COMPLETED || status === REFUNDED ? created + 10 * MINUTE_MS : NaN;
  const cancelled = status === CANCELLED ? created + 30 * MINUTE_MS : NaN;
  // within the refund window, which is also the hold of the sellers' shares (the service refuses later refunds)
  const refunded =
    status === REFUNDED
      ? u.time.after(created + 20 * MINUTE_MS, u.unit(S['orders.attr'], order, 1), paid + MARKET.holdDays * DAY_MS)
      : NaN;
  return [paid, completed, cancelled, refunded];
}

const isoOrNull = (ms: number) => (Number.isNaN(ms) ? null : iso(ms));

const ordersTable = copyTable({
  name: 'orders',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'order_number',
    'subtotal',
    'tax_total',
    'discount_total',
    'total',
    'currency',
    'payment_method',
    'payment_intent_id',
    'status',
    'billing_email',
    'billing_name',
    'billing_address',
    'paid_at',
    'completed_at',
    'cancelled_at',
    'refunded_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => orders(u).fanout.total,
  *rows(u): Iterable<Row> {
    const all = orders(u);
    const people = users(u);
    const rng = u.rng();
    for (let o = 0; o < all.user.length; o++) {
      rng.reset(S['orders.attr'], o);
      const buyer = all.user[o] as number;
      const created = all.timed.created[o] as number;
      const dates = orderDates(u, all, o);
      const [city, country] = [
        ['Paris', 'FR'],
        ['Berlin', 'DE'],
        ['London', 'GB'],
        ['New York', 'US'],
      ][(people.place[buyer] as number) % 4] as [string, string];
      const subtotal = all.subtotalCents[o] as number;
      const discount = all.discountCents[o] as number;
      const tax = all.taxCents[o] as number;
      yield [
        orderId(u, o),
        userId(u, buyer),
        `VZ-${iso(created).slice(0, 10).replaceAll('-', '')}-${String(o).padStart(8, '0')}`,
        money(subtotal / 100),
        money(tax / 100),
        money(discount / 100),
        money((subtotal - discount + tax) / 100),
        CURRENCIES[all.currency[o] as number] as string,
        rng.chance(0.7) ? 'card' : 'paypal',
        `pi_${rng.hex(24)}`,
        ORDER_STATUSES[all.status[o] as number] as string,
        email(u, buyer),
        displayName(u, buyer),
        JSON.stringify({
          line1: `${1 + rng.int(200)} Main Street`,
          city,
          postal_code: String(10_000 + rng.int(89_999)),
          country,
        }),
        isoOrNull(dates[0]),
        isoOrNull(dates[1]),
        isoOrNull(dates[2]),
        isoOrNull(dates[3]),
        iso(created),
        iso(Math.max(created, ...dates.filter((d) => !Number.isNaN(d)))),
      ];
    }
  },
});

const orderItems = copyTable({
  name: 'order_items',
  dependsOn: ['orders', 'products', 'product_licenses', 'users', 'files'],
  columns: [
    'id',
    'order_id',
    'product_id',
    'license_id',
    'product_name',
    'product_description',
    'seller_id',
    'price',
    'download_file_ids',
    'download_count',
    'license_key',
    'license_terms',
    'created_at',
    'updated_at',
  ],
  count: (u) => orders(u).items.total,
  *rows(u): Iterable<Row> {
    const all = orders(u);
    const catalogue = products(u);
    const rng = u.rng();
    for (let o = 0; o < all.user.length; o++) {
      const at = iso(all.timed.created[o] as number);
      const delivered = all.status[o] === COMPLETED || all.status[o] === REFUNDED;
      for (let item = all.items.start[o] as number; item < (all.items.start[o + 1] as number); item++) {
        rng.reset(S['order_items.row'], item);
        const product = all.itemProduct[item] as number;
        const license = all.itemLicense[item] as number;
        const service = catalogue.category[product] === 4;
        yield [
          u.id(S['order_items.id'], item),
          orderId(u, o),
          productId(u, product),
          license >= 0 ? u.id(S['product_licenses.id'], license) : null,
          productName(u, product),
          sentence(rng, 6, 14),
          userId(u, catalogue.seller[product] as number),
          money((all.itemPriceCents[item] as number) / 100),
          service ? null : pgArray([productFileId(u, product, 1)]),
          delivered && !service ? rng.int(6) : 0,
          delivered && license >= 0 ? seededLicenseKey(rng) : null,
          license >= 0 ? 'See the license offer at the time of purchase.' : null,
          at,
          at,
        ];
      }
    }
  },
});

/** A licence key in the service's format (ADR 0075: VZL and six groups of five Crockford base-32 characters). */
function seededLicenseKey(rng: ReturnType<Universe['rng']>): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const groups: string[] = [];
  for (let g = 0; g < 6; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += alphabet[rng.int(32)];
    groups.push(group);
  }
  return `VZL-${groups.join('-')}`;
}

/** Order lines reviewed: a share of the lines of completed orders (uq_product_reviews_order_item). */
function reviewedItems(u: Universe): Int32Array {
  return u.cached('product_reviews', () => {
    const all = orders(u);
    const reviewed: number[] = [];
    for (let o = 0; o < all.user.length; o++) {
      if (all.status[o] !== COMPLETED) continue;
      for (let item = all.items.start[o] as number; item < (all.items.start[o + 1] as number); item++) {
        if (u.unit(S['product_reviews.id'], item) < VOLUMES.reviewShareOfCompletedItems) reviewed.push(item);
      }
    }
    return Int32Array.from(reviewed);
  });
}

const productReviews = copyTable({
  name: 'product_reviews',
  dependsOn: ['products', 'users', 'order_items'],
  columns: [
    'id',
    'product_id',
    'user_id',
    'order_item_id',
    'rating',
    'title',
    'content',
    'is_verified_purchase',
    'seller_response',
    'seller_responded_at',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => reviewedItems(u).length,
  *rows(u): Iterable<Row> {
    const items = reviewedItems(u);
    const all = orders(u);
    const rng = u.rng();
    for (let r = 0; r < items.length; r++) {
      const item = items[r] as number;
      rng.reset(S['product_reviews.id'], item);
      const order = all.items.parentOf(item);
      const created = u.time.after((all.timed.created[order] as number) + DAY_MS, rng.next() * 0.3);
      const score = rng.next();
      const rating = score < 0.5 ? 5 : score < 0.8 ? 4 : score < 0.9 ? 3 : score < 0.95 ? 2 : 1;
      let content = sentence(rng, 4, 30);
      if (content.length < 10) content += ' Great product overall.';
      const responded = rng.chance(0.2);
      const deleted = rng.chance(0.01);
      yield [
        u.id(S['product_reviews.id'], r),
        productId(u, all.itemProduct[item] as number),
        userId(u, all.user[order] as number),
        u.id(S['order_items.id'], item),
        rating,
        rng.chance(0.7)
          ? rng.pick(['Great quality', 'Worth it', 'Not what I expected', 'Solid pack', 'Fast delivery'])
          : null,
        content,
        true,
        responded ? 'Thanks for the feedback!' : null,
        responded ? iso(created + DAY_MS / 2) : null,
        iso(created),
        iso(responded ? created + DAY_MS / 2 : created),
        deleted ? iso(created + DAY_MS) : null,
      ];
    }
  },
});

function favoriteFanout(u: Universe): Fanout {
  return u.cached('product_favorites', () => {
    const cap = Math.min(50, Math.floor(products(u).count / 2));
    return Fanout.of(u, S.product_favorites, users(u).count, (_, rng) =>
      rng.exponentialCount(VOLUMES.favoritesPerUser, cap),
    );
  });
}

const productFavorites = copyTable({
  name: 'product_favorites',
  dependsOn: ['users', 'products'],
  columns: ['id', 'user_id', 'product_id', 'created_at', 'updated_at'],
  count: (u) => favoriteFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = favoriteFanout(u);
    const all = products(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      const k = fanout.counts[user] as number;
      if (k === 0) continue;
      rng.reset(S.product_favorites, user);
      const joined = userCreated(u, user);
      const picks = distinctPicks(k, all.count, rng, () =>
        all.timed.pick(u.time.after(joined, rng.next()), rng.next()),
      );
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[user] as number) + j;
        const product = picks[j] as number;
        const at = iso(u.time.after(Math.max(joined, all.timed.created[product] as number), rng.next()));
        yield [u.id(S['product_favorites.id'], row), userId(u, user), productId(u, product), at, at];
      }
    }
  },
});

/** The marketplace's default settings (commission 0.15, hold 14 days, payout minimum 20.00): not the environment's. */
const MARKET = marketConfig({});

/** Orders whose payment the service books (ADR 0074): pending and cancelled orders have no transaction. */
function booked(status: number): boolean {
  return status !== 0 && status !== CANCELLED;
}

/**
 * The ledger of the seeded orders, split by the service's own splitOrder (ADR 0074), so the seeded books balance by
 * construction: the shares of booked order o are rows [shares.start[o], shares.start[o + 1]), one per seller in the
 * order of its lines.
 */
interface Ledger {
  shares: { start: Int32Array; seller: Int32Array; cents: Int32Array };
  commissionCents: Int32Array;
}

function ledger(u: Universe): Ledger {
  return u.cached('ledger', () => {
    const all = orders(u);
    const catalogue = products(u);
    const count = all.user.length;
    const start = new Int32Array(count + 1);
    const seller: number[] = [];
    const cents: number[] = [];
    const commissionCents = new Int32Array(count);
    for (let o = 0; o < count; o++) {
      start[o] = seller.length;
      if (!booked(all.status[o] as number)) continue;
      const lines = [];
      for (let item = all.items.start[o] as number; item < (all.items.start[o + 1] as number); item++) {
        const price = money((all.itemPriceCents[item] as number) / 100);
        lines.push({ seller_id: String(catalogue.seller[all.itemProduct[item] as number]), price });
      }
      const tax = all.taxCents[o] as number;
      const total = (all.subtotalCents[o] as number) - (all.discountCents[o] as number) + tax;
      const split = splitOrder(
        { total: money(total / 100), tax_total: money(tax / 100) },
        lines,
        BigInt(MARKET.commissionRatePpm),
      );
      for (const [user, share] of split.shares) {
        seller.push(Number(user));
        cents.push(Number(share));
      }
      commissionCents[o] = Number(split.commission);
    }
    start[count] = seller.length;
    return {
      shares: { start, seller: Int32Array.from(seller), cents: Int32Array.from(cents) },
      commissionCents,
    };
  });
}

function payoutSlots(u: Universe): Fanout {
  return u.cached('seller_payouts', () =>
    Fanout.of(u, S.seller_payouts, users(u).sellers.length, (_, rng) =>
      rng.exponentialCount(VOLUMES.payoutsPerSeller, 12),
    ),
  );
}

const PAYOUT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
const PAYOUT_FAILED = 3;

/**
 * Sellers' Stripe Connect accounts (ADR 0084): 55% of sellers connected and verified a week after signing up, before
 * their first payout run, so every payout of theirs is a Stripe Connect transfer to that account; 10% registered an
 * account whose onboarding is unfinished (never verified) and, like the 35% without one, are paid by bank transfer
 * (the manual provider, no account recorded). The first seller is always connected, so every scale has a row.
 */
interface PayoutAccounts {
  /** Per seller index: the account id, or '' when the seller registered none. */
  account: string[];
  verified: boolean[];
  /** The sellers with an account, in seller order: the table's rows. */
  rows: number[];
}

function payoutAccounts(u: Universe): PayoutAccounts {
  return u.cached('seller_payout_accounts', () => {
    const sellers = users(u).sellers;
    const rng = u.rng();
    const result: PayoutAccounts = { account: [], verified: [], rows: [] };
    for (let s = 0; s < sellers.length; s++) {
      const state = s === 0 ? 0 : u.unit(S['seller_payout_accounts'], s, 0);
      rng.reset(S['seller_payout_accounts.id'], s);
      const has = state < 0.65;
      result.account.push(has ? `acct_${rng.hex(16)}` : '');
      result.verified.push(state < 0.55);
      if (has) result.rows.push(s);
    }
    return result;
  });
}

/** Connected and verified before any payout run (runs start 7 days after sign-up). */
const accountVerifiedAt = (u: Universe, user: number) => userCreated(u, user) + 6 * DAY_MS;

/**
 * The payouts, as the payout job would have made them (payouts.ts, runPayouts): each seller has a few payout runs
 * (slots) in the year; a run pays the seller's payable balance in the currency where it is largest, if it reaches the
 * minimum: shares booked before the hold cutoff minus their reversals (refunds fall within the window, so they are
 * booked by then) minus the payouts not failed. A failed payout's money is back in the balance for the next run.
 * Slots with nothing to pay make no payout. Sorted by seller, then time.
 */
interface Payouts {
  count: number;
  seller: Int32Array;
  /** The slot the payout comes from (its random draws). */
  slot: Int32Array;
  created: Float64Array;
  status: Uint8Array;
  currency: Uint8Array;
  cents: Int32Array;
}

function payouts(u: Universe): Payouts {
  return u.cached('payouts', () => {
    const all = orders(u);
    const books = ledger(u);
    const sellers = users(u).sellers;
    const slots = payoutSlots(u);
    const sellerOf = new Map<number, number>();
    sellers.forEach((user, s) => sellerOf.set(user, s));
    // every share of a booked order that is not refunded, grouped by seller, oldest first
    const entries: number[] = [];
    const orderOf = new Int32Array(books.shares.seller.length);
    for (let o = 0; o < all.user.length; o++) {
      for (let e = books.shares.start[o] as number; e < (books.shares.start[o + 1] as number); e++) {
        orderOf[e] = o;
        if (all.status[o] !== REFUNDED) entries.push(e);
      }
    }
    const paidAt = (e: number) => orderDates(u, all, orderOf[e] as number)[0];
    const keyed = entries.map((e) => ({ e, s: sellerOf.get(books.shares.seller[e] as number) ?? -1, at: paidAt(e) }));
    keyed.sort((a, b) => a.s - b.s || a.at - b.at || a.e - b.e);
    const out = { seller: [] as number[], slot: [] as number[], created: [] as number[], status: [] as number[] };
    const outCurrency: number[] = [];
    const outCents: number[] = [];
    let next = 0;
    for (let s = 0; s < sellers.length; s++) {
      const user = sellers[s] as number;
      while (next < keyed.length && (keyed[next]?.s as number) < s) next++;
      const runs: { slot: number; at: number }[] = [];
      for (let p = slots.start[s] as number; p < (slots.start[s + 1] as number); p++) {
        runs.push({
          slot: p,
          at: u.time.after(userCreated(u, user) + 7 * DAY_MS, u.unit(S['seller_payouts.id'], p, 8)),
        });
      }
      runs.sort((a, b) => a.at - b.at || a.slot - b.slot);
      const matured = [0, 0, 0];
      const taken = [0, 0, 0];
      let cursor = next;
      for (const run of runs) {
        const heldSince = run.at - MARKET.holdDays * DAY_MS;
        while (cursor < keyed.length && keyed[cursor]?.s === s && (keyed[cursor]?.at as number) < heldSince) {
          const { e } = keyed[cursor] as { e: number };
          const c = all.currency[orderOf[e] as number] as number;
          matured[c] = (matured[c] as number) + (books.shares.cents[e] as number);
          cursor++;
        }
        let currency = 0;
        for (let c = 1; c < CURRENCIES.length; c++) {
          if (
            (matured[c] as number) - (taken[c] as number) >
            (matured[currency] as number) - (taken[currency] as number)
          )
            currency = c;
        }
        const payable = (matured[currency] as number) - (taken[currency] as number);
        if (payable < MARKET.payoutMinimumCents) continue;
        const state = u.unit(S['seller_payouts.id'], run.slot, 7);
        const status = state < 0.85 ? 2 : state < 0.9 ? 1 : state < 0.95 ? 0 : PAYOUT_FAILED;
        if (status !== PAYOUT_FAILED) taken[currency] = (taken[currency] as number) + payable;
        out.seller.push(user);
        out.slot.push(run.slot);
        out.created.push(run.at);
        out.status.push(status);
        outCurrency.push(currency);
        outCents.push(payable);
      }
    }
    return {
      count: out.seller.length,
      seller: Int32Array.from(out.seller),
      slot: Int32Array.from(out.slot),
      created: Float64Array.from(out.created),
      status: Uint8Array.from(out.status),
      currency: Uint8Array.from(outCurrency),
      cents: Int32Array.from(outCents),
    };
  });
}

const sellerPayouts = copyTable({
  name: 'seller_payouts',
  dependsOn: ['users'],
  columns: [
    'id',
    'seller_id',
    'payout_number',
    'amount',
    'currency',
    'payout_method',
    'payout_account_id',
    'status',
    'processed_at',
    'completed_at',
    'failed_at',
    'failure_reason',
    'created_at',
    'updated_at',
  ],
  count: (u) => payouts(u).count,
  *rows(u): Iterable<Row> {
    const all = payouts(u);
    const accounts = payoutAccounts(u);
    const sellerIndex = sellerIndexes(u);
    for (let p = 0; p < all.count; p++) {
      const s = sellerIndex.get(all.seller[p] as number) as number;
      const stripe = accounts.verified[s] === true;
      const created = all.created[p] as number;
      const status = all.status[p] as number;
      const processed = status === 0 ? NaN : created + DAY_MS / 4;
      const finished = status >= 2 ? created + DAY_MS : NaN;
      yield [
        u.id(S['seller_payouts.id'], p),
        userId(u, all.seller[p] as number),
        `PO-${String(p).padStart(9, '0')}`,
        money((all.cents[p] as number) / 100),
        CURRENCIES[all.currency[p] as number] as string,
        stripe ? 'stripe_connect' : 'bank_transfer',
        // runPayouts records the account a completed transfer went to; the manual provider has none
        stripe && status === 2 ? (accounts.account[s] as string) : null,
        PAYOUT_STATUSES[status] as string,
        isoOrNull(processed),
        status === 2 ? iso(finished) : null,
        status === PAYOUT_FAILED ? iso(finished) : null,
        status === PAYOUT_FAILED
          ? stripe
            ? 'stripe 400 StripeInvalidRequestError: the destination account cannot receive transfers'
            : 'The bank rejected the transfer: account closed.'
          : null,
        iso(created),
        iso(Number.isNaN(finished) ? (Number.isNaN(processed) ? created : processed) : finished),
      ];
    }
  },
});

/** Seller index of each seller's user index. */
function sellerIndexes(u: Universe): Map<number, number> {
  return u.cached('seller_indexes', () => {
    const map = new Map<number, number>();
    users(u).sellers.forEach((user, s) => map.set(user, s));
    return map;
  });
}

const sellerPayoutAccounts = copyTable({
  name: 'seller_payout_accounts',
  dependsOn: ['users'],
  columns: ['id', 'seller_id', 'provider', 'account_id', 'verified_at', 'created_at', 'updated_at'],
  count: (u) => payoutAccounts(u).rows.length,
  *rows(u): Iterable<Row> {
    const accounts = payoutAccounts(u);
    const sellers = users(u).sellers;
    for (const s of accounts.rows) {
      const user = sellers[s] as number;
      const verified = accounts.verified[s] === true;
      const created = accountVerifiedAt(u, user) - 2 * 60 * MINUTE_MS;
      const updated = verified ? accountVerifiedAt(u, user) : created;
      yield [
        u.id(S['seller_payout_accounts.id'], s),
        userId(u, user),
        'stripe_connect',
        accounts.account[s] as string,
        verified ? iso(accountVerifiedAt(u, user)) : null,
        iso(created),
        iso(updated),
      ];
    }
  },
});

interface DiscountCodes {
  count: number;
  timed: Timed;
  percentage: Uint8Array;
  /** Percent * 100 for percentage codes, cents for fixed amounts. */
  valueCents: Int32Array;
}

function discountCodes(u: Universe): DiscountCodes {
  return u.cached('discount_codes', () => {
    const count = u.scaled(VOLUMES.discountCodes, 3);
    const created = new Float64Array(count);
    const percentage = new Uint8Array(count);
    const valueCents = new Int32Array(count);
    const rng = u.rng();
    for (let d = 0; d < count; d++) {
      rng.reset(S['discount_codes.attr'], d);
      created[d] = u.time.entityTime((d + rng.next()) / count);
      percentage[d] = rng.chance(0.7) ? 1 : 0;
      valueCents[d] = percentage[d] ? rng.pick([5, 10, 15, 20, 25, 50]) * 100 : rng.pick([1, 2, 5, 10, 20]) * 100;
    }
    return { count, timed: new Timed(created), percentage, valueCents };
  });
}

const discountCodesTable = copyTable({
  name: 'discount_codes',
  dependsOn: ['users'],
  columns: [
    'id',
    'code',
    'discount_type',
    'discount_value',
    'minimum_purchase_amount',
    'maximum_discount_amount',
    'usage_limit',
    'usage_count',
    'valid_from',
    'valid_until',
    'is_active',
    'creator_id',
    'created_at',
    'updated_at',
  ],
  count: (u) => discountCodes(u).count,
  *rows(u): Iterable<Row> {
    const codes = discountCodes(u);
    const people = users(u);
    const rng = u.rng();
    for (let d = 0; d < codes.count; d++) {
      rng.reset(S['discount_codes.id'], d);
      const created = codes.timed.created[d] as number;
      const percentage = codes.percentage[d] === 1;
      const creator = rng.chance(0.2) ? -1 : rng.chance(0.5) ? staffMember(u, rng) : rng.pick([...people.sellers]);
      yield [
        u.id(S['discount_codes.id'], d),
        `${rng.pick(['SUMMER', 'WELCOME', 'BEATS', 'STUDIO', 'VEZA', 'FRIENDS'])}${d.toString(36).toUpperCase()}`,
        percentage ? 'percentage' : 'fixed_amount',
        money((codes.valueCents[d] as number) / 100),
        rng.chance(0.3) ? money(rng.pick([10, 20, 50])) : null,
        percentage && rng.chance(0.5) ? money(rng.pick([10, 25, 50])) : null,
        rng.chance(0.6) ? rng.pick([50, 100, 500, 1000]) : null,
        0,
        iso(created),
        iso(created + rng.between(30, 365) * DAY_MS),
        rng.chance(0.85),
        creator >= 0 ? userId(u, creator) : null,
        iso(created),
        iso(created),
      ];
    }
  },
});

function discountedOrders(u: Universe): Int32Array {
  return u.cached('discount_code_usage', () => {
    const all = orders(u);
    const used: number[] = [];
    for (let o = 0; o < all.user.length; o++) if ((all.discountCode[o] as number) >= 0) used.push(o);
    return Int32Array.from(used);
  });
}

const discountCodeUsage = copyTable({
  name: 'discount_code_usage',
  dependsOn: ['discount_codes', 'orders', 'users'],
  columns: ['id', 'discount_code_id', 'order_id', 'user_id', 'discount_amount', 'used_at', 'created_at', 'updated_at'],
  count: (u) => discountedOrders(u).length,
  *rows(u): Iterable<Row> {
    const used = discountedOrders(u);
    const all = orders(u);
    for (let r = 0; r < used.length; r++) {
      const o = used[r] as number;
      const at = iso(all.timed.created[o] as number);
      yield [
        u.id(S['discount_code_usage.id'], r),
        u.id(S['discount_codes.id'], all.discountCode[o] as number),
        orderId(u, o),
        userId(u, all.user[o] as number),
        money((all.discountCents[o] as number) / 100),
        at,
        at,
        at,
      ];
    }
  },
});

const transactions = copyTable({
  name: 'transactions',
  dependsOn: ['users', 'orders', 'seller_payouts'],
  columns: [
    'id',
    'transaction_type',
    'user_id',
    'order_id',
    'payout_id',
    'amount',
    'currency',
    'provider',
    'provider_transaction_id',
    'status',
    'metadata',
    'completed_at',
    'created_at',
    'updated_at',
  ],
  // The ledger's rows (ADR 0074): a paid order books its payment, a share per seller, the commission and the tax; a
  // refunded one also their mirror (refund and reversals); pending and cancelled orders nothing; a transfer per payout.
  count: (u) => {
    const all = orders(u);
    const books = ledger(u);
    let rows = payouts(u).count;
    for (let o = 0; o < all.user.length; o++) {
      if (!booked(all.status[o] as number)) continue;
      const split = 3 + (books.shares.start[o + 1] as number) - (books.shares.start[o] as number);
      rows += all.status[o] === REFUNDED ? 2 * split : split;
    }
    return rows;
  },
  *rows(u): Iterable<Row> {
    const all = orders(u);
    const books = ledger(u);
    const rng = u.rng();
    let row = 0;
    for (let o = 0; o < all.user.length; o++) {
      const status = all.status[o] as number;
      if (!booked(status)) continue;
      const [paid, , , refunded] = orderDates(u, all, o);
      const tax = all.taxCents[o] as number;
      const total = (all.subtotalCents[o] as number) - (all.discountCents[o] as number) + tax;
      const currency = CURRENCIES[all.currency[o] as number] as string;
      const buyer = userId(u, all.user[o] as number);
      const order = orderId(u, o);
      const provider = rng.reset(S['transactions.id'], o).chance(0.7) ? 'stripe' : 'paypal';
      // [type, user, cents] as bookPayment writes them, then their mirror as bookRefund writes it
      const entries: [string, string | null, number][] = [['payment', buyer, total]];
      for (let e = books.shares.start[o] as number; e < (books.shares.start[o + 1] as number); e++) {
        entries.push(['seller_share', userId(u, books.shares.seller[e] as number), books.shares.cents[e] as number]);
      }
      entries.push(['commission', null, books.commissionCents[o] as number], ['tax', null, tax]);
      const bookings: [number, string, Record<string, string>][] = [[paid, 'ch', {}]];
      if (status === REFUNDED) bookings.push([refunded, 're', {}]);
      for (const [at, prefix] of bookings) {
        const reference = `${provider === 'stripe' ? prefix : prefix.toUpperCase()}_${rng.hex(24)}`;
        for (const [type, user, cents] of entries) {
          yield [
            u.id(S['transactions.id'], row++),
            at === paid ? type : (REVERSAL[type] as string),
            user,
            order,
            null,
            money(cents / 100),
            currency,
            provider,
            reference,
            'completed',
            null,
            iso(at),
            iso(at),
            iso(at),
          ];
        }
      }
    }
    const paidOut = payouts(u);
    const accounts = payoutAccounts(u);
    const sellerIndex = sellerIndexes(u);
    for (let p = 0; p < paidOut.count; p++) {
      const stripe = accounts.verified[sellerIndex.get(paidOut.seller[p] as number) as number] === true;
      rng.reset(S['transactions.id'], 0x4000_0000 + (paidOut.slot[p] as number));
      const created = paidOut.created[p] as number;
      const status = paidOut.status[p] as number;
      yield [
        u.id(S['transactions.id'], row++),
        'payout',
        userId(u, paidOut.seller[p] as number),
        null,
        u.id(S['seller_payouts.id'], p),
        money((paidOut.cents[p] as number) / 100),
        CURRENCIES[paidOut.currency[p] as number] as string,
        // the provider's method, as runPayouts books it; a Stripe transfer id once completed, none for bank transfers
        stripe ? 'stripe_connect' : 'bank_transfer',
        stripe && status === 2 ? `tr_${rng.hex(24)}` : null,
        status === 2 ? 'completed' : status === PAYOUT_FAILED ? 'failed' : 'pending',
        // the hold cutoff the payout counted shares up to (ADR 0077)
        JSON.stringify({ held_since: iso(created - MARKET.holdDays * DAY_MS) }),
        status === 2 ? iso(created + DAY_MS) : null,
        iso(created),
        iso(status >= 2 ? created + DAY_MS : created),
      ];
    }
  },
});

/** What bookRefund books for each row of the payment. */
const REVERSAL: Record<string, string> = {
  payment: 'refund',
  seller_share: 'seller_share_reversal',
  commission: 'commission_reversal',
  tax: 'tax_reversal',
};

// Every order paid through Stripe came with its succeeded webhook, recorded once (ADR 0073); ids from the seed.
const paymentWebhookEvents: SeedTable = {
  kind: 'derived',
  name: 'payment_webhook_events',
  dependsOn: ['orders'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `INSERT INTO payment_webhook_events (id, provider, event_id, event_type, order_id, outcome, created_at, updated_at)
       SELECT overlay(overlay(md5($1::text || ':webhook:' || id::text) placing '4' from 13) placing '8' from 17)::uuid,
              'stripe', 'evt_' || substr(md5($1::text || ':evt:' || id::text), 1, 24), 'payment_intent.succeeded',
              id, 'applied', created_at, created_at
       FROM orders WHERE status IN ('paid', 'processing', 'completed', 'refunded')`,
      [String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

export const marketplaceTables: SeedTable[] = [
  productsTable,
  productLicenses,
  cartsTable,
  cartItems,
  ordersTable,
  orderItems,
  productReviews,
  productFavorites,
  sellerPayouts,
  sellerPayoutAccounts,
  discountCodesTable,
  discountCodeUsage,
  transactions,
  paymentWebhookEvents,
];
