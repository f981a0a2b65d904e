// Delivery over HTTP (issue 16 §8; ADRs 0075, 0076): a paid line gets a key and the buyer's downloads through
// short-lived signed links (counted once per download), a PDF certificate rendered by poppler, a public
// verification that names no buyer; strangers get 404; a refund revokes files, certificate and key.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { TEST_JWT_SECRET, useTestApp } from '../../../test/helpers/app.ts';
import { documentedRoutes } from '../../../test/helpers/documented-routes.ts';
import { testDataDir } from '../files/files.test-support.ts';
import { moneyClient, newPerson } from './checkout.test-support.ts';
import { bought, deliveryClient, type PurchaseBody } from './delivery.test-support.ts';
import { downloadPath, LICENSE_KEY_PATTERN, purchaseLinkSigner } from './delivery.service.ts';
import { USAGE_RIGHTS } from './products.test-support.ts';

const run = promisify(execFile);
const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

const linkOf = async (client: ReturnType<typeof deliveryClient>, lineId: string, fileId: string) => {
  const answer = await client.link(lineId, fileId);
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ url: string; expires_at: string }>();
};

const countOf = async (lineId: string) => {
  const [row] = await testApp.current.database.sql<{ download_count: number }[]>`
    SELECT download_count FROM order_items WHERE id = ${lineId}`;
  return row?.download_count;
};

test('the delivery routes are the ones designed; only the signed download and the verification need no token', async () => {
  const routes = await documentedRoutes(testApp.current.app, 'marketplace-purchases', 'marketplace-licenses');
  const keys = routes.map((r) => r.key).filter((key) => !key.startsWith('HEAD'));
  assert.deepEqual(keys.sort(), [
    'GET /v1/licenses/verify',
    'GET /v1/me/purchases',
    'GET /v1/me/purchases/{id}',
    'GET /v1/me/purchases/{id}/certificate',
    'GET /v1/purchases/{id}/files/{file_id}',
    'POST /v1/me/purchases/{id}/files/{file_id}/link',
  ]);
  assert.deepEqual(
    routes
      .filter((r) => !r.secured)
      .map((r) => r.key)
      .filter((key) => !key.startsWith('HEAD'))
      .sort(),
    ['GET /v1/licenses/verify', 'GET /v1/purchases/{id}/files/{file_id}'],
  );
  const { lineId, download } = await bought(testApp.current, storage);
  const anonymous = deliveryClient(testApp.current, undefined);
  for (const answer of [
    await anonymous.purchases(),
    await anonymous.purchase(lineId),
    await anonymous.link(lineId, download.id),
    await anonymous.certificate(lineId),
  ]) {
    assert.equal(answer.statusCode, 401, answer.body);
  }
});

