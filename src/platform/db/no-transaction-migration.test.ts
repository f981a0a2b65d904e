import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type postgres from 'postgres';
import { dropDatabase, emptyDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { projectRoot } from '../project-root.ts';
import { snapshotCatalog } from './catalog-snapshot.ts';
import { Migrator } from './migrations.ts';
import { parseNoTransactionMigration, splitStatements } from './no-transaction-migration.ts';

const MARKER = '-- veza:no-transaction';
const TABLE = `SET LOCAL lock_timeout = '5s';
CREATE TABLE plays (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, listener int NOT NULL);
INSERT INTO plays (listener) SELECT g % 997 FROM generate_series(1, 20000) g;`;
const INDEX_UP = `${MARKER}
SET lock_timeout = '5s';
SET statement_timeout = '10min';
-- Hot table: built while plays keep arriving.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_plays_listener ON plays (listener);
`;
const INDEX_DOWN = `${MARKER}\nDROP INDEX CONCURRENTLY IF EXISTS idx_plays_listener;\n`;

describe('parseNoTransactionMigration', () => {
  test('one statement, whatever the comments and quoted semicolons around it', () => {
    const parsed = parseNoTransactionMigration(
      '0002_x.up.sql',
      `${MARKER}\n-- RFC: docs/rfc/0001-x.md; why\nSET lock_timeout TO '5s';\n/* a; /* nested; */ b */\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_a_b\n  ON public.a (lower(b)) WHERE c <> ';' AND d <> $$;$$;\n`,
    );
    assert.equal(parsed.kind, 'create-index-concurrently');
    assert.equal(parsed.index, 'idx_a_b');
    assert.equal(parsed.table, 'public.a');
    assert.deepEqual(parsed.settings, ["SET lock_timeout TO '5s'"]);
    assert.equal(
      parsed.sql,
      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_a_b ON public.a (lower(b)) WHERE c <> ';' AND d <> $$;$$",
    );
  });

  test('more than one statement is refused, naming the file and the rule', () => {
    assert.throws(
      () => parseNoTransactionMigration('/x/0002_x.up.sql', `${INDEX_UP}\nANALYZE plays;`),
      /^Error: 0002_x\.up\.sql is marked "-- veza:no-transaction" and must hold exactly one statement .*; it holds 2/,
    );
    assert.throws(() => parseNoTransactionMigration('0002_x.up.sql', `${MARKER}\n-- nothing\n`), /it holds 0/);
  });

  test('a build that could not run again, or a statement of another kind, is refused', () => {
    const refuse = (statement: string, rule: RegExp) =>
      assert.throws(() => parseNoTransactionMigration('0002_x.up.sql', `${MARKER}\n${statement}`), rule);
    refuse('CREATE INDEX CONCURRENTLY idx_a ON a (b);', /IF NOT EXISTS, so that a run interrupted/);
    refuse('DROP INDEX CONCURRENTLY idx_a;', /DROP INDEX CONCURRENTLY IF EXISTS, so that it can run again/);
    refuse('CREATE INDEX IF NOT EXISTS idx_a ON a (b);', /allows only CREATE \[UNIQUE\] INDEX CONCURRENTLY/);
    refuse('VACUUM plays;', /allows only .*found: VACUUM plays/);
    refuse(
      "SET LOCAL lock_timeout = '5s';\nDROP INDEX CONCURRENTLY IF EXISTS idx_a;",
      /has no effect outside a transaction/,
    );
  });

  test('the splitter keeps escaped quotes, quoted identifiers and dollar bodies whole', () => {
    assert.deepEqual(splitStatements(`SELECT 'it''s;'; SELECT E'\\';'; SELECT "a;b"; DO $f$ BEGIN; END $f$;`), [
      "SELECT 'it''s;'",
      "SELECT E'\\';'",
      'SELECT "a;b"',
      'DO $f$ BEGIN; END $f$',
    ]);
  });
});

describe('a no-transaction migration', () => {
  let database: TestDatabase;
  let dir: string;
  let writer: postgres.ReservedSql | undefined;

  beforeEach(async () => {
    database = await emptyDatabase();
    dir = await mkdtemp(join(tmpdir(), 'veza-no-transaction-'));
    await writeFile(join(dir, '0001_demo_plays.up.sql'), TABLE);
    await writeFile(join(dir, '0001_demo_plays.down.sql'), 'DROP TABLE plays;');
    await writeFile(join(dir, '0002_demo_plays_listener.up.sql'), INDEX_UP);
    await writeFile(join(dir, '0002_demo_plays_listener.down.sql'), INDEX_DOWN);
  });
  afterEach(async () => {
    writer?.release();
    writer = undefined;
    await dropDatabase(database);
    await rm(dir, { recursive: true, force: true });
  });

  /** Another session in the middle of a write to plays: a build must wait for it, and must not stop others. */
  async function openWrite(): Promise<postgres.ReservedSql> {
    writer = await database.sql.reserve();
    await writer`BEGIN`;
    await writer`INSERT INTO plays (listener) VALUES (1)`;
    return writer;
  }

  /** The build, once it has created its (not yet valid) index and waits for the writes older than it. */
  async function buildInProgress(): Promise<{ pid: number; command: string; phase: string }> {
    for (let tries = 0; tries < 200; tries += 1) {
      const [row] = await database.sql<{ pid: number; command: string; phase: string }[]>`
        SELECT pid, command, phase FROM pg_stat_progress_create_index
         WHERE datname = ${database.name} AND phase LIKE 'waiting for writers%'`;
      if (row) return row;
      await sleep(25);
    }
    throw new Error('no index build started');
  }

  async function indexState(): Promise<{ valid: boolean }[]> {
    const rows = await database.sql<{ valid: boolean }[]>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname = 'idx_plays_listener'`;
    return [...rows];
  }

  test('builds concurrently: writes to the table go on during the build, and the migration is recorded', async () => {
    const migrator = new Migrator(database.url, { dir });
    await migrator.migrate(1);
    const open = await openWrite();
    const running = migrator.migrate();

    const build = await buildInProgress();
    assert.equal(build.command, 'CREATE INDEX CONCURRENTLY');
    // A plain CREATE INDEX holds a SHARE lock on plays for its whole run, which this insert would wait for.
    await database.sql.begin(async (tx) => {
      await tx`SET LOCAL lock_timeout = '2s'`;
      await tx`INSERT INTO plays (listener) VALUES (2)`;
    });
    await open`COMMIT`;

    assert.deepEqual(await running, ['0002_demo_plays_listener']);
    assert.deepEqual(await indexState(), [{ valid: true }]);
    assert.equal((await migrator.status()).currentVersion, 2);
  });

  test('without the marker the same statement fails: PostgreSQL refuses it inside the transaction', async () => {
    await writeFile(join(dir, '0002_demo_plays_listener.up.sql'), INDEX_UP.replace(MARKER, '-- (marker removed)'));
    const migrator = new Migrator(database.url, { dir });
    await assert.rejects(migrator.migrate(), /cannot run inside a transaction block/);
    assert.equal((await migrator.status()).currentVersion, 1);
  });

  test('an interrupted build leaves an INVALID index; running the migration again replaces it', async () => {
    const migrator = new Migrator(database.url, { dir });
    await migrator.migrate(1);
    const open = await openWrite();
    const running = migrator.migrate();
    // Awaited from the start: the refusal can land before the cancel's own query returns, and an unawaited
    // rejection would fail the test by itself.
    const refused = assert.rejects(running, /canceling statement due to user request/);
    const build = await buildInProgress();
    await database.sql`SELECT pg_cancel_backend(${build.pid})`;
    await refused;
    await open`COMMIT`;
    assert.deepEqual(await indexState(), [{ valid: false }]);
    assert.equal((await migrator.status()).currentVersion, 1, 'the interrupted migration is not recorded');

    assert.deepEqual(await migrator.migrate(), ['0002_demo_plays_listener']);
    assert.deepEqual(await indexState(), [{ valid: true }]);
  });

  test('a build that finished before its bookkeeping is recorded on the next run, not built twice', async () => {
    const migrator = new Migrator(database.url, { dir });
    await migrator.migrate(1);
    await database.sql`CREATE INDEX idx_plays_listener ON plays (listener)`;
    const [before] = await database.sql`SELECT to_regclass('idx_plays_listener')::oid AS oid`;
    assert.deepEqual(await migrator.migrate(), ['0002_demo_plays_listener']);
    const [afterRun] = await database.sql`SELECT to_regclass('idx_plays_listener')::oid AS oid`;
    assert.equal(afterRun?.oid, before?.oid);
  });

  test('a same-named index on another table is not taken for the one the migration builds', async () => {
    const migrator = new Migrator(database.url, { dir });
    await migrator.migrate(1);
    await database.sql`CREATE TABLE other_plays (listener int)`;
    await database.sql`CREATE INDEX idx_plays_listener ON other_plays (listener)`;
    await assert.rejects(migrator.migrate(), /index idx_plays_listener on plays is missing or not valid/);
    assert.equal((await migrator.status()).currentVersion, 1);
  });

  test('its down restores the catalog exactly, and up again rebuilds the same index', async () => {
    const migrator = new Migrator(database.url, { dir });
    await migrator.migrate(1);
    const before = await snapshotCatalog(database.sql);
    await migrator.migrate();
    const afterUp = await snapshotCatalog(database.sql);
    assert.notDeepEqual(afterUp, before);
    assert.deepEqual(await migrator.rollback({ steps: 1 }), ['0002_demo_plays_listener']);
    assert.deepEqual(await snapshotCatalog(database.sql), before);
    await migrator.migrate();
    assert.deepEqual(await snapshotCatalog(database.sql), afterUp);
  });

  test('two instances starting during a build: the second waits without deadlocking the build', async () => {
    const first = new Migrator(database.url, { dir });
    await first.migrate(1);
    const open = await openWrite();
    const running = first.migrate();
    await buildInProgress();
    const second = new Migrator(database.url, { dir }).migrate();
    // Past deadlock_timeout (1 s), when PostgreSQL would look for a cycle between the two.
    await sleep(300);
    await open`COMMIT`;
    await sleep(1200);
    assert.deepEqual(await Promise.all([running, second]), [['0002_demo_plays_listener'], []]);
    assert.deepEqual(await indexState(), [{ valid: true }]);
  });

  test('a malformed no-transaction file stops the run before anything is applied', async () => {
    await writeFile(join(dir, '0002_demo_plays_listener.up.sql'), `${INDEX_UP}\nANALYZE plays;\n`);
    const migrator = new Migrator(database.url, { dir });
    await assert.rejects(
      migrator.migrate(),
      /0002_demo_plays_listener\.up\.sql .* exactly one statement .*; it holds 2/,
    );
    assert.equal((await migrator.status()).currentVersion, 0);
  });
});

test('squawk lints a marked file as run outside a transaction, and still flags a plain index elsewhere', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veza-squawk-'));
  try {
    await writeFile(join(dir, '0002_demo_plays_listener.up.sql'), INDEX_UP);
    const lint = () =>
      spawnSync(process.execPath, [join(projectRoot, 'scripts', 'lint-migrations.ts'), dir], { encoding: 'utf8' });
    const clean = lint();
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);

    await writeFile(
      join(dir, '0003_demo_plays_day.up.sql'),
      "SET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '60s';\nCREATE INDEX idx_plays_id ON plays (id);\n",
    );
    await writeFile(
      join(dir, '0004_demo_plays_forgot.up.sql'),
      `${MARKER}\nCREATE INDEX IF NOT EXISTS idx_b ON plays (id);\n`,
    );
    const flagged = lint();
    assert.equal(flagged.status, 1);
    const output = flagged.stdout + flagged.stderr;
    assert.match(output, /0003_demo_plays_day\.up\.sql/);
    assert.match(output, /0004_demo_plays_forgot\.up\.sql/);
    assert.equal(output.split('\n').filter((line) => line.includes('require-concurrent-index-creation')).length, 2);
    assert.doesNotMatch(output, /0002_demo_plays_listener|in-transaction/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
