// Reviews (issue 16 §9): a buyer of a paid order line reviews once, the seller answers once, figures stay exact
// under concurrent reviews; no purchase, a refunded one or someone else's line is refused, nothing written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, onSale, person, type Person } from './products.test-support.ts';

const testApp = useTestApp();

/** A paid (or other status) order of `buyer` with one line of the product; answers the line's id. */
async function bought(buyer: Person, productId: string, sellerId: string, status = 'paid'): Promise<string> {
  const { sql } = testApp.current.database;
  const order = await allFactories.orders!(sql, { user_id: buyer.id, status });
  const line = await allFactories.order_items!(sql, { order_id: order.id, product_id: productId, seller_id: sellerId });
  return String(line.id);
}

const review = (orderItemId: string, rating = 4) => ({
  order_item_id: orderItemId,
  rating,
  content: 'Great drums, clean mix.',
});

test('a buyer reviews once, the seller answers once; refusals write nothing', async () => {
  const seller = await person(testApp.current);
  const buyer = await person(testApp.current);
  const stranger = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  const line = await bought(buyer, id, seller.id);
  const refunded = await bought(buyer, id, seller.id, 'refunded');

  const refusals: [Person, Record<string, unknown>, number, string][] = [
    [stranger, review(line), 403, 'REVIEW_NOT_PURCHASED'],
    [buyer, review(refunded), 403, 'REVIEW_NOT_PURCHASED'],
    [buyer, { ...review(line), rating: 6 }, 400, 'VALIDATION_FAILED'],
    [buyer, { ...review(line), content: 'too short' }, 400, 'VALIDATION_FAILED'],
    [buyer, { ...review(line), content: 'x'.repeat(2001) }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [who, body, status, code] of refusals) {
    const answer = await as(testApp.current, who)('POST', `/v1/products/${id}/reviews`, body);
    assert.equal(answer.statusCode, status, `${JSON.stringify(body)}: ${answer.body}`);
    assert.equal(answer.json().code, code);
  }
  const created = await as(testApp.current, buyer)('POST', `/v1/products/${id}/reviews`, review(line, 5));
  assert.equal(created.statusCode, 201, created.body);
  const again = await as(testApp.current, buyer)('POST', `/v1/products/${id}/reviews`, review(line, 1));
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, 'REVIEW_ALREADY_EXISTS');

  const reviewId = created.json().id;
  const byBuyer = await as(testApp.current, buyer)('PUT', `/v1/products/${id}/reviews/${reviewId}/response`, {
    response: 'Thanks!',
  });
  assert.equal(byBuyer.statusCode, 403);
  const answered = await as(testApp.current, seller)('PUT', `/v1/products/${id}/reviews/${reviewId}/response`, {
    response: 'Thanks for the kind words.',
  });
  assert.equal(answered.statusCode, 200, answered.body);
  assert.ok(answered.json().seller_responded_at);
  const twice = await as(testApp.current, seller)('PUT', `/v1/products/${id}/reviews/${reviewId}/response`, {
    response: 'Edited',
  });
  assert.equal(twice.json().code, 'REVIEW_ALREADY_ANSWERED');

  const page = await as(testApp.current, null)('GET', `/v1/products/${id}`);
  assert.deepEqual([page.json().review_count, page.json().average_rating], [1, '5.00']);
  const [count] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM product_reviews WHERE product_id = ${id}`;
  assert.equal(count?.n, 1);

  assert.equal(
    (await as(testApp.current, stranger)('DELETE', `/v1/products/${id}/reviews/${reviewId}`)).statusCode,
    404,
  );
  assert.equal((await as(testApp.current, buyer)('DELETE', `/v1/products/${id}/reviews/${reviewId}`)).statusCode, 204);
  const after = await as(testApp.current, null)('GET', `/v1/products/${id}`);
  assert.deepEqual([after.json().review_count, after.json().average_rating], [0, '0.00']);
});

test('20 buyers reviewing at once: review_count and average_rating are exact', async () => {
  const seller = await person(testApp.current);
  const { id } = await onSale(testApp.current, seller);
  const buyers = await Promise.all(Array.from({ length: 20 }, () => person(testApp.current)));
  const lines = await Promise.all(buyers.map((b) => bought(b, id, seller.id)));
  const answers = await Promise.all(
    buyers.map((b, i) => as(testApp.current, b)('POST', `/v1/products/${id}/reviews`, review(lines[i]!, (i % 5) + 1))),
  );
  assert.ok(
    answers.every((a) => a.statusCode === 201),
    answers.map((a) => a.body).join('\n'),
  );
  const [row] = await testApp.current.database.sql`SELECT review_count, average_rating FROM products WHERE id = ${id}`;
  assert.deepEqual([row?.review_count, row?.average_rating], [20, '3.00']);
  const listed = await as(testApp.current, null)('GET', `/v1/products/${id}/reviews?limit=100`);
  assert.equal(listed.json().items.length, 20);
});
