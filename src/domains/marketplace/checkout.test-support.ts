// Shared by the money-side tests: people with tokens (any role), a product on sale with licences, an HTTP client.
import { randomUUID } from 'node:crypto';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import type { Role } from '../../platform/http/caller.ts';

export interface Person {
  id: string;
  authorization: string;
}

export async function newPerson(testApp: TestApp, role: Role = 'user'): Promise<Person> {
  const user = await allFactories.users!(testApp.database.sql, { data_processing_consent: true, role });
  const { token } = await testApp.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version ?? 0),
    role,
  });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}

/** An active product of `seller` with one licence (exclusive, limited or open), in `currency`. */
export async function productOnSale(
  testApp: TestApp,
  seller: Person,
  options: {
    price?: string;
    currency?: string;
    exclusive?: boolean;
    limit?: number | null;
    pricingModel?: 'fixed' | 'pwyw' | 'free';
    minimum?: string | null;
  } = {},
): Promise<{ productId: string; licenseId: string }> {
  const sql = testApp.database.sql;
  const product = await allFactories.products!(sql, {
    seller_id: seller.id,
    status: 'active',
    published_at: new Date(),
    currency: options.currency ?? 'EUR',
    price: options.price ?? '19.99',
    pricing_model: options.pricingModel ?? 'fixed',
    minimum_price: options.minimum ?? null,
  });
  const license = await allFactories.product_licenses!(sql, {
    product_id: product.id,
    price: options.price ?? '19.99',
    is_exclusive: options.exclusive ?? false,
    distribution_limit: options.limit ?? null,
  });
  return { productId: String(product.id), licenseId: String(license.id) };
}

export function moneyClient(testApp: TestApp, person: Person | undefined) {
  const headers = person ? { authorization: person.authorization } : {};
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, extra = {}) =>
    testApp.app.inject({
      method,
      url,
      headers: { ...headers, ...extra },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
  return {
    cart: () => inject('GET', '/v1/me/cart'),
    add: (body: unknown) => inject('POST', '/v1/me/cart/items', body),
    remove: (id: string) => inject('DELETE', `/v1/me/cart/items/${id}`),
    checkout: (body: unknown = { billing_email: 'buyer@example.test' }, key: string = randomUUID()) =>
      inject('POST', '/v1/me/checkout', body, { 'idempotency-key': key }),
    orders: (query = '') => inject('GET', `/v1/me/orders${query}`),
    order: (id: string) => inject('GET', `/v1/me/orders/${id}`),
    confirm: (id: string) => inject('POST', `/v1/admin/orders/${id}/confirm-payment`, undefined, {}),
    refund: (id: string) => inject('POST', `/v1/admin/orders/${id}/refund`),
    createCode: (body: unknown) => inject('POST', '/v1/me/discount-codes', body),
    createPlatformCode: (body: unknown) => inject('POST', '/v1/admin/discount-codes', body),
  };
}

export interface OrderBody {
  id: string;
  order_number: string;
  status: string;
  subtotal: string;
  discount_total: string;
  tax_total: string;
  total: string;
  currency: string;
  items: { id: string; price: string; seller_id: string; license_terms: string | null }[];
}

/** A seller whose 40.00 sale (a 34.00 share) was paid 20 days ago: out of a 14-day hold window, payable. */
export async function maturedSeller(testApp: TestApp): Promise<Person> {
  const [seller, buyer, admin] = [
    await newPerson(testApp),
    await newPerson(testApp),
    await newPerson(testApp, 'admin'),
  ];
  const p = await productOnSale(testApp, seller, { price: '40.00' });
  await moneyClient(testApp, buyer).add({ product_id: p.productId, license_id: p.licenseId });
  const order = (await moneyClient(testApp, buyer).checkout()).json<OrderBody>();
  const confirmed = await moneyClient(testApp, admin).confirm(order.id);
  if (confirmed.statusCode !== 200) throw new Error(`payment not confirmed: ${confirmed.body}`);
  const at = new Date(Date.now() - 20 * 86_400_000);
  await testApp.database.sql`UPDATE transactions SET created_at = ${at} WHERE order_id = ${order.id}`;
  await testApp.database.sql`UPDATE orders SET paid_at = ${at} WHERE id = ${order.id}`;
  return seller;
}
