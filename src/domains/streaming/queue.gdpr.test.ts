// The queue is personal data (db/table-registry.json: queues and queue_items, "linked"): the GDPR export holds the
// person's queue row and its items, never anyone else's, and deleting the account takes them with it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { newListener, newTracks, queueClient } from './queue.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

test('the GDPR export holds the person’s queue and its items, and nobody else’s', async () => {
  const me = await newListener(testApp.current);
  const other = await newListener(testApp.current);
  const [a, b] = await newTracks(testApp.current, 2);
  const mine = await queueClient(testApp.current, me).put({ track_ids: [a, b, a], current_track_id: b, volume: 70 });
  assert.equal(mine.statusCode, 200, mine.body);
  await queueClient(testApp.current, other).put({ track_ids: [b] });

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-queue-export-'));
  scratch.push(dataDir);
  const archive = await exportUserData(testApp.current.pool.db, me.id, dataDir);
  assert.equal(archive.rowsByTable.queues, 1);
  assert.equal(archive.rowsByTable.queue_items, 3);

  const unpacked = await mkdtemp(join(tmpdir(), 'veza-queue-export-unpacked-'));
  scratch.push(unpacked);
  await extract({ file: archive.path, cwd: unpacked });
  const exported = JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
    tables: Record<string, Record<string, unknown>[]>;
  };
  const [queue] = exported.tables.queues ?? [];
  assert.equal(queue?.user_id, me.id);
  assert.equal(queue?.current_track_id, b);
  assert.equal(queue?.volume, 70);
  assert.deepEqual(
    (exported.tables.queue_items ?? []).map((item) => [item.track_id, item.position]).sort(),
    mine.queue.items.map((item) => [item.track_id, item.position]).sort(),
  );
});

test('deleting the account row takes its queue and items with it (ON DELETE CASCADE)', async () => {
  const me = await newListener(testApp.current);
  const [a] = await newTracks(testApp.current, 1);
  await queueClient(testApp.current, me).put({ track_ids: [a, a] });
  const { sql } = testApp.current.database;
  await sql`DELETE FROM users WHERE id = ${me.id}`;
  const [left] = await sql<{ queues: number; items: number }[]>`
    SELECT (SELECT count(*)::int FROM queues WHERE user_id = ${me.id}) AS queues,
           (SELECT count(*)::int FROM queue_items WHERE track_id = ${a}) AS items`;
  assert.deepEqual({ ...left }, { queues: 0, items: 0 });
});
