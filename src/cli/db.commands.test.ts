import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listMigrationFiles } from '../platform/db/migrations.ts';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';

const latest = listMigrationFiles().at(-1)?.version ?? 0;
let database: TestDatabase;

const veza = (args: string[], env: Record<string, string> = {}) =>
  runVeza(args, { DATABASE_URL: database.url, ...env });

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
    assert.match((await veza(['db', 'status'])).stdout, new RegExp(`version ${latest} of ${latest}`));
  });

  test('migrate --to and rollback --steps move one version at a time', async () => {
    await veza(['db', 'rollback', '--to', '0']);
    assert.equal((await veza(['db', 'migrate', '--to', '2'])).code, 0);
    assert.match((await veza(['db', 'status'])).stdout, new RegExp(`version 2 of ${latest}`));
    assert.equal((await veza(['db', 'rollback', '--steps', '1'])).code, 0);
    assert.match((await veza(['db', 'status'])).stdout, new RegExp(`version 1 of ${latest}`));
    assert.equal((await veza(['db', 'rollback'])).code, 0);
    assert.match((await veza(['db', 'status'])).stdout, new RegExp(`version 0 of ${latest}`));
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
    assert.match((await veza(['db', 'status'])).stdout, new RegExp(`version ${latest} of ${latest}`));
  });
});
