import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { copyRows } from './copy.ts';

let database: TestDatabase;
let client: pg.Client;

before(async () => {
  database = await emptyDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`CREATE TABLE copy_parents (id int PRIMARY KEY)`);
  await client.query(`CREATE TABLE copy_children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES copy_parents,
                                                  note text)`);
});

after(async () => {
  await client.end();
  await dropDatabase(database);
});

test('rows arrive exactly, split into statements of rowsPerStatement, with progress reported', async () => {
  const progress: number[] = [];
  const sent = await copyRows(
    client,
    'copy_parents',
    ['id'],
    Array.from({ length: 25 }, (_, i) => [i + 1]),
    { rowsPerStatement: 10, chunkChars: 16, onProgress: (rows) => progress.push(rows) },
  );
  assert.equal(sent, 25);
  assert.equal(progress.at(-1), 25);
  assert.ok(progress.includes(10) && progress.includes(20), 'progress at each statement end');
  const { rows } = await client.query<{ n: number; total: number }>(
    'SELECT count(*)::int AS n, sum(id)::int AS total FROM copy_parents',
  );
  assert.deepEqual(rows[0], { n: 25, total: 325 });

  await copyRows(
    client,
    'copy_children',
    ['id', 'parent_id', 'note'],
    [
      [1, 1, 'tab\there, line\nthere, \\ and null:'],
      [2, 2, null],
    ],
  );
  const children = await client.query('SELECT id, note FROM copy_children ORDER BY id');
  assert.deepEqual(children.rows, [
    { id: 1, note: 'tab\there, line\nthere, \\ and null:' },
    { id: 2, note: null },
  ]);
});

test('a foreign key violated, checked at the end of the statement, rejects the copy', async () => {
  await assert.rejects(
    copyRows(
      client,
      'copy_children',
      ['id', 'parent_id', 'note'],
      [
        [10, 1, null],
        [11, 999, null],
      ],
    ),
    (error: Error & { code?: string }) => error.code === '23503',
  );
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_children WHERE id >= 10');
  assert.equal(rows[0]?.n, 0, 'the statement left nothing');
});

test('a malformed value in the middle of the data rejects the copy, and the connection stays usable', async () => {
  const rows = Array.from({ length: 5000 }, (_, i): [number | string] => [i === 2500 ? 'not a number' : 1000 + i]);
  await assert.rejects(
    copyRows(client, 'copy_parents', ['id'], rows, { chunkChars: 1024 }),
    (error: Error & { code?: string }) => error.code === '22P02',
  );
  const { rows: after } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_parents');
  assert.equal(after[0]?.n, 25);
});
