import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listMigrationFiles } from '../platform/db/migrations.ts';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';

const latest = listMigrationFiles().at(-1)?.version ?? 0;
let database: TestDatabase;

const veza = (args: string[], env: Record<string, string> = {}) =>
  runVeza(args, { DATABASE_URL: database.url, ...env });

/** `veza db status` is at `version`, or the assertion shows what the command printed on stderr and its exit code. */
async function assertVersion(version: number): Promise<void> {
  const status = await veza(['db', 'status']);
  assert.match(
    status.stdout,
    new RegExp(`version ${version} of ${latest}`),
    `veza db status (exit ${status.code}): ${status.stderr}`,
  );
}

before(async () => {
  database = await emptyDatabase();
});
after(async () => dropDatabase(database));

describe('veza db', () => {
  test('migrate, status, rollback --to 0, migrate: a full round trip', async () => {
    const migrated = await veza(['db', 'migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /applied\s+0001_platform_foundation/);

    const status = await veza(['db', 'status']);
    assert.match(status.stdout, new RegExp(`version ${latest} of ${latest}`));

    const rolledBack = await veza(['db', 'rollback', '--to', '0']);
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    assert.match(rolledBack.stdout, /reverted\s+0001_platform_foundation/);
    const [users] = await database.sql`SELECT to_regclass('users') AS name`;
    assert.equal(users?.name, null);

    assert.equal((await veza(['db', 'migrate'])).code, 0);
    await assertVersion(latest);
  });

  test('migrate --to and rollback --steps move one version at a time', async () => {
    await veza(['db', 'rollback', '--to', '0']);
    assert.equal((await veza(['db', 'migrate', '--to', '2'])).code, 0);
    await assertVersion(2);
    assert.equal((await veza(['db', 'rollback', '--steps', '1'])).code, 0);
    await assertVersion(1);
    assert.equal((await veza(['db', 'rollback'])).code, 0);
    await assertVersion(0);
  });

  test('bad arguments are refused with a message and a non-zero exit', async () => {
    const letters = await veza(['db', 'rollback', '--to', 'x']);
    assert.notEqual(letters.code, 0);
    assert.match(letters.stderr, /must be a whole number/);
    const both = await veza(['db', 'rollback', '--to', '1', '--steps', '1']);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /either --steps or --to/);
  });

  test('reset drops our data and migrates again, but never in production', async () => {
    await veza(['db', 'migrate']);
    await database.sql`INSERT INTO users (email, username) VALUES ('reset@example.test', 'reset_me')`;

    const refused = await veza(['db', 'reset'], { NODE_ENV: 'production' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /refused when NODE_ENV=production/);
    assert.equal((await database.sql`SELECT count(*)::int AS n FROM users`)[0]?.n, 1);

    const reset = await veza(['db', 'reset']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await database.sql`SELECT count(*)::int AS n FROM users`)[0]?.n, 0);
    await assertVersion(latest);
  });

  test('reset works when dropping every partition in one transaction would overflow the lock table', async () => {
    await veza(['db', 'migrate']);
    const { sql } = database;
    // A seeded database has a partition per day of analytics_events; a probe table with 20 indexes per partition
    // reaches the same number of relations in a fraction of the time (each partition: a table and 20 indexes).
    const [server] = await sql<{ slots: number; relations: number }[]>`
      SELECT current_setting('max_locks_per_transaction')::int
               * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int)
               AS slots,
             (SELECT count(*)::int FROM pg_class WHERE relnamespace = 'public'::regnamespace) AS relations`;
    const slots = server?.slots ?? 0;
    const columns = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await sql.unsafe(
      `CREATE TABLE reset_probe (day date NOT NULL, ${columns.map((c) => `${c} int`).join(', ')})
       PARTITION BY RANGE (day)`,
    );
    for (const column of columns) await sql.unsafe(`CREATE INDEX ON reset_probe (${column})`);
    // 25 % past the lock table (it has some slack); each statement creates a batch so that the setup does not
    // exhaust the shared lock table itself.
    const partitions = Math.ceil((slots * 1.25 - (server?.relations ?? 0)) / (columns.length + 1));
    for (let first = 0; first < partitions; first += 50) {
      await sql.unsafe(`DO $$ BEGIN
        FOR i IN ${first}..${Math.min(first + 50, partitions) - 1} LOOP
          EXECUTE format('CREATE TABLE reset_probe_%s PARTITION OF reset_probe FOR VALUES FROM (%L) TO (%L)',
                         i, DATE '2000-01-01' + i, DATE '2000-01-01' + i + 1);
        END LOOP; END $$`);
    }
    await sql`INSERT INTO users (email, username) VALUES ('partitions@example.test', 'many_partitions')`;
    const [before] = await sql<{ relations: number }[]>`
      SELECT count(*)::int AS relations FROM pg_class WHERE relnamespace = 'public'::regnamespace`;
    assert.ok((before?.relations ?? 0) > slots, `${before?.relations} relations, ${slots} lock slots`);

    const reset = await veza(['db', 'reset']);
    assert.equal(reset.code, 0, reset.stderr);
    const dropped = Number(/Dropped (\d+) partition/.exec(reset.stdout)?.[1]);
    assert.ok(dropped >= partitions, `${dropped} partitions dropped in batches, ${partitions} of them the probe's`);
    assert.equal((await sql`SELECT to_regclass('reset_probe') AS name`)[0]?.name, null);
    assert.equal((await sql`SELECT count(*)::int AS n FROM users`)[0]?.n, 0);
    await assertVersion(latest);
  });
});
