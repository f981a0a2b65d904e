// Products and licences over HTTP (issue 16 §1, 2; ADRs 0068, 0069): drafts, pricing, files, publishing, the
// public catalogue with its filters and keyset pages, the product page and its view count, moderation, licences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import {
  addLicense,
  as,
  draft,
  file,
  licenseBody,
  moderator,
  onSale,
  person,
  productState,
  USAGE_RIGHTS,
} from './products.test-support.ts';

const testApp = useTestApp();

test('a seller lists a product: draft, licence, publish; anyone sees it, views are counted', async () => {
  const seller = await person(testApp.current);
  const buyer = await person(testApp.current);
  const id = await draft(testApp.current, seller, { price: '19.5' });
  const mine = await as(testApp.current, seller)('GET', `/v1/products/${id}`);
  assert.equal(mine.statusCode, 200, mine.body);
  assert.equal(mine.json().status, 'draft');
  assert.equal(mine.json().price, '19.50', 'amounts are normalised to two decimals');
  assert.equal(mine.json().download_file_ids.length, 1, 'the seller sees the download files');
  assert.equal((await as(testApp.current, buyer)('GET', `/v1/products/${id}`)).statusCode, 404, 'a draft is hidden');
  assert.equal((await as(testApp.current, null)('GET', `/v1/products/${id}/licenses`)).statusCode, 404);

  const noLicense = await as(testApp.current, seller)('POST', `/v1/products/${id}/publish`);
  assert.equal(noLicense.statusCode, 409, noLicense.body);
  assert.equal(noLicense.json().code, 'PRODUCT_NOT_PUBLISHABLE');
  assert.ok(noLicense.json().errors.some((e: { field: string }) => e.field === 'licenses'));

  const licenseId = await addLicense(testApp.current, seller, id);
  const published = await as(testApp.current, seller)('POST', `/v1/products/${id}/publish`);
  assert.equal(published.statusCode, 200, published.body);
  assert.equal(published.json().status, 'active');
  assert.ok(published.json().published_at);

  const page = await as(testApp.current, null)('GET', `/v1/products/${id}`);
  assert.equal(page.statusCode, 200, page.body);
  assert.equal(page.json().download_file_ids, undefined, 'download files are private');
  assert.equal(page.json().favorited, false);
  assert.equal(page.json().view_count, 1);
  assert.deepEqual(
    page.json().licenses.map((l: { id: string; on_sale: boolean; currency: string }) => [l.id, l.on_sale, l.currency]),
    [[licenseId, true, 'USD']],
  );
  assert.deepEqual(page.json().licenses[0].usage_rights, USAGE_RIGHTS);
  await as(testApp.current, buyer)('GET', `/v1/products/${id}`);
  await as(testApp.current, seller)('GET', `/v1/products/${id}`);
  const [row] = await testApp.current.database.sql`SELECT view_count FROM products WHERE id = ${id}`;
  assert.equal(row?.view_count, 2, "the seller's own views do not count");

  const off = await as(testApp.current, seller)('POST', `/v1/products/${id}/unpublish`);
  assert.equal(off.json().status, 'inactive');
  assert.equal((await as(testApp.current, buyer)('GET', `/v1/products/${id}`)).statusCode, 404);
  const again = await as(testApp.current, seller)('POST', `/v1/products/${id}/publish`);
  assert.equal(again.json().published_at, published.json().published_at, 'republishing keeps its place');
});

