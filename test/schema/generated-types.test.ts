import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { GENERATED_TYPES_FILE, generateDbTypes } from '../../scripts/db-types.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

const database = useMigratedDatabase();

test('db.generated.ts matches the migrated schema (run `npm run db:types` after changing a migration)', async () => {
  const committed = await readFile(GENERATED_TYPES_FILE, 'utf8');
  assert.equal(committed, await generateDbTypes(database.current.url));
});

test('the DB interface lists exactly the public tables and views, no partition', async () => {
  const { sql } = database.current;
  const generated = await readFile(GENERATED_TYPES_FILE, 'utf8');
  const body = generated.slice(generated.indexOf('export interface DB {'));
  const typed = [...body.matchAll(/^ {2}([a-z_0-9]+): /gm)].map((match) => match[1]).sort();
  const tables = await sql`
    SELECT relname FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm') AND NOT relispartition
    ORDER BY relname`;
  assert.deepEqual(
    typed,
    tables.map((row) => row.relname),
  );
});
