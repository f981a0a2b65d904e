import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useMigratedDatabase } from '../helpers/database.ts';

// The spec's "RÈGLES IMMUABLES", checked on the live catalog of the migrated schema.

const database = useMigratedDatabase();

const TABLES = `
  SELECT c.oid, c.relname FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;

describe('immutable rules', () => {
  test('every table has a UUID id in its primary key, defaulting to gen_random_uuid()', async () => {
    const { sql } = database.current;
    const bad = await sql.unsafe(`
      WITH t AS (${TABLES})
      SELECT t.relname FROM t
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_constraint pk
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = pk.conkey[1]
        JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
        WHERE pk.conrelid = t.oid AND pk.contype = 'p' AND a.attname = 'id'
          AND a.atttypid = 'uuid'::regtype AND pg_get_expr(d.adbin, d.adrelid) = 'gen_random_uuid()')`);
    assert.deepEqual([...bad], []);
  });

  test('every table has created_at and updated_at timestamptz NOT NULL DEFAULT now(), and an updated_at trigger', async () => {
    const { sql } = database.current;
    const bad = await sql.unsafe(`
      WITH t AS (${TABLES}), wanted(col) AS (VALUES ('created_at'), ('updated_at'))
      SELECT t.relname, wanted.col FROM t CROSS JOIN wanted
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = t.oid AND a.attname = wanted.col AND a.attnotnull
          AND a.atttypid = 'timestamptz'::regtype AND pg_get_expr(d.adbin, d.adrelid) = 'now()')
      UNION ALL
      SELECT t.relname, 'trigger' FROM t
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_trigger tg
        WHERE tg.tgrelid = t.oid AND tg.tgname = 'trg_' || t.relname || '_updated_at'
          AND tg.tgfoid = 'update_updated_at_column'::regproc AND NOT tg.tgisinternal)`);
    assert.deepEqual([...bad], []);
  });

  test('no timestamp without time zone anywhere', async () => {
    const { sql } = database.current;
    const bad = await sql`
      SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
        AND a.atttypid = 'timestamp'::regtype`;
    assert.deepEqual([...bad], []);
  });

  test('every foreign key names its ON DELETE and leads an index', async () => {
    const { sql } = database.current;
    const bad = await sql`
      SELECT con.conrelid::regclass::text AS table, con.conname,
             con.confdeltype = 'a' AS implicit_on_delete,
             NOT EXISTS (
               SELECT 1 FROM pg_index i
               WHERE i.indrelid = con.conrelid
                 AND (i.indkey::int2[])[0:array_length(con.conkey, 1) - 1] @> con.conkey
                 AND (i.indkey::int2[])[0:array_length(con.conkey, 1) - 1] <@ con.conkey
             ) AS unindexed
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
        AND con.conparentid = 0 AND NOT c.relispartition`;
    assert.ok(bad.length > 100, `found only ${bad.length} foreign keys`);
    assert.deepEqual(
      bad.filter((fk) => fk.implicit_on_delete || fk.unindexed),
      [],
    );
  });

  test('snake_case names, and constraints and indexes follow section 2 (ADR 0004)', async () => {
    const { sql } = database.current;
    const names = await sql`
      SELECT 'table' AS kind, relname AS name FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm') AND NOT relispartition
      UNION ALL
      SELECT 'column', c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped`;
    assert.deepEqual(
      names.filter((row) => !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/.test(row.name)),
      [],
    );

    const constraints = await sql`
      SELECT con.contype AS kind, con.conname AS name, c.relname AS table FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      WHERE con.connamespace = 'public'::regnamespace AND con.conparentid = 0 AND NOT c.relispartition`;
    const expectedPrefix: Record<string, RegExp> = { f: /^fk_/, c: /^chk_/, u: /^uq_/, p: /_pkey$/ };
    assert.deepEqual(
      constraints.filter((row) => !(expectedPrefix[row.kind] ?? /^$/).test(row.name)),
      [],
    );

    const indexes = await sql`
      SELECT i.relname AS name FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid)`;
    assert.deepEqual(
      indexes.filter((row) => !/^(idx|uq)_[a-z0-9_]+$/.test(row.name)),
      [],
    );
  });

  test('enums have at most 20 values', async () => {
    const { sql } = database.current;
    const enums = await sql`
      SELECT t.typname, count(*)::int AS n FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`;
    assert.equal(enums.length, 5);
    assert.deepEqual(
      enums.filter((row) => row.n > 20),
      [],
    );
  });

  // Free text on purpose: a person's own status message, and the open list of licence names (§10.1).
  const FREE_TEXT_BY_DESIGN = ['user_presence.custom_status', 'products.license_type'];

  test('status-like columns cannot hold arbitrary text (ADR 0009)', async () => {
    const { sql } = database.current;
    const unconstrained = await sql`
      SELECT c.relname || '.' || a.attname AS column
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attname ~ '(^|_)(status|state|type|mode)$'
        AND a.atttypid IN ('varchar'::regtype, 'text'::regtype)
        AND NOT EXISTS (
          SELECT 1 FROM pg_constraint con
          WHERE con.conrelid = c.oid AND con.contype = 'c' AND a.attnum = ANY (con.conkey))`;
    assert.deepEqual(
      unconstrained.map((row) => row.column).filter((column) => !FREE_TEXT_BY_DESIGN.includes(column)),
      [],
    );
  });

  test('users carry separate processing and marketing consents, each with its timestamp (§19.1)', async () => {
    const { sql } = database.current;
    const columns = await sql`
      SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = 'users'::regclass AND attname LIKE '%consent%' ORDER BY attname`;
    assert.deepEqual(
      columns.map((row) => `${row.attname} ${row.type}`),
      [
        'data_processing_consent boolean',
        'data_processing_consent_at timestamp with time zone',
        'marketing_consent boolean',
        'marketing_consent_at timestamp with time zone',
      ],
    );
  });

  test('every table and every non-obvious object has a comment', async () => {
    const { sql } = database.current;
    const uncommented = await sql.unsafe(`
      WITH t AS (${TABLES}) SELECT relname FROM t WHERE obj_description(t.oid, 'pg_class') IS NULL`);
    assert.deepEqual([...uncommented], []);
  });
});