test('pricing and bad input: a clear 4xx, nothing written', async () => {
  const seller = await person(testApp.current);
  const call = as(testApp.current, seller);
  const base = { name: 'Preset pack', category: 'preset', pricing_model: 'fixed', price: '5.00' };
  const cases: [Record<string, unknown>, number, string][] = [
    [{ price: '-1.00' }, 400, 'body.price'],
    [{ price: '1.005' }, 400, 'body.price'],
    [{ price: 'NaN' }, 400, 'body.price'],
    [{ price: 12.5 }, 400, 'body.price'],
    [{ price: '0.00' }, 400, 'body.price'],
    [{ pricing_model: 'free', price: '1.00' }, 400, 'body.price'],
    [{ pricing_model: 'pwyw', price: '5.00' }, 400, 'body.minimum_price'],
    [{ pricing_model: 'pwyw', price: '2.00', minimum_price: '3.00' }, 400, 'body.price'],
    [{ minimum_price: '1.00' }, 400, 'body.minimum_price'],
    [{ currency: 'JPY' }, 400, 'body.currency'],
    [{ category: 'course' }, 400, 'body.category'],
    [{ bpm: 1000 }, 400, 'body.bpm'],
    [{ musical_key: 'H#' }, 400, 'body.musical_key'],
    [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 400, 'body.tags'],
    [{ name: '   ' }, 400, 'body.name'],
    [{ status: 'active' }, 400, 'body.status'],
  ];
  for (const [patch, status, field] of cases) {
    const answer = await call('POST', '/v1/products', { ...base, ...patch });
    assert.equal(answer.statusCode, status, `${JSON.stringify(patch)}: ${answer.body}`);
    assert.ok(
      answer.json().errors?.some((e: { field: string }) => e.field.startsWith(field)),
      `${JSON.stringify(patch)}: ${answer.body}`,
    );
  }
  const pwyw = await call('POST', '/v1/products', {
    ...base,
    pricing_model: 'pwyw',
    price: '10',
    minimum_price: '2.5',
  });
  assert.equal(pwyw.statusCode, 201, pwyw.body);
  assert.deepEqual([pwyw.json().price, pwyw.json().minimum_price], ['10.00', '2.50']);
  const free = await call('POST', '/v1/products', { ...base, pricing_model: 'free', price: '0' });
  assert.equal(free.statusCode, 201, free.body);
  const paidLicense = await call('POST', `/v1/products/${free.json().id}/licenses`, licenseBody({ price: '1.00' }));
  assert.equal(paidLicense.statusCode, 400, 'the licences of a free product are free');

  // Files: someone else's, a deleted one, an image as preview.
  const other = await person(testApp.current);
  for (const [body, field] of [
    [{ preview_file_id: await file(testApp.current, other) }, 'body.preview_file_id'],
    [
      { download_file_ids: [await file(testApp.current, seller, { deleted_at: new Date() })] },
      'body.download_file_ids',
    ],
    [{ preview_file_id: await file(testApp.current, seller, { mime_type: 'image/png' }) }, 'body.preview_file_id'],
    [{ image_file_ids: [await file(testApp.current, seller)] }, 'body.image_file_ids'],
  ] as const) {
    const answer = await call('POST', '/v1/products', { ...base, ...body });
    assert.equal(answer.statusCode, 422, answer.body);
    assert.equal(answer.json().code, 'PRODUCT_FILE_UNUSABLE');
    assert.equal(answer.json().errors[0].field, field);
  }
  const [count] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM products WHERE seller_id = ${seller.id}`;
  assert.equal(count?.n, 2, 'only the two valid products were written');

  const taken = await call('POST', '/v1/products', { ...base, slug: pwyw.json().slug });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json().code, 'PRODUCT_SLUG_TAKEN');
});

test('publishing needs cleared, processed files; a product on sale keeps ready files only', async () => {
  const seller = await person(testApp.current);
  const pending = await file(testApp.current, seller, { metadata: {}, is_processed: false });
  const id = await draft(testApp.current, seller, { preview_file_id: pending });
  await addLicense(testApp.current, seller, id);
  const refused = await as(testApp.current, seller)('POST', `/v1/products/${id}/publish`);
  assert.equal(refused.statusCode, 409, refused.body);
  assert.deepEqual(
    refused.json().errors.map((e: { field: string; rule: string }) => [e.field, e.rule]),
    [['body.preview_file_id', 'processed']],
  );
  const before = await productState(testApp.current, id);
  assert.equal(before?.product.status, 'draft');

  const ready = await onSale(testApp.current, seller);
  const unscanned = await file(testApp.current, seller, { virus_scanned: false, virus_scan_result: null });
  const edit = await as(testApp.current, seller)('PATCH', `/v1/products/${ready.id}`, { preview_file_id: unscanned });
  // Outside production an unscanned file counts as cleared (files.bridge.ts): the edit passes the scan rule.
  assert.equal(edit.statusCode, 200, edit.body);
  const infected = await file(testApp.current, seller, { virus_scan_result: 'infected' });
  const bad = await as(testApp.current, seller)('PATCH', `/v1/products/${ready.id}`, { preview_file_id: infected });
  assert.equal(bad.statusCode, 409, bad.body);
  assert.equal(bad.json().code, 'PRODUCT_NOT_PUBLISHABLE');
});

test('the catalogue: filters and keyset pages over products on sale only', async () => {
  const seller = await person(testApp.current);
  const other = await person(testApp.current);
  const tag = `t${Date.now()}`;
  const made: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { id } = await onSale(testApp.current, seller, {
      price: `${10 + i}.00`,
      bpm: 80 + i * 10,
      tags: [tag, i % 2 === 0 ? 'even' : 'odd'],
      genre: i < 3 ? 'Trap' : 'Jazz',
      musical_key: i === 4 ? 'C#m' : 'Am',
      category: i === 0 ? 'sample' : 'beat',
    });
    made.push(id);
  }
  await draft(testApp.current, seller, { tags: [tag] }); // never listed
  await onSale(testApp.current, other, { tags: [tag] });
  const list = async (query: string) => {
    const answer = await as(testApp.current, null)('GET', `/v1/products?tag=${tag}&seller_id=${seller.id}${query}`);
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json<{ items: { id: string }[]; next_cursor: string | null }>();
  };
  assert.deepEqual(
    (await list('')).items.map((p) => p.id),
    [...made].reverse(),
    'newest first, drafts left out',
  );
  assert.deepEqual((await list('&genre=trap')).items.length, 3);
  assert.deepEqual(
    (await list('&min_price=11&max_price=12.00')).items.map((p) => p.id),
    [made[2], made[1]],
  );
  assert.deepEqual(
    (await list('&bpm_min=100')).items.map((p) => p.id),
    [made[4], made[3], made[2]],
  );
  assert.deepEqual(
    (await list('&key=C%23m')).items.map((p) => p.id),
    [made[4]],
  );
  assert.deepEqual(
    (await list('&category=sample')).items.map((p) => p.id),
    [made[0]],
  );
  assert.deepEqual(
    (await list('&tag=odd')).items.map((p) => p.id),
    [made[3], made[1]],
  );
  assert.deepEqual((await list('&currency=EUR')).items, []);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; next_cursor: string | null } = await list(
      `&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    seen.push(...page.items.map((p) => p.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...made].reverse(), 'pages of two cover everything once');
  for (const query of ['&min_price=1.005', '&bpm_min=-3', '&cursor=nope', '&category=x', '&limit=500']) {
    assert.equal((await as(testApp.current, null)('GET', `/v1/products?${query}`)).statusCode, 400, query);
  }
  const mine = await as(testApp.current, seller)('GET', '/v1/me/products?status=draft');
  assert.equal(mine.json().items.length, 1);
});

