// The files lifecycle (issue 12 §6): expired uploads and purged files leave no bytes behind — proven by listing
// the storage and the staging directory after the jobs ran.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { requestAccountDeletion } from '../../lifecycle/gdpr/account-deletion.ts';
import { createRetentionContent, STORAGE_DELETIONS_DIR } from '../../lifecycle/jobs/retention-content.ts';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { createStorageSweep, createUploadsExpire } from './files.jobs.ts';
import { storedFile, testDataDir } from './files.test-support.ts';
import { startLoopbackS3, type LoopbackS3 } from './storage/loopback-s3.test-support.ts';
import { S3ObjectStorage, type ObjectStorage } from './storage/object-storage.ts';

const database = useMigratedDatabase();
const { dataDir, storage } = testDataDir();
const DAY = 86_400_000;

let s3: LoopbackS3 | undefined;
after(async () => {
  await s3?.close();
});
async function s3Storage(): Promise<ObjectStorage> {
  s3 ??= await startLoopbackS3();
  return new S3ObjectStorage(s3.options);
}
const run = (job: Parameters<typeof runJob>[0], now: Date, dryRun = false) =>
  runJob(job, { db: database.current.db, dataDir, now, dryRun, triggeredBy: 'manual' });

test('expired uploads: rows and staged bytes go; live uploads and fresh temporaries stay', async () => {
  const { sql } = database.current;
  const staging = join(dataDir, 'uploads');
  mkdirSync(staging, { recursive: true });
  const now = new Date();
  const stage = (name: string, ageMs = 0) => {
    writeFileSync(join(staging, name), randomBytes(1024));
    const time = new Date(now.getTime() - ageMs);
    utimesSync(join(staging, name), time, time);
  };
  const upload = async (status: string, expiresInMs: number) => {
    const key = randomUUID().replaceAll('-', '');
    stage(key);
    stage(`${key}.json`);
    const row = await allFactories.file_uploads!(sql, {
      status,
      storage_key: key,
      bytes_uploaded: 1024,
      expires_at: new Date(now.getTime() + expiresInMs),
    });
    return { id: String(row.id), key };
  };
  const abandoned = await upload('uploading', -60_000);
  const neverStarted = await upload('pending', -DAY);
  const live = await upload('uploading', 3600_000);
  const orphan = randomUUID().replaceAll('-', '');
  stage(orphan, 7 * 3600_000);
  const oldChunk = `.chunk-${randomUUID()}`;
  const freshChunk = `.chunk-${randomUUID()}`;
  stage(oldChunk, 7 * 3600_000);
  stage(freshChunk);

  const dry = await run(createUploadsExpire(), now, true);
  assert.equal(dry.rowsByTable.file_uploads, 2);
  assert.equal(readdirSync(staging).length, 9, 'a dry run deletes nothing');

  const first = await run(createUploadsExpire(), now);
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.equal(first.rowsByTable.file_uploads, 2);
  const rows = await sql`SELECT id FROM file_uploads`;
  assert.deepEqual(
    rows.map((row) => row.id),
    [live.id],
  );
  assert.deepEqual(readdirSync(staging).sort(), [freshChunk, live.key, `${live.key}.json`].sort());
  for (const gone of [abandoned.key, neverStarted.key, orphan, oldChunk])
    assert.ok(!readdirSync(staging).includes(gone), gone);

  const second = await run(createUploadsExpire(), now);
  assert.equal(second.rowsByTable.file_uploads ?? 0, 0, 'idempotent');
});

