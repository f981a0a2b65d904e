import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { readCatalog } from '../../src/schema-guard/catalog.ts';
import { SNAPSHOT_FILE, snapshotText } from '../../src/schema-guard/base-schema.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

const database = useMigratedDatabase();

test('db/schema.snapshot.json is the catalog of the migrated schema (run `npm run veza -- schema snapshot`)', async () => {
  const committed = await readFile(SNAPSHOT_FILE, 'utf8');
  assert.equal(committed, snapshotText(await readCatalog(database.current.sql)));
});
