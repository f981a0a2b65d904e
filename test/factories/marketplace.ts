import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

const products: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'products', {
    seller_id: await parentId(o, 'seller_id', () => authFactories.users(sql)),
    name: `Beat ${token}`,
    slug: `beat-${token}`,
    description: 'A dusty boom-bap beat at 90 BPM.',
    category: 'beat',
    price: '19.99',
    ...o,
  });
};

const productLicenses: Factory = async (sql, o = {}) =>
  insertRow(sql, 'product_licenses', {
    product_id: await parentId(o, 'product_id', () => products(sql)),
    name: 'Basic lease',
    price: '29.99',
    terms: 'Non-exclusive use, up to 5,000 streams.',
    ...o,
  });

const carts: Factory = async (sql, o = {}) =>
  insertRow(sql, 'carts', { user_id: await parentId(o, 'user_id', () => authFactories.users(sql)), ...o });

const orders: Factory = async (sql, o = {}) =>
  insertRow(sql, 'orders', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    order_number: `ORD-${uniqueToken()}`,
    subtotal: '19.99',
    tax_total: '4.00',
    total: '23.99',
    billing_email: `buyer_${uniqueToken()}@example.test`,
    ...o,
  });

const orderItems: Factory = async (sql, o = {}) => {
  // The line's seller is the product's seller, unless the product was given (it may not exist).
  const product = 'product_id' in o ? undefined : await products(sql);
  return insertRow(sql, 'order_items', {
    order_id: await parentId(o, 'order_id', () => orders(sql)),
    product_id: product ? product.id : o.product_id,
    product_name: product ? product.name : 'Some product',
    seller_id: await parentId(o, 'seller_id', async () =>
      product ? { id: product.seller_id } : authFactories.users(sql),
    ),
    price: '19.99',
    ...o,
  });
};

const sellerPayouts: Factory = async (sql, o = {}) =>
  insertRow(sql, 'seller_payouts', {
    seller_id: await parentId(o, 'seller_id', () => authFactories.users(sql)),
    payout_number: `PAY-${uniqueToken()}`,
    amount: '100.00',
    payout_method: 'stripe_connect',
    ...o,
  });

const discountCodes: Factory = (sql, o = {}) =>
  insertRow(sql, 'discount_codes', {
    code: `CODE${uniqueToken().toUpperCase()}`,
    discount_type: 'percentage',
    discount_value: '10.00',
    valid_from: new Date(),
    valid_until: inDays(30),
    ...o,
  });

export const marketplaceFactories = {
  products,
  product_licenses: productLicenses,
  carts,
  cart_items: async (sql, o = {}) =>
    insertRow(sql, 'cart_items', {
      cart_id: await parentId(o, 'cart_id', () => carts(sql)),
      product_id: await parentId(o, 'product_id', () => products(sql)),
      price: '19.99',
      ...o,
    }),
  orders,
  order_items: orderItems,
  product_reviews: async (sql, given = {}) => {
    // The reviewer bought the reviewed product, unless one of them was given (it may not exist).
    let o = given;
    if (!('order_item_id' in o || 'product_id' in o || 'user_id' in o)) {
      const order = await orders(sql);
      const item = await orderItems(sql, { order_id: order.id });
      o = { product_id: item.product_id, user_id: order.user_id, order_item_id: item.id, ...given };
    }
    return insertRow(sql, 'product_reviews', {
      product_id: await parentId(o, 'product_id', () => products(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      order_item_id: await parentId(o, 'order_item_id', () => orderItems(sql)),
      rating: 5,
      content: 'Clean mix, great sounds, easy to use.',
      ...o,
    });
  },
  product_favorites: async (sql, o = {}) =>
    insertRow(sql, 'product_favorites', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      product_id: await parentId(o, 'product_id', () => products(sql)),
      ...o,
    }),
  seller_payouts: sellerPayouts,
  seller_payout_accounts: async (sql, o = {}) =>
    insertRow(sql, 'seller_payout_accounts', {
      seller_id: await parentId(o, 'seller_id', () => authFactories.users(sql)),
      account_id: `acct_${uniqueToken().replace(/[^A-Za-z0-9]/g, '')}`,
      ...o,
    }),
  discount_codes: discountCodes,
  discount_code_usage: async (sql, o = {}) => {
    // The order is the user's own, unless the user was given (it may not exist).
    const userId = await parentId(o, 'user_id', () => authFactories.users(sql));
    const orderOwner = 'user_id' in o ? {} : { user_id: userId };
    return insertRow(sql, 'discount_code_usage', {
      discount_code_id: await parentId(o, 'discount_code_id', () => discountCodes(sql)),
      order_id: await parentId(o, 'order_id', () => orders(sql, orderOwner)),
      user_id: userId,
      discount_amount: '2.00',
      ...o,
    });
  },
  transactions: async (sql, given = {}) => {
    // A payment of an order by its buyer, unless either was given; payout_id stays NULL (nullable FK).
    let o = given;
    if (!('order_id' in o || 'user_id' in o)) {
      const order = await orders(sql);
      o = { order_id: order.id, user_id: order.user_id, ...given };
    }
    return insertRow(sql, 'transactions', {
      transaction_type: 'payment',
      amount: '23.99',
      provider: 'stripe',
      ...o,
    });
  },
  // Migration 0047 (ADR 0073): a processed provider webhook, about no order unless one is given.
  payment_webhook_events: (sql, o = {}) =>
    insertRow(sql, 'payment_webhook_events', {
      provider: 'stripe',
      event_id: `evt_${uniqueToken()}`,
      event_type: 'payment_intent.succeeded',
      outcome: 'applied',
      ...o,
    }),
} satisfies Record<string, Factory>;
