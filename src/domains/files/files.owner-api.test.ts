// The owner API (issue 12 §7): list own files by keyset, one file with metadata, scan, renditions and processing
// state, waiting for processing with `Prefer: wait=N`, and deletion (renditions included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { storedFile, testDataDir } from './files.test-support.ts';
import { preferredWait } from './files.service.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

async function bearerOf(userId: string): Promise<string> {
  const { token } = await testApp.current.accessTokens.issue({ userId, tokenVersion: 0, role: 'user' });
  return `Bearer ${token}`;
}

interface Page {
  items: { id: string; size: number; processing_status: string; scan: string; content_url: string }[];
  next_cursor: string | null;
}

test('the owner lists their own live files, newest first, page by page', async () => {
  const { app, database } = testApp.current;
  const owner = await allFactories.users!(database.sql);
  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    const file = await storedFile(database.sql, storage, {
      user_id: owner.id,
      created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, i)),
    });
    ids.push(file.id);
  }
  const deleted = await storedFile(database.sql, storage, { user_id: owner.id, deleted_at: new Date() });
  const othersFile = await storedFile(database.sql, storage);
  const authorization = await bearerOf(String(owner.id));

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
    const answer = await app.inject({ method: 'GET', url: `/v1/files${query}`, headers: { authorization } });
    assert.equal(answer.statusCode, 200, answer.body);
    const page = answer.json<Page>();
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse());
  assert.ok(!seen.includes(deleted.id) && !seen.includes(othersFile.id));

  const anonymous = await app.inject({ method: 'GET', url: '/v1/files' });
  assert.equal(anonymous.statusCode, 401);
});

test('one file with its metadata, scan result, renditions and processing state', async () => {
  const { app, database } = testApp.current;
  const { sql } = database;
  const file = await storedFile(sql, storage, {
    virus_scan_result: 'infected:Eicar-Test-Signature',
    processing_error: null,
    metadata: { processing: { status: 'quarantined', steps: { scan: 'done' }, attempts: 1 } },
  });
  await allFactories.file_metadata!(sql, { file_id: file.id, duration: 300, sample_rate: 44_100, channels: 2 });
  const rendition = await storedFile(sql, storage, { user_id: file.userId, mime_type: 'audio/aac' });
  await allFactories.file_conversions!(sql, {
    source_file_id: file.id,
    converted_file_id: rendition.id,
    target_format: 'aac',
    target_quality: '128k',
    status: 'completed',
    progress: 100,
  });
  const answer = await app.inject({
    method: 'GET',
    url: `/v1/files/${file.id}`,
    headers: { authorization: await bearerOf(file.userId) },
  });
  assert.equal(answer.statusCode, 200, answer.body);
  const detail = answer.json();
  assert.equal(detail.processing.status, 'quarantined');
  assert.equal(detail.processing.scan, 'infected');
  assert.equal(detail.processing.virus_signature, 'Eicar-Test-Signature');
  assert.equal(detail.metadata.duration_seconds, 300);
  assert.equal(detail.metadata.sample_rate, 44_100);
  assert.deepEqual(
    detail.renditions.map((r: { file_id: string; format: string; progress: number }) => [
      r.file_id,
      r.format,
      r.progress,
    ]),
    [[rendition.id, 'aac', 100]],
  );
  assert.equal(detail.sha256, file.sha256);

  const other = await allFactories.users!(sql);
  const refused = await app.inject({
    method: 'GET',
    url: `/v1/files/${file.id}`,
    headers: { authorization: await bearerOf(String(other.id)) },
  });
  assert.equal(refused.statusCode, 404, 'another user cannot tell the file exists');
  assert.equal(refused.json().code, 'FILE_NOT_FOUND');
});

test('Prefer: wait=N answers as soon as processing ends, or after N seconds', async () => {
  const { app, database } = testApp.current;
  const { sql } = database;
  const file = await storedFile(sql, storage, {
    is_processed: false,
    metadata: { processing: { status: 'processing', steps: { scan: 'done' }, attempts: 1 } },
  });
  const authorization = await bearerOf(file.userId);

  const started = Date.now();
  const waiting = app.inject({
    method: 'GET',
    url: `/v1/files/${file.id}`,
    headers: { authorization, prefer: 'wait=10' },
  });
  // postgres.js runs a query when it is awaited or executed: execute() sends it from the timer.
  setTimeout(() => {
    void sql`UPDATE files SET is_processed = true,
      metadata = '{"processing":{"status":"processed","steps":{"scan":"done"},"attempts":1}}'::jsonb
      WHERE id = ${file.id}`.execute();
  }, 400);
  const answer = await waiting;
  const took = Date.now() - started;
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.json().processing.status, 'processed');
  assert.equal(answer.headers['preference-applied'], 'wait=10');
  assert.ok(took >= 350 && took < 5_000, `answered after ${took} ms`);

  await sql`UPDATE files SET metadata = '{"processing":{"status":"processing","steps":{},"attempts":1}}'::jsonb
    WHERE id = ${file.id}`;
  const timedOut = Date.now();
  const still = await app.inject({
    method: 'GET',
    url: `/v1/files/${file.id}`,
    headers: { authorization, prefer: 'wait=1' },
  });
  assert.equal(still.json().processing.status, 'processing');
  assert.ok(Date.now() - timedOut >= 950, 'waited the second asked for');

  assert.equal(preferredWait('respond-async, wait=600'), 30, 'capped');
  assert.equal(preferredWait('return=minimal'), undefined);
});

test('deleting a file hides it and its renditions at once, for everyone', async () => {
  const { app, database } = testApp.current;
  const { sql } = database;
  const file = await storedFile(sql, storage, { is_public: true });
  const rendition = await storedFile(sql, storage, { user_id: file.userId, is_public: true });
  await allFactories.file_conversions!(sql, { source_file_id: file.id, converted_file_id: rendition.id });
  const authorization = await bearerOf(file.userId);

  const other = await allFactories.users!(sql);
  const byOther = await app.inject({
    method: 'DELETE',
    url: `/v1/files/${file.id}`,
    headers: { authorization: await bearerOf(String(other.id)) },
  });
  assert.equal(byOther.statusCode, 404);

  const deleted = await app.inject({ method: 'DELETE', url: `/v1/files/${file.id}`, headers: { authorization } });
  assert.equal(deleted.statusCode, 204);
  for (const id of [file.id, rendition.id]) {
    const content = await app.inject({ method: 'GET', url: `/v1/files/${id}/content` });
    assert.equal(content.statusCode, 404, 'public content is gone');
  }
  const again = await app.inject({ method: 'DELETE', url: `/v1/files/${file.id}`, headers: { authorization } });
  assert.equal(again.statusCode, 404);
  const [row] = await sql`SELECT deleted_at FROM files WHERE id = ${file.id}`;
  assert.ok(row?.deleted_at, 'a soft delete: the row waits for the retention job');
  assert.ok(await storage.stat(file.key), 'the bytes stay until the purge');
});
