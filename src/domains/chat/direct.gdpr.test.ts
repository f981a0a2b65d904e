// Direct messages, presence and the presence setting are personal data (db/table-registry.json): the GDPR export
// holds the messages the person sent and received, their presence and their audience choice, and nobody else's.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { directClient, newPerson } from './direct.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

test('the export holds the person’s sent and received messages, presence and audience, and nobody else’s', async () => {
  const [me, friend, stranger] = [
    await newPerson(testApp.current),
    await newPerson(testApp.current),
    await newPerson(testApp.current),
  ];
  await directClient(testApp.current, me).send(friend.id, { content: 'sent by me' });
  await directClient(testApp.current, friend).send(me.id, { content: 'received by me' });
  await directClient(testApp.current, friend).send(stranger.id, { content: 'not mine' });
  const patch = await testApp.current.app.inject({
    method: 'PATCH',
    url: '/v1/me/presence',
    headers: { authorization: me.authorization },
    payload: { status: 'away', custom_status: 'on tour', visibility: 'nobody' },
  });
  assert.equal(patch.statusCode, 200, patch.body);

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-dm-export-'));
  scratch.push(dataDir);
  const archive = await exportUserData(testApp.current.pool.db, me.id, dataDir);
  const unpacked = await mkdtemp(join(tmpdir(), 'veza-dm-export-unpacked-'));
  scratch.push(unpacked);
  await extract({ file: archive.path, cwd: unpacked });
  const exported = JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
    tables: Record<string, Record<string, unknown>[]>;
  };
  assert.deepEqual((exported.tables.direct_messages ?? []).map((row) => row.content).sort(), [
    'received by me',
    'sent by me',
  ]);
  const [presence] = exported.tables.user_presence ?? [];
  assert.equal(presence?.status, 'away');
  assert.equal(presence?.custom_status, 'on tour');
  const [settings] = exported.tables.user_settings ?? [];
  assert.equal(settings?.presence_visibility, 'nobody');
});
