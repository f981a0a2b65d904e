import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useMigratedDatabase } from '../helpers/database.ts';

const database = useMigratedDatabase();

test('a test file gets its own migrated database', async () => {
  const [row] = await database.current.sql`SELECT current_database() AS name, to_regclass('users') AS users`;
  assert.equal(row?.name, database.current.name);
  assert.equal(row?.users, 'users');
});
