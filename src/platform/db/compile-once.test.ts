import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { compileOnce } from './compile-once.ts';
import { openPool, type Database, type Pool } from './pool.ts';

const database = useMigratedDatabase();
let pool: Pool | undefined;
/** Opened inside the first test: the database exists from then on. */
function db(): Database {
  pool ??= openPool(database.current.url, {
    poolSize: 2,
    connectTimeoutMs: 2000,
    statementTimeoutMs: 0,
    lockTimeoutMs: 0,
    prepareStatements: true,
  });
  return pool.db;
}
after(() => pool?.close());

// Arguments in the opposite order of their parameters, and a constant (the limit) in between.
const numbers = compileOnce((db: Database, high: number, low: number) =>
  db
    .selectFrom(sql<{ n: number }>`(SELECT generate_series(1, 20) AS n)`.as('s'))
    .select('n')
    .where('n', '>=', low)
    .where('n', '<=', high)
    .orderBy('n')
    .limit(3),
);

test('a query compiled once answers for each call’s arguments, in their places, keeping its constants', async () => {
  assert.deepEqual(await numbers(db(), 10, 4), [{ n: 4 }, { n: 5 }, { n: 6 }]);
  assert.deepEqual(await numbers(db(), 15, 14), [{ n: 14 }, { n: 15 }]);
  assert.deepEqual(await numbers(db(), 2, 9), []);
});

test('an argument that does not reach the query as a parameter is refused, not silently ignored', async () => {
  const ignoring = compileOnce((db: Database, _unused: string) => db.selectFrom('users').select('id').limit(1));
  await assert.rejects(ignoring(db(), 'x'), /every argument must be a parameter/);
});