test('paying keys the line, freezes its licence, and the buyer downloads through a link counted once per download', async () => {
  const t = testApp.current;
  const pending = await bought(t, storage, false);
  const [unpaid] = await t.database.sql<{ license_key: string | null }[]>`
    SELECT license_key FROM order_items WHERE id = ${pending.lineId}`;
  assert.equal(unpaid?.license_key, null, 'no key before payment');
  assert.equal((await deliveryClient(t, pending.buyer).purchase(pending.lineId)).statusCode, 404, 'unpaid: none');

  const { buyer, lineId, download, productId, licenseId, seller } = await bought(t, storage);
  const asBuyer = deliveryClient(t, buyer);
  const list = await asBuyer.purchases();
  assert.equal(list.statusCode, 200, list.body);
  const [item] = list.json<{ items: PurchaseBody[] }>().items;
  assert.ok(item);
  assert.equal(item.id, lineId);
  assert.equal(item.product_id, productId);
  assert.match(item.license_key ?? '', LICENSE_KEY_PATTERN);
  assert.equal(item.license_name, 'Basic lease');
  assert.deepEqual(item.usage_rights, USAGE_RIGHTS);
  assert.equal(item.access, 'active');
  assert.deepEqual(item.download_file_ids, [download.id]);

  // The licence is frozen: the seller's later edit changes what new buyers get, not this line.
  const edit = await t.app.inject({
    method: 'PATCH',
    url: `/v1/products/${productId}/licenses/${licenseId}`,
    headers: { authorization: seller.authorization },
    payload: { name: 'Renamed lease', usage_rights: { ...USAGE_RIGHTS, streams_limit: 5 } },
  });
  assert.equal(edit.statusCode, 200, edit.body);
  const detail = (await asBuyer.purchase(lineId)).json<PurchaseBody>();
  assert.equal(detail.license_name, 'Basic lease');
  assert.equal(detail.usage_rights?.streams_limit, 100_000);
  assert.deepEqual(detail.files, [
    {
      id: download.id,
      filename: 'dusty-beat.wav',
      mime_type: 'audio/wav',
      size: download.bytes.length,
      available: true,
    },
  ]);

  // A link downloads without a token; the whole file counts once, a resumed range and a HEAD do not.
  const link = await linkOf(asBuyer, lineId, download.id);
  assert.ok(Date.parse(link.expires_at) - Date.now() <= 300_000);
  const anonymous = deliveryClient(t, undefined);
  const full = await anonymous.get(link.url);
  assert.equal(full.statusCode, 200, full.body);
  assert.deepEqual(full.rawPayload, download.bytes);
  assert.match(String(full.headers['content-disposition']), /attachment.*dusty-beat\.wav/);
  assert.match(String(full.headers['cache-control']), /private/);
  assert.equal(await countOf(lineId), 1);
  const resumed = await anonymous.get(link.url, { range: 'bytes=1000-' });
  assert.equal(resumed.statusCode, 206);
  assert.deepEqual(resumed.rawPayload, download.bytes.subarray(1000));
  assert.equal((await anonymous.head(link.url)).statusCode, 200);
  assert.equal(await countOf(lineId), 1, 'a resumed range and a HEAD are the same download');
  const fromStart = await anonymous.get(link.url, { range: 'bytes=0-99' });
  assert.equal(fromStart.statusCode, 206);
  assert.equal(await countOf(lineId), 2, 'a new download from byte 0 counts');
  const again = await Promise.all([anonymous.get(link.url), anonymous.get(link.url), anonymous.get(link.url)]);
  assert.deepEqual(
    again.map((a) => a.statusCode),
    [200, 200, 200],
  );
  assert.equal(await countOf(lineId), 5, 'concurrent downloads each count exactly once');
  assert.equal((await asBuyer.purchase(lineId)).json<PurchaseBody>().download_count, 5);

  // Forged, foreign, expired links; a file the purchase does not include.
  const url = new URL(link.url, 'http://x');
  const forged = `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${'A'.repeat(43)}`;
  const bad = await anonymous.get(forged);
  assert.equal(bad.statusCode, 403);
  assert.equal(bad.json<{ code: string }>().code, 'DOWNLOAD_LINK_INVALID');
  const past = purchaseLinkSigner(TEST_JWT_SECRET).sign(`${lineId}/${download.id}`, new Date(Date.now() - 1000));
  const expired = await anonymous.get(
    `${downloadPath(lineId, download.id)}?expires=${past.expires}&signature=${past.signature}`,
  );
  assert.equal(expired.statusCode, 403, 'expired');
  const other = await bought(t, storage);
  const crossed = `${downloadPath(other.lineId, download.id)}?${url.searchParams.toString()}`;
  assert.equal((await anonymous.get(crossed)).statusCode, 403, 'a link signs one line and one file');
  const notBought = await asBuyer.link(lineId, other.download.id);
  assert.equal(notBought.statusCode, 404);
  assert.equal(notBought.json<{ code: string }>().code, 'PURCHASE_FILE_NOT_FOUND');
  assert.equal(await countOf(lineId), 5, 'refused requests count nothing');
});