async function purgeAndSweep(storage: ObjectStorage): Promise<void> {
  const listKeys = async () => {
    const keys: string[] = [];
    for await (const key of storage.list('')) keys.push(key);
    return keys.sort();
  };
  const { sql, db } = database.current;
  const owner = await allFactories.users!(sql);
  const kept = await storedFile(sql, storage, { user_id: owner.id });
  const deletedByOwner = await storedFile(sql, storage, { user_id: owner.id });
  const rendition = await storedFile(sql, storage, { user_id: owner.id, mime_type: 'audio/aac' });
  await allFactories.file_conversions!(sql, { source_file_id: deletedByOwner.id, converted_file_id: rendition.id });
  // Two rows naming one object (never made by uploads, ADR 0039): purging one must not take the other's bytes.
  const shared = await storedFile(sql, storage, { user_id: owner.id });
  const twin = await allFactories.files!(sql, {
    storage_path: shared.key,
    storage_provider: storage.provider,
    bucket_name: storage.bucket,
    file_size: shared.bytes.length,
  });

  const leaving = await allFactories.users!(sql);
  const accountFiles = [
    await storedFile(sql, storage, { user_id: leaving.id }),
    await storedFile(sql, storage, { user_id: leaving.id, is_public: true }),
  ];

  const before = await listKeys();
  assert.equal(before.length, 6);

  const now = new Date();
  await sql`UPDATE files SET deleted_at = ${now} WHERE id IN ${sql([deletedByOwner.id, rendition.id, shared.id])}`;
  await requestAccountDeletion(db, String(leaving.id));
  const [hidden] =
    await sql`SELECT count(*)::int AS n FROM files WHERE user_id = ${String(leaving.id)} AND deleted_at IS NOT NULL`;
  assert.equal(hidden?.n, 2, 'account deletion hides the files');

  // Nothing is purged before the retention period (registry: files, 30 days after deleted_at).
  const registry = loadTableRegistry();
  const retention = createRetentionContent({ registry: { files: registry.files! } });
  const early = await run(retention, new Date(now.getTime() + 29 * DAY));
  assert.equal(early.rowsByTable.files ?? 0, 0);

  const purgeDay = new Date(now.getTime() + 31 * DAY);
  const purged = await run(retention, purgeDay);
  assert.equal(purged.status, 'succeeded', purged.error ?? '');
  assert.equal(purged.rowsByTable.files, 5);

  // The manifest of the purge day is left alone on that day (the purge job may still append to it)…
  const sameDay = await run(createStorageSweep({ storage: () => storage }), purgeDay);
  assert.equal(sameDay.rowsByTable['storage:deleted'] ?? 0, 0);
  assert.deepEqual(await listKeys(), before);

  // …and swept the day after: every purged object goes, except bytes another row still names.
  const sweep = await run(createStorageSweep({ storage: () => storage }), new Date(purgeDay.getTime() + DAY));
  assert.equal(sweep.status, 'succeeded', sweep.error ?? '');
  assert.equal(sweep.rowsByTable['storage:deleted'], 4);
  assert.equal(sweep.rowsByTable['storage:shared'], 1);
  assert.deepEqual(await listKeys(), [kept.key, shared.key].sort());
  for (const file of [deletedByOwner, rendition, ...accountFiles]) assert.equal(await storage.stat(file.key), null);
  const [twinRow] = await sql`SELECT id FROM files WHERE id = ${String(twin.id)}`;
  assert.ok(twinRow, 'the twin still has its bytes');
  assert.deepEqual(readdirSync(join(dataDir, STORAGE_DELETIONS_DIR)), [], 'the manifest is done');

  const again = await run(createStorageSweep({ storage: () => storage }), new Date(purgeDay.getTime() + 2 * DAY));
  assert.equal(again.rowsByTable['storage:deleted'] ?? 0, 0, 'idempotent');
  assert.deepEqual(await listKeys(), [kept.key, shared.key].sort());
}

for (const backend of ['local', 's3'] as const) {
  test(`${backend}: purged files leave no bytes: own deletions, account deletion, renditions; bytes a live row names stay`, async () => {
    await purgeAndSweep(backend === 'local' ? storage : await s3Storage());
  });
}

