// Delivery of a file's bytes over HTTP (issue 12 §5), the same for every storage backend: ranges checked byte for
// byte against the stored source, conditional requests, who may read (owner, public, signed link; never others,
// never quarantined). delivery.test.ts runs it on the local disk, delivery.s3.test.ts on a loopback S3 server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { storedFile } from './files.test-support.ts';
import type { ObjectStorage } from './storage/object-storage.ts';

export interface DeliverySuite {
  readonly current: TestApp;
}

export function deliveryContract(backend: string, testApp: DeliverySuite, storageOf: () => ObjectStorage): void {
  const SIZE = 1_000_003; // odd, so no range lines up with a power of two by luck

  async function bearerOf(userId: string): Promise<string> {
    const { token } = await testApp.current.accessTokens.issue({ userId, tokenVersion: 0, role: 'user' });
    return `Bearer ${token}`;
  }

  async function stranger(): Promise<string> {
    const user = await allFactories.users!(testApp.current.database.sql);
    return bearerOf(String(user.id));
  }

  test(`${backend}: ranges return exactly the requested bytes of the stored source`, async () => {
    const { app, database } = testApp.current;
    const source = randomBytes(SIZE);
    const file = await storedFile(database.sql, storageOf(), { mime_type: 'audio/mpeg' }, source);
    const authorization = await bearerOf(file.userId);
    const url = `/v1/files/${file.id}/content`;

    const whole = await app.inject({ method: 'GET', url, headers: { authorization } });
    assert.equal(whole.statusCode, 200);
    assert.ok(whole.rawPayload.equals(source), 'the whole file');
    assert.equal(whole.headers['content-length'], String(SIZE));
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers.etag, `"${file.sha256}"`);
    assert.equal(whole.headers['content-type'], 'audio/mpeg');
    assert.match(String(whole.headers['content-disposition']), /^inline; /);
    assert.ok(whole.headers['last-modified']);

    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=4096-8191', 4096, 8191],
      ['bytes=999000-', 999_000, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      ['bytes=-2000000', 0, SIZE - 1],
      ['bytes=1000000-99999999', 1_000_000, SIZE - 1],
      [`bytes=${SIZE - 1}-${SIZE - 1}`, SIZE - 1, SIZE - 1],
    ];
    for (const [range, start, end] of cases) {
      const partial = await app.inject({ method: 'GET', url, headers: { authorization, range } });
      assert.equal(partial.statusCode, 206, range);
      assert.equal(partial.headers['content-range'], `bytes ${start}-${end}/${SIZE}`, range);
      assert.equal(partial.headers['content-length'], String(end - start + 1), range);
      assert.ok(partial.rawPayload.equals(source.subarray(start, end + 1)), `${range}: the same bytes`);
    }

    // Past the end: 416 naming the size; several ranges or a foreign unit: the whole file (single-range policy).
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0']) {
      const refused = await app.inject({ method: 'GET', url, headers: { authorization, range } });
      assert.equal(refused.statusCode, 416, range);
      assert.equal(refused.headers['content-range'], `bytes */${SIZE}`);
      assert.equal(refused.json<{ code: string }>().code, 'RANGE_NOT_SATISFIABLE');
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    }
    for (const range of ['bytes=0-9,20-29', 'items=0-1', 'bytes=abc', 'bytes=9-2']) {
      const ignored = await app.inject({ method: 'GET', url, headers: { authorization, range } });
      assert.equal(ignored.statusCode, 200, range);
      assert.ok(ignored.rawPayload.equals(source), range);
    }
  });

  test(`${backend}: ETag, If-None-Match, If-Range and HEAD`, async () => {
    const { app, database } = testApp.current;
    const file = await storedFile(database.sql, storageOf());
    const authorization = await bearerOf(file.userId);
    const url = `/v1/files/${file.id}/content`;
    const etag = `"${file.sha256}"`;

    const fresh = await app.inject({ method: 'GET', url, headers: { authorization, 'if-none-match': etag } });
    assert.equal(fresh.statusCode, 304);
    assert.equal(fresh.rawPayload.length, 0);
    const listed = await app.inject({
      method: 'GET',
      url,
      headers: { authorization, 'if-none-match': `"x", W/${etag}` },
    });
    assert.equal(listed.statusCode, 304, 'weak comparison for If-None-Match');
    const changed = await app.inject({ method: 'GET', url, headers: { authorization, 'if-none-match': '"other"' } });
    assert.equal(changed.statusCode, 200);

    const same = await app.inject({
      method: 'GET',
      url,
      headers: { authorization, range: 'bytes=10-19', 'if-range': etag },
    });
    assert.equal(same.statusCode, 206);
    assert.ok(same.rawPayload.equals(file.bytes.subarray(10, 20)));
    const stale = await app.inject({
      method: 'GET',
      url,
      headers: { authorization, range: 'bytes=10-19', 'if-range': '"an-older-version"' },
    });
    assert.equal(stale.statusCode, 200, 'a stale If-Range gets the whole file');
    assert.ok(stale.rawPayload.equals(file.bytes));

    const head = await app.inject({ method: 'HEAD', url, headers: { authorization, range: 'bytes=0-9' } });
    assert.equal(head.statusCode, 206);
    assert.equal(head.headers['content-range'], `bytes 0-9/${file.bytes.length}`);
    assert.equal(head.headers.etag, etag);
    assert.equal(head.headers['content-length'], '10', 'HEAD announces the length GET would send');
    assert.equal(head.rawPayload.length, 0);
  });

  test(`${backend}: private files are refused to others; public ones are anyone’s; quarantine is never served`, async () => {
    const { app, database } = testApp.current;
    const other = await stranger();
    const privateFile = await storedFile(database.sql, storageOf());
    const url = (id: string) => `/v1/files/${id}/content`;

    for (const authorization of [other, undefined]) {
      const refused = await app.inject({
        method: 'GET',
        url: url(privateFile.id),
        headers: authorization ? { authorization } : {},
      });
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json<{ code: string }>().code, 'FILE_NOT_FOUND');
      const head = await app.inject({
        method: 'HEAD',
        url: url(privateFile.id),
        headers: authorization ? { authorization } : {},
      });
      assert.equal(head.statusCode, 404);
    }
    const missing = await app.inject({ method: 'GET', url: url('00000000-0000-4000-8000-000000000000') });
    assert.equal(missing.statusCode, 404, 'a missing file reads the same');

    const publicFile = await storedFile(database.sql, storageOf(), { is_public: true });
    const anonymous = await app.inject({ method: 'GET', url: url(publicFile.id) });
    assert.equal(anonymous.statusCode, 200);
    assert.ok(anonymous.rawPayload.equals(publicFile.bytes));
    assert.equal(anonymous.headers['cache-control'], 'public, max-age=300');
    assert.equal(anonymous.headers['cross-origin-resource-policy'], 'cross-origin');

    const infected = await storedFile(database.sql, storageOf(), {
      is_public: true,
      virus_scan_result: 'infected:Eicar-Test-Signature',
    });
    const toOwner = await app.inject({
      method: 'GET',
      url: url(infected.id),
      headers: { authorization: await bearerOf(infected.userId) },
    });
    assert.equal(toOwner.statusCode, 403, 'the owner learns why');
    assert.match(toOwner.json<{ detail: string }>().detail, /quarantined/);
    const toOthers = await app.inject({ method: 'GET', url: url(infected.id), headers: { authorization: other } });
    assert.equal(toOthers.statusCode, 404);
  });

  test(`${backend}: markup and unknown types go as attachments, never sniffed`, async () => {
    const { app, database } = testApp.current;
    for (const mime_type of ['text/html', 'image/svg+xml', 'application/zip']) {
      const file = await storedFile(
        database.sql,
        storageOf(),
        { mime_type, original_filename: 'évil "page".html' },
        Buffer.from('<script>alert(1)</script>'),
      );
      const answer = await app.inject({
        method: 'GET',
        url: `/v1/files/${file.id}/content`,
        headers: { authorization: await bearerOf(file.userId) },
      });
      assert.equal(answer.statusCode, 200, mime_type);
      assert.match(
        String(answer.headers['content-disposition']),
        /^attachment; filename="_vil _page_.html"; filename\*=UTF-8''%C3%A9vil%20%22page%22.html$/,
      );
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.match(String(answer.headers['content-security-policy']), /default-src 'none'/);
    }
  });

  test(`${backend}: signed links: anyone holding one reads the file; a forged or partial one is refused`, async () => {
    const { app, database } = testApp.current;
    const file = await storedFile(database.sql, storageOf());
    const authorization = await bearerOf(file.userId);
    const issued = await app.inject({
      method: 'POST',
      url: `/v1/files/${file.id}/links`,
      headers: { authorization },
      payload: { ttl_seconds: 600 },
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const { url, expires_at } = issued.json<{ url: string; expires_at: string }>();
    const lifetime = Date.parse(expires_at) - Date.now();
    assert.ok(lifetime > 590_000 && lifetime <= 600_000, `expires in ${lifetime} ms`);

    const viaLink = await app.inject({ method: 'GET', url, headers: { range: 'bytes=0-15' } });
    assert.equal(viaLink.statusCode, 206);
    assert.ok(viaLink.rawPayload.equals(file.bytes.subarray(0, 16)));
    assert.match(String(viaLink.headers['cache-control']), /^private, max-age=(59\d|600)$/);

    const forged = url.replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    const refused = await app.inject({ method: 'GET', url: forged });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ code: string }>().code, 'SIGNED_LINK_INVALID');
    const otherFile = await storedFile(database.sql, storageOf(), { user_id: file.userId });
    const elsewhere = await app.inject({ method: 'GET', url: url.replace(file.id, otherFile.id) });
    assert.equal(elsewhere.statusCode, 403, 'a link names one file');
    const partial = await app.inject({ method: 'GET', url: url.replace(/&signature=.*/, '') });
    assert.equal(partial.statusCode, 400);

    const otherCaller = await app.inject({
      method: 'POST',
      url: `/v1/files/${file.id}/links`,
      headers: { authorization: await stranger() },
      payload: {},
    });
    assert.equal(otherCaller.statusCode, 404, 'nobody signs a link to a file they cannot read');

    await database.sql`UPDATE files SET deleted_at = now() WHERE id = ${file.id}`;
    const afterDeletion = await app.inject({ method: 'GET', url });
    assert.equal(afterDeletion.statusCode, 404, 'a deleted file is gone, link or not');
  });

  test(`${backend}: a live row whose bytes are gone answers a 404 problem, never a broken body`, async () => {
    const { app, database } = testApp.current;
    const file = await storedFile(database.sql, storageOf());
    await storageOf().delete(file.key);
    const answer = await app.inject({
      method: 'GET',
      url: `/v1/files/${file.id}/content`,
      headers: { authorization: await bearerOf(file.userId), range: 'bytes=0-9' },
    });
    assert.equal(answer.statusCode, 404);
    assert.equal(answer.json<{ code: string }>().code, 'FILE_NOT_FOUND');
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
    assert.equal(answer.headers['content-range'], undefined);
  });
}