test('every line of every paid order gets its own key', async () => {
  const keys = new Set<string>();
  for (let i = 0; i < 3; i += 1) {
    const { buyer } = await bought(testApp.current, storage);
    const [item] = (await deliveryClient(testApp.current, buyer).purchases()).json<{ items: PurchaseBody[] }>().items;
    keys.add(item?.license_key ?? '');
  }
  assert.equal(keys.size, 3);
  const [index] = await testApp.current.database.sql<{ indexdef: string }[]>`
    SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_order_items_license_key'`;
  assert.match(index?.indexdef ?? '', /UNIQUE INDEX .* \(license_key\) WHERE \(license_key IS NOT NULL\)/);
});

test('the certificate is a PDF that poppler renders, with the licence, the key and both names in their own scripts', async () => {
  const t = testApp.current;
  const { buyer, seller, lineId } = await bought(t, storage);
  // Cyrillic and Japanese names print as written, not "?": embedded fonts (ADR 0084). Arabic is not asserted:
  // pdfkit draws its letters but neither joins them nor orders them right to left (ADR 0084).
  await t.database.sql`UPDATE users SET display_name = 'Анна Петрова' WHERE id = ${buyer.id}`;
  await t.database.sql`UPDATE users SET display_name = '山田花子（やまだ）スタジオ' WHERE id = ${seller.id}`;
  const names = await t.database.sql<{ id: string; display_name: string | null; username: string }[]>`
    SELECT id, display_name, username FROM users WHERE id IN (${buyer.id}, ${seller.id})`;
  const nameOf = (id: string) => {
    const row = names.find((n) => n.id === id)!;
    return row.display_name ?? row.username;
  };
  const purchase = (await deliveryClient(t, buyer).purchase(lineId)).json<PurchaseBody>();
  const answer = await deliveryClient(t, buyer).certificate(lineId);
  assert.equal(answer.statusCode, 200, answer.body);
  assert.equal(answer.headers['content-type'], 'application/pdf');
  assert.equal(answer.rawPayload.subarray(0, 5).toString(), '%PDF-');

  const dir = await mkdtemp(join(tmpdir(), 'veza-certificate-'));
  const pdf = join(dir, 'certificate.pdf');
  await writeFile(pdf, answer.rawPayload);
  await run('pdftoppm', ['-r', '40', '-png', pdf, join(dir, 'page')]);
  const pages = (await readdir(dir)).filter((name) => name.endsWith('.png'));
  assert.equal(pages.length, 1, 'one page rendered');
  const { stdout } = await run('pdftotext', ['-layout', pdf, '-']);
  const text = stdout.replace(/\s+/g, ' ');
  for (const expected of [
    'Licence certificate',
    purchase.product_name,
    'Basic lease',
    purchase.license_key!,
    'Non-exclusive use, up to 100,000 streams.',
    'Streams: up to 100,000',
    'Commercial use: yes',
    'Territory: worldwide',
    `Licensor (seller): ${nameOf(seller.id)}`,
    `Licensee (buyer): ${nameOf(buyer.id)}`,
    'Issued on:',
  ]) {
    assert.ok(text.includes(expected), `${expected} in: ${text}`);
  }
});

