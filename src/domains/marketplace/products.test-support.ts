// Shared by the catalogue tests: sellers and buyers with tokens, files ready for sale, products and licences made
// through the API, published ones, and the product's rows for before/after comparisons.
import assert from 'node:assert/strict';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, person, type Call, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Call, type Person };

/** Someone whose account has the moderator role (the authenticator reads the role from the account). */
export async function moderator(testApp: TestApp): Promise<Person> {
  const who = await person(testApp);
  await testApp.database.sql`UPDATE users SET role = 'moderator' WHERE id = ${who.id}`;
  return who;
}

export const READY = {
  virus_scanned: true,
  virus_scan_result: 'clean',
  is_processed: true,
  metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
};

/** A file of `owner`: cleared and processed unless overridden. */
export async function file(testApp: TestApp, owner: Person, overrides: Record<string, unknown> = {}): Promise<string> {
  const row = await allFactories.files!(testApp.database.sql, { user_id: owner.id, ...READY, ...overrides });
  return String(row.id);
}

export const USAGE_RIGHTS = {
  commercial_use: true,
  streams_limit: 100_000,
  copies_limit: 2_000,
  music_videos_limit: 1,
  broadcast: false,
  live_performances: true,
  credit_required: true,
  territory: 'worldwide',
  term_months: null,
};

export const licenseBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Basic lease',
  price: '29.99',
  terms: 'Non-exclusive use, up to 100,000 streams.',
  usage_rights: USAGE_RIGHTS,
  ...overrides,
});

/** A draft made through the API by `seller` with a preview, a download and an image; answers its id. */
export async function draft(testApp: TestApp, seller: Person, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await as(testApp, seller)('POST', '/v1/products', {
    name: 'Dusty boom-bap beat',
    category: 'beat',
    pricing_model: 'fixed',
    price: '19.99',
    currency: 'USD',
    genre: 'Hip-Hop',
    bpm: 90,
    musical_key: 'Am',
    tags: ['boom-bap', 'dusty'],
    formats: ['WAV', 'MP3'],
    preview_file_id: await file(testApp, seller),
    download_file_ids: [await file(testApp, seller, { mime_type: 'audio/wav' })],
    image_file_ids: [await file(testApp, seller, { mime_type: 'image/png' })],
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** Adds a licence through the API; answers its id. */
export async function addLicense(
  testApp: TestApp,
  seller: Person,
  productId: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const answer = await as(testApp, seller)('POST', `/v1/products/${productId}/licenses`, licenseBody(body));
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** A product on sale: a draft with one licence, published. Answers the product and licence ids. */
export async function onSale(testApp: TestApp, seller: Person, body: Record<string, unknown> = {}) {
  const id = await draft(testApp, seller, body);
  const licenseId = await addLicense(testApp, seller, id);
  const published = await as(testApp, seller)('POST', `/v1/products/${id}/publish`);
  assert.equal(published.statusCode, 200, published.body);
  return { id, licenseId };
}

/** The product row and its licences as stored, to compare before and after a refused request. */
export async function productState(testApp: TestApp, productId: string) {
  const { sql } = testApp.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(p) FROM products p WHERE id = ${productId}) AS product,
           (SELECT json_agg(l ORDER BY id) FROM product_licenses l WHERE product_id = ${productId}) AS licenses,
           (SELECT count(*)::int FROM product_favorites WHERE product_id = ${productId}) AS favorites`;
  return state;
}
