import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { projectRoot } from '../../src/platform/project-root.ts';
import { EXCLUDED_TABLES, ML_VECTOR_TYPES, namesExcludedThing } from '../../src/schema-guard/ethics.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// Sections 4-10 of the spec, parsed from docs/spec (a copy of the spec this schema implements),
// compared column by column with the live catalog. Deliberate differences are listed below with
// the ADR that decided them; anything else is a bug.

const database = useMigratedDatabase();

interface SpecColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  defaultExpression: string | undefined;
}

const DEVIATIONS: Record<string, { notNull?: boolean; reason: string }> = {
  'playback_history.user_id': { notNull: false, reason: 'ADR 0003: anonymised rows keep their FK by setting it NULL' },
};

const SPEC_TYPES: Array<[RegExp, (match: RegExpMatchArray) => string]> = [
  [/^UUID\[\]$/, () => 'uuid[]'],
  [/^UUID$/, () => 'uuid'],
  [/^VARCHAR\((\d+)\)\[\]$/, (m) => `character varying(${m[1]})[]`],
  [/^VARCHAR\((\d+)\)$/, (m) => `character varying(${m[1]})`],
  [/^CHAR\((\d+)\)$/, (m) => `character(${m[1]})`],
  [/^DECIMAL\((\d+),(\d+)\)$/, (m) => `numeric(${m[1]},${m[2]})`],
  [/^TEXT$/, () => 'text'],
  [/^INTEGER$/, () => 'integer'],
  [/^BIGINT$/, () => 'bigint'],
  [/^BOOLEAN$/, () => 'boolean'],
  [/^TIMESTAMPTZ$/, () => 'timestamp with time zone'],
  [/^DATE$/, () => 'date'],
  [/^JSONB$/, () => 'jsonb'],
  [/^INET$/, () => 'inet'],
  [/^(user_role|visibility|order_status|message_type|notification_type)$/, (m) => m[1] ?? ''],
];

function catalogType(specType: string): string {
  for (const [pattern, map] of SPEC_TYPES) {
    const match = specType.match(pattern);
    if (match) return map(match);
  }
  throw new Error(`unknown spec type ${specType}`);
}

/** The CREATE TABLE statements of spec §4 to §10, as columns. */
function specColumns(): SpecColumn[] {
  const spec = readFileSync(join(projectRoot, 'docs', 'spec', 'ORIGIN_DATABASE_SCHEMA.md'), 'utf8');
  const modules = spec.slice(spec.indexOf('4. MODULE AUTH & SECURITY'), spec.indexOf('11-16. MODULES RESTANTS'));
  const columns: SpecColumn[] = [];
  for (const block of modules.matchAll(/^CREATE TABLE (\w+) \(\n([\s\S]*?)^\);/gm)) {
    const table = block[1] ?? '';
    for (const rawLine of (block[2] ?? '').split('\n')) {
      const line = rawLine.replace(/--.*$/, '').trim().replace(/,$/, '');
      const match = line.match(/^([a-z_]+) ([A-Za-z_]+(?:\(\d+(?:,\d+)?\))?(?:\[\])?)(.*)$/);
      if (!match || ['CONSTRAINT', 'PRIMARY'].includes(match[1] ?? '')) continue;
      const rest = match[3] ?? '';
      const defaultMatch = rest.match(/DEFAULT (.+?)(?: NOT NULL| UNIQUE| REFERENCES|$)/);
      columns.push({
        table,
        column: match[1] ?? '',
        type: catalogType(match[2] ?? ''),
        notNull: /NOT NULL|PRIMARY KEY/.test(rest),
        defaultExpression: defaultMatch?.[1]?.trim(),
      });
    }
  }
  return columns;
}

