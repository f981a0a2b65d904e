// Follows, follow requests and blocks are personal data (db/table-registry.json; ADRs 0060, 0061): the GDPR export
// holds the person's follows and requests both ways, their own blocks with their notes, and of a block against
// them only that it exists (never who, never why).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { graphClient, newPerson } from './follows.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

async function exported(userId: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-graph-export-'));
  scratch.push(dataDir);
  const archive = await exportUserData(testApp.current.pool.db, userId, dataDir);
  const unpacked = await mkdtemp(join(tmpdir(), 'veza-graph-export-unpacked-'));
  scratch.push(unpacked);
  await extract({ file: archive.path, cwd: unpacked });
  return (
    JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
      tables: Record<string, Record<string, unknown>[]>;
    }
  ).tables;
}

test('the export holds follows and requests both ways, own blocks with notes, and nothing of who blocked', async () => {
  const me = await newPerson(testApp.current, 'private');
  const [idol, fan, hidden, blocker] = [
    await newPerson(testApp.current, 'private'),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  const asMe = graphClient(testApp.current, me);
  assert.deepEqual((await asMe.follow(idol.id)).json(), { status: 'requested' });
  await graphClient(testApp.current, fan).follow(me.id);
  await asMe.block(hidden.id, { reason: 'my own note' });
  await graphClient(testApp.current, blocker).block(me.id, { reason: 'their private note' });

  const tables = await exported(me.id);
  assert.deepEqual(
    (tables.follow_requests ?? []).map((r) => [r.requester_id, r.target_id]).sort(),
    [
      [fan.id, me.id],
      [me.id, idol.id],
    ].sort(),
    'my request to follow, and the one I received',
  );
  const myBlock = (tables.blocks ?? []).find((b) => b.blocked_id === hidden.id);
  assert.equal(myBlock?.reason, 'my own note');
  const againstMe = (tables.blocks ?? []).filter((b) => b.blocked_id === me.id);
  assert.equal(againstMe.length, 1, 'that a block against me exists');
  assert.ok(!JSON.stringify(tables).includes(blocker.id), 'never who blocked me');
  assert.ok(!JSON.stringify(tables).includes('their private note'), 'never why');
});
