// Shared by the delivery tests: a product whose download is a real stored file, bought with the manual provider
// and confirmed by staff, and a client for the delivery routes.
import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/helpers/app.ts';
import { storedFile, type StoredFile } from '../files/files.test-support.ts';
import type { LocalObjectStorage } from '../files/storage/object-storage.ts';
import { moneyClient, newPerson, type OrderBody, type Person } from './checkout.test-support.ts';
import { onSale } from './products.test-support.ts';

export interface Bought {
  seller: Person;
  buyer: Person;
  admin: Person;
  download: StoredFile;
  productId: string;
  licenseId: string;
  order: OrderBody;
  lineId: string;
}

/** A seller's product with one stored download, checked out by a buyer; paid unless `pay` is false. */
export async function bought(t: TestApp, storage: LocalObjectStorage, pay = true): Promise<Bought> {
  const [seller, buyer, admin] = [await newPerson(t), await newPerson(t), await newPerson(t, 'admin')];
  const download = await storedFile(t.database.sql, storage, {
    user_id: seller.id,
    mime_type: 'audio/wav',
    original_filename: 'dusty-beat.wav',
  });
  const product = await onSale(t, seller, { download_file_ids: [download.id], currency: 'EUR', price: '19.99' });
  const asBuyer = moneyClient(t, buyer);
  const added = await asBuyer.add({ product_id: product.id, license_id: product.licenseId });
  assert.equal(added.statusCode, 201, added.body);
  const checkout = await asBuyer.checkout({ billing_email: 'buyer@example.test' });
  assert.equal(checkout.statusCode, 201, checkout.body);
  const order = checkout.json<OrderBody>();
  if (pay) {
    const confirmed = await moneyClient(t, admin).confirm(order.id);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
  }
  return {
    seller,
    buyer,
    admin,
    download,
    productId: product.id,
    licenseId: product.licenseId,
    order,
    lineId: order.items[0]!.id,
  };
}

export function deliveryClient(t: TestApp, person: Person | undefined) {
  const headers = person ? { authorization: person.authorization } : {};
  const inject = (method: 'GET' | 'POST' | 'HEAD', url: string, extra: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...headers, ...extra } });
  return {
    purchases: () => inject('GET', '/v1/me/purchases'),
    purchase: (id: string) => inject('GET', `/v1/me/purchases/${id}`),
    link: (id: string, fileId: string) => inject('POST', `/v1/me/purchases/${id}/files/${fileId}/link`),
    certificate: (id: string) => inject('GET', `/v1/me/purchases/${id}/certificate`),
    get: (url: string, extra: Record<string, string> = {}) => inject('GET', url, extra),
    head: (url: string) => inject('HEAD', url),
    verify: (key: string) => inject('GET', `/v1/licenses/verify?key=${encodeURIComponent(key)}`),
  };
}

export interface PurchaseBody {
  id: string;
  product_id: string;
  product_name: string;
  license_name: string | null;
  license_terms: string | null;
  usage_rights: Record<string, unknown> | null;
  license_key: string | null;
  access: 'active' | 'revoked';
  download_count: number;
  download_file_ids: string[];
  files?: { id: string; filename: string | null; available: boolean }[];
}