describe('spec sections 4-10', () => {
  const columns = specColumns();

  test('the parser found every table of sections 4 to 10', () => {
    assert.equal(new Set(columns.map((c) => c.table)).size, 8 + 5 + 4 + 8 + 7 + 9 + 12);
  });

  test('every column exists with the spec type, nullability and default', async () => {
    const { sql } = database.current;
    const problems: string[] = [];
    for (const spec of columns) {
      const [actual] = await sql`
        SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS default_expression
        FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = to_regclass(${spec.table}) AND a.attname = ${spec.column} AND NOT a.attisdropped`;
      const where = `${spec.table}.${spec.column}`;
      if (!actual) {
        problems.push(`${where} is missing`);
        continue;
      }
      if (actual.type !== spec.type) problems.push(`${where} is ${actual.type}, spec says ${spec.type}`);
      const expectedNotNull = DEVIATIONS[where]?.notNull ?? spec.notNull;
      if (actual.not_null !== expectedNotNull)
        problems.push(`${where} not null = ${actual.not_null}, expected ${expectedNotNull}`);
      if (spec.defaultExpression === undefined) {
        if (actual.default_expression !== null)
          problems.push(`${where} has default ${actual.default_expression}, spec has none`);
      } else if (actual.default_expression === null) {
        problems.push(`${where} has no default, spec says ${spec.defaultExpression}`);
      } else if (spec.defaultExpression === 'gen_random_uuid()') {
        if (actual.default_expression !== 'gen_random_uuid()')
          problems.push(`${where} default ${actual.default_expression}`);
      } else {
        // Both defaults are evaluated in one statement, so now() is the same instant on each side.
        const [same] = await sql.unsafe(
          `SELECT ((${spec.defaultExpression})::${spec.type}) IS NOT DISTINCT FROM (${actual.default_expression}) AS same`,
        );
        if (!same?.same)
          problems.push(`${where} default ${actual.default_expression}, spec says ${spec.defaultExpression}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every deviation listed above is still a deviation', () => {
    for (const where of Object.keys(DEVIATIONS)) {
      assert.ok(
        columns.some((c) => `${c.table}.${c.column}` === where),
        `${where} is not a spec column`,
      );
    }
  });
});

// ADR 0004: the spec's unique indexes that duplicate an inline UNIQUE exist as the uq_ constraint only.
const MERGED_INTO_CONSTRAINT: Record<string, string> = {
  idx_two_factor_configs_user_id: 'uq_two_factor_configs_user_id',
  idx_federated_identities_provider_user_id: 'uq_federated_identities_provider_user',
  idx_user_profiles_user_id: 'uq_user_profiles_user_id',
  idx_user_settings_user_id: 'uq_user_settings_user_id',
  idx_badges_slug: 'uq_badges_slug',
  idx_file_metadata_file_id: 'uq_file_metadata_file_id',
  idx_queues_user_id: 'uq_queues_user_id',
  idx_rooms_slug: 'uq_rooms_slug',
  idx_groups_slug: 'uq_groups_slug',
  idx_products_slug: 'uq_products_slug',
  idx_carts_user_id: 'uq_carts_user_id',
  idx_orders_order_number: 'uq_orders_order_number',
};

describe('spec indexes and named constraints (sections 4-10 and 20.2)', () => {
  const spec = readFileSync(join(projectRoot, 'docs', 'spec', 'ORIGIN_DATABASE_SCHEMA.md'), 'utf8');
  const modules = spec.slice(spec.indexOf('4. MODULE AUTH & SECURITY'), spec.indexOf('11-16. MODULES RESTANTS'));
  const critical = spec.slice(spec.indexOf('20.2 Critical Indexes'), spec.indexOf('20.3 Index Maintenance'));
  const indexes = [...`${modules}\n${critical}`.matchAll(/CREATE (?:UNIQUE )?INDEX (\w+) ON (\w+)/g)].map((m) => ({
    name: m[1] ?? '',
    table: m[2] ?? '',
  }));
  const constraints = [...modules.matchAll(/CONSTRAINT (\w+) /g)].map((m) => m[1] ?? '');

  test('every index the spec names exists on its table, or was merged into its unique constraint', async () => {
    const { sql } = database.current;
    assert.ok(indexes.length > 150, `parsed ${indexes.length} indexes`);
    const missing: string[] = [];
    for (const { name, table } of indexes) {
      const replacement = MERGED_INTO_CONSTRAINT[name];
      const [found] = replacement
        ? await sql`SELECT 1 FROM pg_constraint WHERE conname = ${replacement} AND conrelid = to_regclass(${table}) AND contype = 'u'`
        : await sql`SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(${name}) AND indrelid = to_regclass(${table})`;
      if (!found) missing.push(`${name} on ${table}`);
    }
    assert.deepEqual(missing, []);
  });

  test('every constraint the spec names exists', async () => {
    const { sql } = database.current;
    const rows = await sql`SELECT conname FROM pg_constraint WHERE conname IN ${sql(constraints)} AND conparentid = 0`;
    const present = new Set(rows.map((row) => row.conname));
    assert.deepEqual(
      constraints.filter((name) => !present.has(name)),
      [],
    );
  });
});

describe('spec section 17: excluded tables', () => {
  // The spec's list and the equivalents under other names live with the schema guard (src/schema-guard/ethics.ts).
  test('none of the tables of §17 exists', async () => {
    const { sql } = database.current;
    const present =
      await sql`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname IN ${sql([...EXCLUDED_TABLES])}`;
    assert.deepEqual([...present], []);
  });

  test('no table or column is an equivalent under another name, and no vector-like type exists', async () => {
    const { sql } = database.current;
    const names = await sql`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;
    const offending = names.filter(
      (row) => namesExcludedThing(row.table) || namesExcludedThing(row.column) || ML_VECTOR_TYPES.test(row.type),
    );
    assert.deepEqual([...offending], []);
  });
});
