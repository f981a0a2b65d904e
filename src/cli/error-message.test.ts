import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { cliErrorMessage } from './error-message.ts';

let database: TestDatabase;
before(async () => {
  database = await emptyDatabase();
});
after(async () => dropDatabase(database));

// A call PostgreSQL answers with a HINT ("No function matches the given name and argument types…").
const HINTED = 'SELECT veza_no_such_function(1)';

test('a database error prints its hint under the message, from either driver', async () => {
  const fromPostgresJs = await database.sql.unsafe(HINTED).then(
    () => assert.fail('the statement should fail'),
    (error: unknown) => error,
  );
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const fromNodePostgres = await client.query(HINTED).then(
    () => assert.fail('the statement should fail'),
    (error: unknown) => error,
  );
  await client.end();
  for (const error of [fromPostgresJs, fromNodePostgres]) {
    const [message, hint] = cliErrorMessage(error).split('\n');
    assert.equal(message, 'function veza_no_such_function(integer) does not exist');
    assert.match(hint ?? '', /^hint: No function matches the given name and argument types/);
  }
});

test('detail and hint both, an AggregateError by its parts, anything else as text', () => {
  const error = Object.assign(new Error('out of shared memory'), {
    detail: 'the lock table is full',
    hint: 'You might need to increase max_locks_per_transaction.',
  });
  assert.equal(
    cliErrorMessage(error),
    'out of shared memory\ndetail: the lock table is full\nhint: You might need to increase max_locks_per_transaction.',
  );
  const refused = new AggregateError(
    [new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')],
    '',
  );
  assert.equal(cliErrorMessage(refused), 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  assert.equal(cliErrorMessage('plain'), 'plain');
});
