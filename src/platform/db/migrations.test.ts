import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { listMigrationFiles, Migrator } from './migrations.ts';

let database: TestDatabase;
before(async () => {
  database = await emptyDatabase();
});
after(async () => dropDatabase(database));

describe('Migrator', () => {
  test('two instances starting together: one applies everything, the other waits and finds nothing to do', async () => {
    const [first, second] = await Promise.all([
      new Migrator(database.url).migrate(),
      new Migrator(database.url).migrate(),
    ]);
    const all = listMigrationFiles().map((file) => file.name);
    assert.deepEqual([...first, ...second].sort(), all);
    assert.ok(first.length === 0 || second.length === 0, 'no migration ran twice');
    const status = await new Migrator(database.url).status();
    assert.equal(status.currentVersion, status.latestVersion);
    assert.deepEqual(status.pending, []);
  });

  test('a migration that fails leaves the versions before it applied and itself not at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veza-migrations-'));
    try {
      await writeFile(join(dir, '0001_demo_ok.up.sql'), 'CREATE TABLE demo_ok (id int);');
      await writeFile(join(dir, '0001_demo_ok.down.sql'), 'DROP TABLE demo_ok;');
      await writeFile(join(dir, '0002_demo_broken.up.sql'), 'CREATE TABLE demo_broken (id int); SELECT 1/0;');
      await writeFile(join(dir, '0002_demo_broken.down.sql'), 'DROP TABLE demo_broken;');
      const scratch = await emptyDatabase();
      try {
        const migrator = new Migrator(scratch.url, { dir });
        await assert.rejects(migrator.migrate(), /division by zero/);
        const [tables] = await scratch.sql`SELECT to_regclass('demo_ok') AS ok, to_regclass('demo_broken') AS broken`;
        assert.deepEqual([tables?.ok, tables?.broken], ['demo_ok', null]);
        assert.equal((await migrator.status()).currentVersion, 1);
      } finally {
        await dropDatabase(scratch);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a file that breaks the naming rule is an error, not silently skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veza-migrations-'));
    try {
      await writeFile(join(dir, 'create_users.sql'), 'SELECT 1;');
      assert.throws(() => listMigrationFiles(dir), /not named NNNN_<module>_<what>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
