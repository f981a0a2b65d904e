// Who may call each catalogue route (issue 16: "the BOLA matrix covers every new route"). The routes come from
// /openapi.json (tags `products`, `licenses`, `favorites`), so a route added later is covered without touching this
// file: anonymous callers get 401 from every secured route; a stranger gets 404 PRODUCT_NOT_FOUND from every route
// naming someone's draft; a buyer gets 403 from every seller route of a product on sale; and nothing changes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes, type DocumentedRoute } from '../../../test/helpers/documented-routes.ts';
import {
  addLicense,
  draft,
  file,
  licenseBody,
  onSale,
  person,
  productState,
  type Person,
} from './products.test-support.ts';

const testApp = useTestApp();
const catalogueRoutes = () => documentedRoutes(testApp.current.app, 'products', 'licenses', 'favorites', 'reviews');

/** A seller's draft (with a licence and an image) and a product on sale. */
async function world() {
  const seller = await person(testApp.current);
  const image = await file(testApp.current, seller, { mime_type: 'image/png' });
  const draftId = await draft(testApp.current, seller, { image_file_ids: [image] });
  const draftLicense = await addLicense(testApp.current, seller, draftId);
  const live = await onSale(testApp.current, seller, { image_file_ids: [image] });
  return { seller, image, draftId, draftLicense, live };
}
type World = Awaited<ReturnType<typeof world>>;

function requestFor(route: DocumentedRoute, productId: string, licenseId: string, w: World, caller: Person | null) {
  const url = route.path
    .replace('{id}', productId)
    .replace('{license_id}', licenseId)
    .replace('{file_id}', w.image)
    .replace('{review_id}', randomUUID());
  const bodies: Record<string, unknown> = {
    'POST /v1/products': { name: 'Mine', category: 'beat', pricing_model: 'fixed', price: '1.00' },
    'PATCH /v1/products/{id}': { name: 'Taken over', price: '0.01' },
    'PUT /v1/products/{id}/suspension': {},
    'POST /v1/products/{id}/licenses': licenseBody({ price: '0.01' }),
    'PATCH /v1/products/{id}/licenses/{license_id}': { price: '0.01' },
    'POST /v1/products/{id}/reviews': { order_item_id: randomUUID(), rating: 1, content: 'Intrusive review text' },
    'PUT /v1/products/{id}/reviews/{review_id}/response': { response: 'Intrusion' },
  };
  const payload = bodies[route.key];
  return {
    method: route.method as 'GET',
    url,
    headers: caller ? { authorization: caller.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  };
}

test('the catalogue routes: secured ones need a token, public ones are the reads', async () => {
  const routes = (await catalogueRoutes()).filter((r) => r.method !== 'HEAD');
  assert.ok(routes.length >= 19, routes.map((r) => r.key).join('\n'));
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .sort(),
    [
      'GET /v1/products',
      'GET /v1/products/{id}',
      'GET /v1/products/{id}/images/{file_id}',
      'GET /v1/products/{id}/licenses',
      'GET /v1/products/{id}/preview',
      'GET /v1/products/{id}/reviews',
    ],
  );
});

test('an anonymous caller gets 401 from every secured route, and nothing changes', async () => {
  const w = await world();
  const before = await productState(testApp.current, w.live.id);
  for (const route of (await catalogueRoutes()).filter((r) => r.secured)) {
    const answer = await testApp.current.app.inject(requestFor(route, w.live.id, w.live.licenseId, w, null));
    assert.equal(answer.statusCode, 401, `${route.key}: ${answer.body}`);
  }
  assert.deepEqual(await productState(testApp.current, w.live.id), before);
});

test('BOLA: a stranger reaches nothing of a draft by any route (404), and changes nothing', async () => {
  const w = await world();
  const stranger = await person(testApp.current);
  const before = await productState(testApp.current, w.draftId);
  const named = (await catalogueRoutes()).filter((r) => r.path.includes('{id}') && !r.path.endsWith('/suspension'));
  assert.ok(named.length >= 14, named.map((r) => r.key).join('\n'));
  for (const route of named) {
    const answer = await testApp.current.app.inject(requestFor(route, w.draftId, w.draftLicense, w, stranger));
    assert.equal(answer.statusCode, 404, `${route.key}: ${answer.statusCode} ${answer.body}`);
    // Withdrawing a review names the review: one the caller did not write is not found, whatever the product.
    const code =
      route.key === 'DELETE /v1/products/{id}/reviews/{review_id}' ? 'REVIEW_NOT_FOUND' : 'PRODUCT_NOT_FOUND';
    if (route.method !== 'HEAD') assert.equal(answer.json().code, code, route.key);
  }
  // Suspension routes are for moderators: 403 before anything is looked up.
  for (const route of (await catalogueRoutes()).filter((r) => r.path.endsWith('/suspension'))) {
    const answer = await testApp.current.app.inject(requestFor(route, w.draftId, w.draftLicense, w, stranger));
    assert.equal(answer.statusCode, 403, route.key);
  }
  const listed = await testApp.current.app.inject({ method: 'GET', url: `/v1/products?seller_id=${w.seller.id}` });
  assert.deepEqual(
    listed.json().items.map((p: { id: string }) => p.id),
    [w.live.id],
    'the catalogue shows the product on sale only',
  );
  assert.deepEqual(await productState(testApp.current, w.draftId), before, 'the draft is untouched');
});

test('a buyer gets 403 from every seller route of a product on sale, and changes nothing', async () => {
  const w = await world();
  const buyer = await person(testApp.current);
  const sellerRoutes = [
    'PATCH /v1/products/{id}',
    'DELETE /v1/products/{id}',
    'POST /v1/products/{id}/publish',
    'POST /v1/products/{id}/unpublish',
    'PUT /v1/products/{id}/suspension',
    'DELETE /v1/products/{id}/suspension',
    'POST /v1/products/{id}/licenses',
    'PATCH /v1/products/{id}/licenses/{license_id}',
    'DELETE /v1/products/{id}/licenses/{license_id}',
  ];
  const routes = (await catalogueRoutes()).filter((r) => sellerRoutes.includes(r.key));
  assert.equal(routes.length, sellerRoutes.length);
  const { sql } = testApp.current.database;
  const [views] = await sql`SELECT view_count FROM products WHERE id = ${w.live.id}`;
  const before = await productState(testApp.current, w.live.id);
  for (const route of routes) {
    const answer = await testApp.current.app.inject(requestFor(route, w.live.id, w.live.licenseId, w, buyer));
    assert.equal(answer.statusCode, 403, `${route.key}: ${answer.statusCode} ${answer.body}`);
  }
  const after = await productState(testApp.current, w.live.id);
  assert.equal(after?.product.view_count, views?.view_count);
  assert.deepEqual(after, before);
  // A licence of another product named under this one is not found, even for the seller.
  const other = await draft(testApp.current, w.seller);
  const foreign = await testApp.current.app.inject({
    method: 'PATCH',
    url: `/v1/products/${other}/licenses/${w.live.licenseId}`,
    headers: { authorization: w.seller.authorization },
    payload: { name: 'moved' },
  });
  assert.equal(foreign.statusCode, 404);
  assert.equal(foreign.json().code, 'LICENSE_NOT_FOUND');
});