test('the sweeper leaves objects of another backend alone, for the operator, and resumes a claimed manifest', async () => {
  const directory = join(dataDir, STORAGE_DELETIONS_DIR);
  mkdirSync(directory, { recursive: true });
  const elsewhere = await storedFile(database.current.sql, storage);
  await database.current.sql`DELETE FROM files WHERE id = ${elsewhere.id}`;
  const foreign = {
    file_id: randomUUID(),
    storage_provider: 's3',
    bucket_name: 'old-bucket',
    storage_path: elsewhere.key,
  };
  const local = { file_id: elsewhere.id, storage_provider: 'local', bucket_name: null, storage_path: elsewhere.key };
  // A manifest a crashed sweep had already claimed (renamed) is taken whatever its day.
  writeFileSync(join(directory, 'files-2020-01-01.jsonl.sweeping-crashed'), `${JSON.stringify(foreign)}\n`);
  writeFileSync(join(directory, 'files-2020-01-02.jsonl'), `${JSON.stringify(local)}\n`);

  const swept = await run(createStorageSweep({ storage: () => storage }), new Date(Date.UTC(2020, 0, 3)));
  assert.equal(swept.status, 'succeeded', swept.error ?? '');
  assert.equal(swept.rowsByTable['storage:deleted'], 1);
  assert.equal(await storage.stat(elsewhere.key), null, 'the local entry was swept');
  assert.deepEqual(readdirSync(directory), ['files-unswept.jsonl']);
  const kept = readFileSync(join(directory, 'files-unswept.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(
    kept.map((line) => (JSON.parse(line) as { bucket_name: string }).bucket_name),
    ['old-bucket'],
  );
});

/**
 * Bytes whose row was never inserted (the process died in between) are on no purge list: the sweeper's
 * reconciliation pass finds them by listing users/. Plants an old orphan, a fresh one a second later, a file with
 * its row and a rendition in that file's folder; the clock is set a day after the old orphan was written.
 */
async function reconcileOrphans(storage: ObjectStorage): Promise<void> {
  const { sql } = database.current;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const owner = await allFactories.users!(sql);
  const folder = (fileId: string) => `users/${String(owner.id)}/${fileId}`;
  const row = await allFactories.files!(sql, {
    user_id: owner.id,
    storage_provider: storage.provider,
    bucket_name: storage.bucket,
  });
  const referenced = `${folder(String(row.id))}/original.wav`;
  await sql`UPDATE files SET storage_path = ${referenced} WHERE id = ${String(row.id)}`;
  const rendition = `${folder(String(row.id))}/aac-128k.m4a`;
  const oldOrphan = `${folder(randomUUID())}/original.flac`;
  const freshOrphan = `${folder(randomUUID())}/original.wav`;
  const notOurLayout = `users/${String(owner.id)}/avatar-notes.txt`;
  for (const key of [oldOrphan, referenced, rendition, notOurLayout]) await storage.put(key, randomBytes(2048));
  // Modification times have one-second resolution on some S3 servers.
  await sleep(1_100);
  await storage.put(freshOrphan, randomBytes(2048));
  const writtenAt = (await storage.stat(oldOrphan))!.modifiedAt.getTime();
  const now = new Date(writtenAt + DAY + 500);
  const listKeys = async () => {
    const keys: string[] = [];
    for await (const key of storage.list('users/')) keys.push(key);
    return keys.sort();
  };
  const everything = [oldOrphan, freshOrphan, referenced, rendition, notOurLayout].sort();
  assert.deepEqual(await listKeys(), everything);

  const dry = await run(createStorageSweep({ storage: () => storage }), now, true);
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  assert.equal(dry.rowsByTable['storage:orphans'], 1);
  assert.equal(dry.rowsByTable['storage:orphan-too-young'], 1);
  assert.deepEqual(await listKeys(), everything, 'a dry run deletes nothing');

  const swept = await run(createStorageSweep({ storage: () => storage }), now);
  assert.equal(swept.status, 'succeeded', swept.error ?? '');
  assert.equal(swept.rowsByTable['storage:orphans'], 1);
  assert.deepEqual(
    await listKeys(),
    everything.filter((key) => key !== oldOrphan),
  );

  // A day later the fresh orphan is old enough too; a soft-deleted row still protects its bytes.
  await sql`UPDATE files SET deleted_at = now() WHERE id = ${String(row.id)}`;
  const later = await run(createStorageSweep({ storage: () => storage }), new Date(now.getTime() + DAY));
  assert.equal(later.rowsByTable['storage:orphans'], 1);
  assert.deepEqual(await listKeys(), [referenced, rendition, notOurLayout].sort());
}

for (const backend of ['local', 's3'] as const) {
  test(`${backend}: objects without a row are removed after a day; fresh ones and referenced ones stay`, async () => {
    await reconcileOrphans(backend === 'local' ? storage : await s3Storage());
  });
}