test('moderation: a moderator suspends, the seller cannot republish, the moderator lifts it', async () => {
  const seller = await person(testApp.current);
  const mod = await moderator(testApp.current);
  const buyer = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  const byUser = await as(testApp.current, buyer)('PUT', `/v1/products/${id}/suspension`, {});
  assert.equal(byUser.statusCode, 403);
  const bySeller = await as(testApp.current, seller)('PUT', `/v1/products/${id}/suspension`, {});
  assert.equal(bySeller.statusCode, 403);
  const noReason = await as(testApp.current, mod)('PUT', `/v1/products/${id}/suspension`, {});
  assert.equal(noReason.statusCode, 400, 'a suspension without a reason is refused');
  const suspended = await as(testApp.current, mod)('PUT', `/v1/products/${id}/suspension`, { reason: 'Stolen' });
  assert.equal(suspended.statusCode, 200, suspended.body);
  assert.equal(suspended.json().status, 'suspended');
  assert.equal((await as(testApp.current, buyer)('GET', `/v1/products/${id}`)).statusCode, 404);
  assert.equal((await as(testApp.current, mod)('GET', `/v1/products/${id}`)).statusCode, 200);
  for (const action of ['publish', 'unpublish']) {
    const answer = await as(testApp.current, seller)('POST', `/v1/products/${id}/${action}`);
    assert.equal(answer.statusCode, 409, answer.body);
    assert.equal(answer.json().code, 'PRODUCT_SUSPENDED');
  }
  const lifted = await as(testApp.current, mod)('DELETE', `/v1/products/${id}/suspension`);
  assert.equal(lifted.json().status, 'inactive');
  const twice = await as(testApp.current, mod)('DELETE', `/v1/products/${id}/suspension?reason=Again`);
  assert.equal(twice.statusCode, 409);
  assert.equal((await as(testApp.current, seller)('POST', `/v1/products/${id}/publish`)).json().status, 'active');
  const log = await testApp.current.database.sql`
    SELECT action_type, reason, target_user_id, moderator_id FROM moderation_actions
    WHERE entity_type = 'product' AND entity_id = ${id} ORDER BY created_at, action_type DESC`;
  assert.deepEqual(
    log.map((row) => [row.action_type, row.reason, row.target_user_id, row.moderator_id]),
    [
      ['hide_content', 'Stolen', seller.id, mod.id],
      ['restore', 'Suspension lifted', seller.id, mod.id],
    ],
    'each act is logged once with its reason, the refused and repeated ones not at all',
  );
});

