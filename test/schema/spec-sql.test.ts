import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listUnusedIndexes } from '../../src/platform/db/index-usage.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// The SQL the spec itself gives for partitions (§21.2-21.3) and index maintenance (§20.3),
// run against our schema.

const database = useMigratedDatabase();

const PARTITIONED = [
  { table: 'messages', period: 'month' },
  { table: 'playback_history', period: 'month' },
  { table: 'login_attempts', period: 'month' },
  { table: 'audit_logs', period: 'month' },
  { table: 'analytics_events', period: 'day' },
] as const;

describe('spec §21 partitioning', () => {
  test('the five high-volume tables are range-partitioned with current + 3 periods and a default', async () => {
    const { sql } = database.current;
    // The migrations premade partitions as of the day they ran, which may be before today (a template database
    // outlives midnight): bring them up to date as the daily partitions.maintain job does, and take "now" from the
    // same transaction, so that the expectation never depends on the date the suite runs.
    const [{ now } = { now: new Date() }] = await sql.begin(async (tx) => {
      for (const { table, period } of PARTITIONED) await tx`SELECT ensure_range_partitions(${table}, ${period}, 3)`;
      return tx<{ now: Date }[]>`SELECT now() AS now`;
    });
    for (const { table, period } of PARTITIONED) {
      const [parent] = await sql`
        SELECT pg_get_partkeydef(${table}::regclass) AS key, relkind FROM pg_class WHERE oid = ${table}::regclass`;
      assert.equal(parent?.relkind, 'p', `${table} is partitioned`);
      assert.match(String(parent?.key), /^RANGE \(/);
      const partitions = await sql`
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ${table}::regclass ORDER BY c.relname`;
      const names = partitions.map((p) => p.relname);
      assert.ok(names.includes(`${table}_default`), `${table} has a default partition`);
      const expected = [0, 1, 2, 3].map((offset) => {
        const start =
          period === 'month'
            ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
            : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
        const stamp = start
          .toISOString()
          .slice(0, period === 'month' ? 7 : 10)
          .replaceAll('-', '_');
        return `${table}_${stamp}`;
      });
      for (const name of expected) assert.ok(names.includes(name), `${table} lacks partition ${name}`);
    }
  });

  test('ensure_range_partitions is idempotent', async () => {
    const { sql } = database.current;
    for (const { table, period } of PARTITIONED) {
      // The first run may create the periods that began since the migrations ran; the second must create nothing.
      await sql`SELECT ensure_range_partitions(${table}, ${period}, 3)`;
      const [result] = await sql`SELECT ensure_range_partitions(${table}, ${period}, 3) AS created`;
      assert.equal(result?.created, 0, `${table}: a second run creates nothing`);
    }
  });

  test('§21.2-21.3: create a month partition with its index, detach it, drop it', async () => {
    const { sql } = database.current;
    await sql.unsafe(
      `CREATE TABLE messages_2031_01 PARTITION OF messages FOR VALUES FROM ('2031-01-01') TO ('2031-02-01')`,
    );
    await sql.unsafe(
      `CREATE TABLE messages_2031_02 PARTITION OF messages FOR VALUES FROM ('2031-02-01') TO ('2031-03-01')`,
    );
    await sql.unsafe('CREATE INDEX idx_messages_2031_01_room_id ON messages_2031_01(room_id, created_at DESC)');
    await sql.unsafe('CREATE INDEX idx_messages_2031_02_room_id ON messages_2031_02(room_id, created_at DESC)');
    await sql.unsafe('ALTER TABLE messages DETACH PARTITION messages_2031_01');
    await sql.unsafe('DROP TABLE IF EXISTS messages_2031_01');
    await sql.unsafe('ALTER TABLE messages DETACH PARTITION messages_2031_02');
    await sql.unsafe('DROP TABLE IF EXISTS messages_2031_02');
    const [left] = await sql`SELECT to_regclass('messages_2031_01') AS a, to_regclass('messages_2031_02') AS b`;
    assert.deepEqual([left?.a, left?.b], [null, null]);
  });

  test('a row lands in the partition of its period, and queries prune the others', async () => {
    const { sql } = database.current;
    await sql`INSERT INTO login_attempts (identifier, success, ip_address) VALUES ('someone', false, '192.0.2.1')`;
    const [row] =
      await sql`SELECT tableoid::regclass::text AS partition FROM login_attempts WHERE identifier = 'someone'`;
    const month = new Date().toISOString().slice(0, 7).replace('-', '_');
    assert.equal(row?.partition, `login_attempts_${month}`);
    const plan = await sql.unsafe(
      `EXPLAIN (FORMAT JSON) SELECT * FROM login_attempts WHERE attempted_at >= date_trunc('month', now()) AND attempted_at < date_trunc('month', now()) + interval '1 month'`,
    );
    const text = JSON.stringify(plan);
    assert.ok(!text.includes('login_attempts_default'), 'the default partition is pruned');
  });
});

describe('spec §20.3 index maintenance', () => {
  test('the spec query as written fails on PostgreSQL 15 (ADR 0007)', async () => {
    const { sql } = database.current;
    await assert.rejects(
      sql.unsafe(`SELECT schemaname, tablename, indexname, idx_scan, idx_tup_read, idx_tup_fetch
                  FROM pg_stat_user_indexes WHERE idx_scan = 0 ORDER BY schemaname, tablename`),
      { code: '42703' },
    );
  });

  test('the corrected unused-index query lists our indexes', async () => {
    const { sql } = database.current;
    const unused = await listUnusedIndexes(sql);
    assert.ok(unused.some((index) => index.indexname === 'idx_users_email_btree' && index.tablename === 'users'));
  });

  test('VACUUM ANALYZE and REINDEX CONCURRENTLY run on the spec tables', async () => {
    const { sql } = database.current;
    await sql.unsafe('VACUUM ANALYZE users');
    await sql.unsafe('VACUUM ANALYZE tracks');
    await sql.unsafe('VACUUM ANALYZE messages');
    await sql.unsafe('REINDEX INDEX CONCURRENTLY idx_users_email_btree');
  });
});
