// Favourites (issue 16 §9): saving is idempotent, only products one may see, the list pages by keyset, and
// favorite_count stays exact under concurrent saves and removals (the trigger of migration 0016).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, draft, onSale, person } from './products.test-support.ts';

const testApp = useTestApp();

test('save, save again, list, unsave: one row, exact count; hidden products cannot be saved', async () => {
  const seller = await person(testApp.current);
  const fan = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  const call = as(testApp.current, fan);
  for (let i = 0; i < 2; i++) {
    const saved = await call('PUT', `/v1/products/${id}/favorite`);
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json(), { product_id: id, favorited: true, favorite_count: 1 });
  }
  assert.equal((await call('GET', `/v1/products/${id}`)).json().favorited, true);
  const list = await call('GET', '/v1/me/favorites');
  assert.deepEqual(
    list.json().items.map((f: { product: { id: string } }) => f.product.id),
    [id],
  );
  const removed = await call('DELETE', `/v1/products/${id}/favorite`);
  assert.deepEqual(removed.json(), { product_id: id, favorited: false, favorite_count: 0 });
  assert.equal((await call('DELETE', `/v1/products/${id}/favorite`)).json().favorite_count, 0);

  const hidden = await draft(testApp.current, seller);
  const refused = await call('PUT', `/v1/products/${hidden}/favorite`);
  assert.equal(refused.statusCode, 404);
  assert.equal(refused.json().code, 'PRODUCT_NOT_FOUND');
  assert.equal((await as(testApp.current, null)('PUT', `/v1/products/${id}/favorite`)).statusCode, 401);
});

test('the favourites list pages newest first and drops products taken off sale', async () => {
  const seller = await person(testApp.current);
  const fan = await person(testApp.current);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { id } = await onSale(testApp.current, seller);
    await as(testApp.current, fan)('PUT', `/v1/products/${id}/favorite`);
    ids.push(id);
  }
  await as(testApp.current, seller)('POST', `/v1/products/${ids[1]}/unpublish`);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer = await as(testApp.current, fan)(
      'GET',
      `/v1/me/favorites?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(answer.statusCode, 200, answer.body);
    seen.push(...answer.json().items.map((f: { product: { id: string } }) => f.product.id));
    cursor = answer.json().next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [ids[4], ids[3], ids[2], ids[0]]);
});

test('30 fans saving at once, some twice, then half removing at once: favorite_count is exact', async () => {
  const seller = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  const fans = await Promise.all(Array.from({ length: 30 }, () => person(testApp.current)));
  const saves = await Promise.all(
    [...fans, ...fans.slice(0, 10)].map((fan) => as(testApp.current, fan)('PUT', `/v1/products/${id}/favorite`)),
  );
  assert.ok(
    saves.every((a) => a.statusCode === 200),
    saves.map((a) => a.body).join('\n'),
  );
  const count = async () => {
    const [row] = await testApp.current.database.sql`
      SELECT favorite_count, (SELECT count(*)::int FROM product_favorites WHERE product_id = ${id}) AS rows
        FROM products WHERE id = ${id}`;
    return [row?.favorite_count, row?.rows];
  };
  assert.deepEqual(await count(), [30, 30]);
  await Promise.all(fans.slice(0, 15).map((fan) => as(testApp.current, fan)('DELETE', `/v1/products/${id}/favorite`)));
  assert.deepEqual(await count(), [15, 15]);
});

test('a product saved while on sale can still be unsaved once hidden; others get a 404', async () => {
  const seller = await person(testApp.current);
  const fan = await person(testApp.current);
  const stranger = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  await as(testApp.current, fan)('PUT', `/v1/products/${id}/favorite`);
  await as(testApp.current, seller)('POST', `/v1/products/${id}/unpublish`);
  const other = await as(testApp.current, stranger)('DELETE', `/v1/products/${id}/favorite`);
  assert.equal(other.statusCode, 404);
  const mine = await as(testApp.current, fan)('DELETE', `/v1/products/${id}/favorite`);
  assert.equal(mine.statusCode, 200, mine.body);
  assert.equal(mine.json().favorite_count, 0);
});
