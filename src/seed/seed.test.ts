import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type postgres from 'postgres';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { MIGRATIONS_DIR } from '../platform/db/migrations.ts';
import { PARTITIONED_TABLES } from '../lifecycle/jobs/partitions.ts';
import { SEED_PLAN, selectTables } from './plan.ts';
import type { SeedReporter } from './progress.ts';
import { runSeed } from './seed.ts';
import { Universe } from './universe.ts';
import { checkBooks, LICENSE_KEY_PATTERN } from '../domains/marketplace/index.ts';

const first = useMigratedDatabase();
const second = useMigratedDatabase();

// 20 users (the minimum), 100 tracks, 10,000 messages, 100,000 analytics events: every table gets rows
const SCALE = 0.0002;
const ANCHOR = new Date('2026-03-15T00:00:00Z');

const quiet: SeedReporter = { tableStarted() {}, tableProgress() {}, tableFinished() {}, step() {} };

async function publicTables(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`;
  return rows.map((row) => row.name);
}

/** md5 of every table's rows in a stable order: equal when two databases hold the same data. */
async function checksums(sql: postgres.Sql): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of await publicTables(sql)) {
    const [row] = await sql.unsafe<{ sum: string }[]>(
      `SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM "${table}" t`,
    );
    sums[table] = row?.sum as string;
  }
  return sums;
}

/** The recount that ends migration 0016: every UPDATE only touches counters that differ from the rows. */
function migrationRecount(): string[] {
  const migration = readFileSync(join(MIGRATIONS_DIR, '0016_lifecycle_counters.up.sql'), 'utf8');
  const recount = migration.slice(migration.indexOf('Recount every counter'));
  return recount
    .slice(recount.indexOf('\nUPDATE'))
    .split(/;\s*\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.startsWith('UPDATE'));
}

describe('veza seed', () => {
  test('fills every table of the schema with the planned rows, counters, partitions and triggers in order', async () => {
    const { sql, url } = first.current;
    const result = await runSeed(url, {
      seed: 7,
      scale: SCALE,
      anchor: ANCHOR,
      reporter: quiet,
      rowsPerStatement: 7_000,
    });

    assert.deepEqual(
      (await publicTables(sql)).filter((table) => !SEED_PLAN.some((planned) => planned.name === table)),
      [],
      'every table of the schema is in the seed plan',
    );
    const universe = new Universe({ seed: 7, scale: SCALE, anchor: ANCHOR });
    for (const table of SEED_PLAN) {
      const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table.name}"`);
      const loaded = result.tables.find((timing) => timing.table === table.name)?.rows;
      if (table.kind === 'copy') assert.equal(row?.n, table.count(universe), `${table.name} has its planned rows`);
      else assert.equal(row?.n, loaded, `${table.name} has the rows its INSERT reported`);
      assert.ok((row?.n ?? 0) > 0, `${table.name} is not empty`);
    }

    for (const table of Object.keys(PARTITIONED_TABLES)) {
      const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}_default"`);
      assert.equal(row?.n, 0, `nothing in ${table}_default`);
    }
    const [range] = await sql<{ first: Date; last: Date }[]>`
      SELECT min(created_at) AS first, max(created_at) AS last FROM messages`;
    assert.ok((range?.first as Date) >= new Date(ANCHOR.getTime() - 365 * 86_400_000), 'messages start a year back');
    assert.ok((range?.last as Date) < ANCHOR, 'no message after the anchor');

    const disabled = await sql`
      SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND t.tgenabled <> 'O'`;
    assert.deepEqual([...disabled], [], 'every trigger is enabled again');

    // the counters are what the triggers would have made: migration 0016's recount finds nothing to change
    await sql
      .begin(async (tx) => {
        for (const statement of migrationRecount()) {
          const changed = await tx.unsafe(statement);
          assert.equal(changed.count, 0, statement.slice(0, 40));
        }
        throw new Error('rollback');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || error.message !== 'rollback') throw error;
      });
    const [courses] = await sql<{ wrong: number }[]>`
      SELECT count(*)::int AS wrong FROM courses c
      WHERE lesson_count <> (SELECT count(*) FROM lessons l WHERE l.course_id = c.id AND l.deleted_at IS NULL)`;
    assert.equal(courses?.wrong, 0);
    const [acrossBlocks] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM follows f JOIN blocks b
        ON (b.blocker_id, b.blocked_id) IN ((f.follower_id, f.following_id), (f.following_id, f.follower_id))`;
    assert.equal(acrossBlocks?.n, 0, 'no follow crosses a block (a block removes follows both ways)');
    const keys = await sql<{ license_key: string }[]>`
      SELECT license_key FROM order_items WHERE license_key IS NOT NULL`;
    assert.ok(keys.length > 0);
    assert.deepEqual(
      keys.filter((row) => !LICENSE_KEY_PATTERN.test(row.license_key)),
      [],
      'seeded licence keys have the service’s format, so the public check reads them',
    );
    // issue 16: the books balance for every seeded order, and no seller was paid more than they earned
    const books = await checkBooks(first.current.db);
    assert.ok(books.ordersChecked > 0 && books.sellersChecked > 0, 'the books check saw orders and sellers');
    assert.equal(books.problems.length, 0, `the seeded books balance: ${books.problems.slice(0, 5).join('; ')}`);
    const [payouts] = await sql<{ completed: number }[]>`
      SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed FROM seller_payouts`;
    assert.ok((payouts?.completed ?? 0) > 0, 'some payouts are completed');

    await assert.rejects(
      runSeed(url, { seed: 7, scale: SCALE, anchor: ANCHOR, reporter: quiet }),
      /already has rows in users/,
      'a second seed into the same database is refused',
    );
  });

  test('the same seed, scale and anchor give the same data, byte for byte', async () => {
    await runSeed(second.current.url, { seed: 7, scale: SCALE, anchor: ANCHOR, reporter: quiet });
    const [a, b] = await Promise.all([checksums(first.current.sql), checksums(second.current.sql)]);
    assert.deepEqual(b, a);
  });
});

describe('the seed plan', () => {
  test('lists parents before children and --tables adds what the tables reference', () => {
    const order = SEED_PLAN.map((table) => table.name);
    for (const table of SEED_PLAN) {
      for (const parent of table.dependsOn) {
        assert.ok(order.indexOf(parent) < order.indexOf(table.name), `${parent} before ${table.name}`);
      }
    }
    const picked = selectTables(['message_reactions']).map((table) => table.name);
    for (const needed of ['users', 'files', 'rooms', 'messages', 'message_reactions'])
      assert.ok(picked.includes(needed));
    assert.ok(!picked.includes('tracks'), 'tables not referenced are left out');
    assert.throws(() => selectTables(['no_such_table']), /unknown table\(s\) no_such_table/);
  });

  test('a different seed gives different rows', () => {
    const at = (seed: number) => {
      const table = SEED_PLAN.find((t) => t.name === 'users');
      if (table?.kind !== 'copy') throw new Error('users is a COPY table');
      return [...table.rows(new Universe({ seed, scale: SCALE, anchor: ANCHOR }))][5];
    };
    assert.deepEqual(at(1), at(1));
    assert.notDeepEqual(at(1), at(2));
  });
});