test('licences: usage rights validated, limits kept above sales, the last one on sale stays', async () => {
  const seller = await person(testApp.current);
  const { id, licenseId } = await onSale(testApp.current, seller);
  const call = as(testApp.current, seller);
  const bad = [
    { usage_rights: { ...USAGE_RIGHTS, commercial_use: 'yes' } },
    { usage_rights: { ...USAGE_RIGHTS, territory: ['France'] } },
    { usage_rights: { ...USAGE_RIGHTS, unknown: true } },
    { usage_rights: { commercial_use: true } },
    { distribution_limit: 0 },
    { price: '1.999' },
  ];
  for (const patch of bad) {
    const answer = await call('POST', `/v1/products/${id}/licenses`, licenseBody(patch));
    assert.equal(answer.statusCode, 400, `${JSON.stringify(patch)}: ${answer.body}`);
  }
  const last = await call('DELETE', `/v1/products/${id}/licenses/${licenseId}`);
  assert.equal(last.statusCode, 409);
  assert.equal(last.json().code, 'LICENSE_LAST_ON_SALE');

  await testApp.current.database.sql`UPDATE product_licenses SET units_sold = 3 WHERE id = ${licenseId}`;
  const below = await call('PATCH', `/v1/products/${id}/licenses/${licenseId}`, { distribution_limit: 2 });
  assert.equal(below.statusCode, 409, below.body);
  assert.equal(below.json().code, 'LICENSE_LIMIT_BELOW_SALES');
  const exclusive = await call('PATCH', `/v1/products/${id}/licenses/${licenseId}`, { is_exclusive: true });
  assert.equal(exclusive.statusCode, 409);
  const limited = await call('PATCH', `/v1/products/${id}/licenses/${licenseId}`, { distribution_limit: 3 });
  assert.equal(limited.statusCode, 200, limited.body);
  assert.deepEqual([limited.json().units_available, limited.json().on_sale], [0, false]);

  const premium = await addLicense(testApp.current, seller, id, { name: 'Premium', price: '99' });
  assert.equal((await call('DELETE', `/v1/products/${id}/licenses/${licenseId}`)).statusCode, 204);
  const listed = await as(testApp.current, null)('GET', `/v1/products/${id}/licenses`);
  assert.deepEqual(
    listed.json().map((l: { id: string; price: string }) => [l.id, l.price]),
    [[premium, '99.00']],
  );
  const gone = await call('PATCH', `/v1/products/${id}/licenses/${licenseId}`, { name: 'x' });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json().code, 'LICENSE_NOT_FOUND');

  // After an exclusive sale nothing can be offered or republished.
  await testApp.current.database.sql`
    UPDATE product_licenses SET is_exclusive = true, units_sold = 1 WHERE id = ${premium}`;
  const more = await call('POST', `/v1/products/${id}/licenses`, licenseBody());
  assert.equal(more.json().code, 'PRODUCT_SOLD_EXCLUSIVELY');
});

test('deleting a product hides it from everyone, its seller included', async () => {
  const seller = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  assert.equal((await as(testApp.current, seller)('DELETE', `/v1/products/${id}`)).statusCode, 204);
  assert.equal((await as(testApp.current, seller)('GET', `/v1/products/${id}`)).statusCode, 404);
  assert.equal((await as(testApp.current, seller)('DELETE', `/v1/products/${id}`)).statusCode, 404);
  const [row] = await testApp.current.database.sql`SELECT deleted_at FROM products WHERE id = ${id}`;
  assert.ok(row?.deleted_at instanceof Date, 'soft-deleted: order lines may still point at it');
});