test('the public verification answers about the licence, never about the buyer', async () => {
  const t = testApp.current;
  const { buyer, lineId, productId, order } = await bought(t, storage);
  const key = (await deliveryClient(t, buyer).purchase(lineId)).json<PurchaseBody>().license_key!;
  const anonymous = deliveryClient(t, undefined);
  const answer = await anonymous.verify(key);
  assert.equal(answer.statusCode, 200, answer.body);
  const body = answer.json<Record<string, unknown>>();
  assert.equal(body.valid, true);
  assert.equal(body.status, 'active');
  assert.deepEqual((body.product as { id: string }).id, productId);
  assert.equal((body.license as { name: string }).name, 'Basic lease');
  assert.deepEqual((body.license as { usage_rights: unknown }).usage_rights, USAGE_RIGHTS);
  assert.ok(typeof body.issued_at === 'string');
  const [who] = await t.database.sql<{ email: string; username: string }[]>`
    SELECT email, username FROM users WHERE id = ${buyer.id}`;
  for (const secret of [buyer.id, who!.email, who!.username, order.id, order.order_number, 'buyer@example.test'])
    assert.ok(!answer.body.includes(secret), `the answer leaks ${secret}`);

  // As people type it: lower case, spaces instead of dashes, O for 0.
  const typed = key.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o');
  assert.equal((await anonymous.verify(typed)).json<{ valid: boolean; key: string }>().key, key);

  // A well-formed key nobody holds: not valid, nothing else.
  const unknown = await anonymous.verify('VZL-00000-00000-00000-00000-00000-00000');
  assert.equal(unknown.statusCode, 200);
  assert.deepEqual(unknown.json(), {
    key: 'VZL-00000-00000-00000-00000-00000-00000',
    valid: false,
    status: 'unknown',
    product: null,
    license: null,
    issued_at: null,
    revoked_at: null,
  });

  // Not a key at all: 400 naming the field; no key at all: 400.
  for (const bad of ['VZL-123', 'hello', `${key}-AAAAA`, 'VZL-UUUUU-00000-00000-00000-00000-00000']) {
    const refused = await anonymous.verify(bad);
    assert.equal(refused.statusCode, 400, bad);
    const problem = refused.json<{ code: string; errors: { field: string; rule: string }[] }>();
    assert.equal(problem.code, 'LICENSE_KEY_MALFORMED');
    assert.deepEqual(
      problem.errors.map((e) => [e.field, e.rule]),
      [['query.key', 'format']],
    );
  }
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/licenses/verify' })).statusCode, 400);
});

test("another account never reaches a buyer's purchase: 404 like a missing one, and nothing is counted", async () => {
  const t = testApp.current;
  const { buyer, seller, lineId, download } = await bought(t, storage);
  const stranger = await newPerson(t);
  for (const who of [stranger, seller]) {
    const client = deliveryClient(t, who);
    for (const answer of [
      await client.purchase(lineId),
      await client.link(lineId, download.id),
      await client.certificate(lineId),
    ]) {
      assert.equal(answer.statusCode, 404, answer.body);
      assert.equal(answer.json<{ code: string }>().code, 'PURCHASE_NOT_FOUND');
    }
    assert.deepEqual((await client.purchases()).json<{ items: unknown[] }>().items, []);
  }
  const missing = await deliveryClient(t, stranger).purchase('00000000-0000-4000-8000-000000000000');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ code: string }>().code, 'PURCHASE_NOT_FOUND');
  assert.equal(await countOf(lineId), 0);
  assert.equal((await deliveryClient(t, buyer).purchase(lineId)).statusCode, 200);
});

test('a refund revokes the downloads (links already handed out included), the certificate and the key', async () => {
  const t = testApp.current;
  const { buyer, admin, lineId, download, order } = await bought(t, storage);
  const asBuyer = deliveryClient(t, buyer);
  const key = (await asBuyer.purchase(lineId)).json<PurchaseBody>().license_key!;
  const link = await linkOf(asBuyer, lineId, download.id);

  const refunded = await moneyClient(t, admin).refund(order.id);
  assert.equal(refunded.statusCode, 200, refunded.body);

  const [item] = (await asBuyer.purchases()).json<{ items: PurchaseBody[] }>().items;
  assert.equal(item?.access, 'revoked');
  assert.deepEqual(item?.download_file_ids, []);
  for (const answer of [
    await asBuyer.link(lineId, download.id),
    await asBuyer.certificate(lineId),
    await deliveryClient(t, undefined).get(link.url),
  ]) {
    assert.equal(answer.statusCode, 403, answer.body);
    assert.equal(answer.json<{ code: string }>().code, 'PURCHASE_REVOKED');
  }
  assert.equal(await countOf(lineId), 0);
  const verified = (await deliveryClient(t, undefined).verify(key)).json<Record<string, unknown>>();
  assert.equal(verified.valid, false);
  assert.equal(verified.status, 'revoked');
  assert.ok(typeof verified.revoked_at === 'string');
});
