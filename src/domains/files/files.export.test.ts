// The GDPR export carries the person's own files, byte for byte, inside the archive (ADR 0043).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { extract } from 'tar';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { storedFile, testDataDir } from './files.test-support.ts';

const database = useMigratedDatabase();
const { dataDir, storage } = testDataDir();

test('the export holds each live file of the person, an index, and never a quarantined one', async () => {
  const { sql, db } = database.current;
  const person = await allFactories.users!(sql);
  const me = { user_id: person.id };
  const song = await storedFile(sql, storage, { ...me, original_filename: 'Night drive (master).wav' });
  const cover = await storedFile(sql, storage, { ...me, original_filename: '../../cover.png', mime_type: 'image/png' });
  const infected = await storedFile(sql, storage, { ...me, virus_scan_result: 'infected:Eicar-Test-Signature' });
  const deleted = await storedFile(sql, storage, { ...me, deleted_at: new Date() });
  const lost = await storedFile(sql, storage, me);
  await storage.delete(lost.key);
  const someoneElses = await storedFile(sql, storage, {}, randomBytes(100));

  const result = await exportUserData(db, String(person.id), dataDir);
  const unpacked = await mkdtemp(join(tmpdir(), 'veza-files-export-'));
  await extract({ file: result.path, cwd: unpacked });

  const inArchive = (path: string) => readFile(join(unpacked, path));
  assert.ok((await inArchive(`files/${song.id}/Night drive (master).wav`)).equals(song.bytes));
  assert.ok((await inArchive(`files/${cover.id}/__.._cover.png`)).equals(cover.bytes), 'no path escapes');
  const sha = createHash('sha256')
    .update(await inArchive(`files/${song.id}/Night drive (master).wav`))
    .digest('hex');
  assert.equal(sha, song.sha256);

  const index = JSON.parse((await inArchive('files/index.json')).toString('utf8')) as {
    id: string;
    path: string | null;
    left_out: string | null;
    sha256: string;
  }[];
  const byId = new Map(index.map((entry) => [entry.id, entry]));
  assert.deepEqual([...byId.keys()].sort(), [song.id, cover.id, infected.id, lost.id].sort());
  assert.equal(byId.get(song.id)?.sha256, song.sha256);
  assert.match(byId.get(infected.id)?.left_out ?? '', /quarantined/);
  assert.equal(byId.get(infected.id)?.path, null);
  assert.match(byId.get(lost.id)?.left_out ?? '', /missing/);
  assert.deepEqual((await readdir(join(unpacked, 'files'))).sort(), ['index.json', song.id, cover.id].sort());
  assert.ok(!byId.has(deleted.id) && !byId.has(someoneElses.id));
});
