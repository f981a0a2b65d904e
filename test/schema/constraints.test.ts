import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type postgres from 'postgres';
import { allFactories } from '../factories/index.ts';
import type { Row } from '../factories/insert-row.ts';
import { allCheckCases } from './check-cases/index.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// Every CHECK, UNIQUE and FOREIGN KEY of the schema must reject a bad row with an error naming it.
// FKs and plain UNIQUEs are exercised straight from the catalog; CHECKs and expression/partial
// unique indexes need a hand-written bad row (check-cases/), and a constraint without one fails.

const database = useMigratedDatabase();

interface CatalogConstraint {
  table: string;
  name: string;
  kind: 'f' | 'u' | 'c' | 'x';
  columns: string[];
  columnTypes: string[];
}

async function catalogConstraints(sql: postgres.Sql): Promise<CatalogConstraint[]> {
  // Partitions inherit their parent's constraints, and a foreign key to a partitioned table gets an
  // internal clone per referenced partition (conparentid <> 0): the declared constraint is the one tested.
  const rows = await sql`
    SELECT c.relname AS table, con.conname AS name, con.contype AS kind,
           array_agg(a.attname::text ORDER BY k.ordinality) FILTER (WHERE a.attname IS NOT NULL) AS columns,
           array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ordinality) FILTER (WHERE a.attname IS NOT NULL) AS column_types
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    LEFT JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ordinality) ON true
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relispartition AND con.conparentid = 0
      AND con.contype IN ('f', 'u', 'c', 'x')
    GROUP BY c.relname, con.conname, con.contype
    ORDER BY c.relname, con.conname`;
  return rows.map((row) => ({
    table: row.table,
    name: row.name,
    kind: row.kind,
    columns: row.columns ?? [],
    columnTypes: row.column_types ?? [],
  }));
}

async function uniqueIndexesWithoutConstraint(sql: postgres.Sql) {
  return sql`
    SELECT t.relname AS table, i.relname AS name, (ix.indexprs IS NULL AND ix.indpred IS NULL) AS plain,
           array_agg(a.attname::text ORDER BY k.ordinality) AS columns
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    LEFT JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality) ON true
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition AND t.relkind IN ('r', 'p')
      AND ix.indisunique AND NOT ix.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid)
    GROUP BY t.relname, i.relname, ix.indexprs, ix.indpred
    ORDER BY 1, 2`;
}

async function expectRejection(attempt: Promise<unknown>, code: string, constraint: string): Promise<void> {
  await assert.rejects(attempt, (error: { code?: string; constraint_name?: string; message?: string }) => {
    assert.equal(error.code, code, `expected SQLSTATE ${code} from ${constraint}, got ${error.code}: ${error.message}`);
    assert.equal(error.constraint_name, constraint);
    return true;
  });
}

function factoryFor(table: string) {
  const factory = allFactories[table];
  if (!factory) throw new Error(`test/factories has no factory for table ${table}`);
  return factory;
}

/** A value of the column's type that no parent row has. */
function danglingValue(type: string): unknown {
  if (type === 'uuid') return randomUUID();
  if (type.startsWith('timestamp')) return new Date('1999-12-31T00:00:00Z');
  throw new Error(`no dangling value for a foreign-key column of type ${type}`);
}

describe('schema constraints', () => {
  test('every table has a factory that inserts a valid row', async () => {
    const { sql } = database.current;
    const tables = await sql`
      SELECT relname FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
      ORDER BY 1`;
    for (const { relname } of tables) {
      const row = await factoryFor(relname)(sql);
      assert.ok(row.id, `${relname} factory returned a row without id`);
    }
  });

  test('every foreign key rejects a row pointing at nothing, naming the constraint', async () => {
    const { sql } = database.current;
    const foreignKeys = (await catalogConstraints(sql)).filter((constraint) => constraint.kind === 'f');
    assert.ok(foreignKeys.length > 0);
    for (const fk of foreignKeys) {
      const overrides: Row = {};
      fk.columns.forEach((column, index) => {
        overrides[column] = danglingValue(fk.columnTypes[index] ?? '');
      });
      await expectRejection(factoryFor(fk.table)(sql, overrides), '23503', fk.name);
    }
  });

  test('every unique constraint and plain unique index rejects a duplicate, naming itself', async () => {
    const { sql } = database.current;
    const uniques = (await catalogConstraints(sql))
      .filter((constraint) => constraint.kind === 'u')
      .map(({ table, name, columns }) => ({ table, name, columns }));
    for (const index of await uniqueIndexesWithoutConstraint(sql)) {
      if (index.plain) uniques.push({ table: index.table, name: index.name, columns: index.columns });
    }
    assert.ok(uniques.length > 0);
    for (const unique of uniques) {
      const first = await factoryFor(unique.table)(sql);
      const duplicate = Object.fromEntries(unique.columns.map((column) => [column, first[column]]));
      await expectRejection(factoryFor(unique.table)(sql, duplicate), '23505', unique.name);
    }
  });

  test('every check constraint and expression or partial unique index has a bad-row case', async () => {
    const { sql } = database.current;
    const covered = new Set(allCheckCases.map((testCase) => testCase.constraint));
    const checks: string[] = (await catalogConstraints(sql))
      .filter((constraint) => constraint.kind === 'c')
      .map((c) => c.name);
    const specialUniques: string[] = (await uniqueIndexesWithoutConstraint(sql))
      .filter((i) => !i.plain)
      .map((i) => String(i.name));
    const missing = [...checks, ...specialUniques].filter((name) => !covered.has(name));
    assert.deepEqual(missing, [], 'constraints with no case in test/schema/check-cases');
    const unknown = [...covered].filter((name) => !checks.includes(name) && !specialUniques.includes(name));
    assert.deepEqual(unknown, [], 'cases naming constraints the schema does not have');
  });

  test('each bad-row case is rejected by the constraint it names', async () => {
    const { sql } = database.current;
    for (const testCase of allCheckCases) {
      const factory = factoryFor(testCase.table);
      if (testCase.first) {
        await factory(sql, testCase.first);
        await expectRejection(factory(sql, testCase.bad), '23505', testCase.constraint);
      } else {
        await expectRejection(factory(sql, testCase.bad), '23514', testCase.constraint);
      }
    }
  });
});
