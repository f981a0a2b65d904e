import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { readCatalog, type Catalog } from './catalog.ts';
import { diffSchemas, type ChangeClass, type RetentionFacts } from './diff.ts';
import { reviewChanges } from './review.ts';

const database = useMigratedDatabase();
const BASE_SQL = readFileSync(new URL('./fixtures/base.sql', import.meta.url), 'utf8');

/** The catalog of the fixture schema plus `change`, built in a schema named `schema`. */
async function catalogWith(schema: string, change: string): Promise<Catalog> {
  const { sql } = database.current;
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO ${schema}, pg_catalog`);
    await tx.unsafe(BASE_SQL);
    await tx.unsafe(change);
  });
  const catalog = await readCatalog(sql, schema);
  await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
  return catalog;
}

async function changesFor(change: string) {
  const schema = `diff_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const base = await catalogWith(schema, 'SELECT 1;');
  const head = await catalogWith(schema, change);
  return diffSchemas(base, head).map((c) => `${c.class} ${c.object}`);
}

const CASES: Array<{ class: ChangeClass; what: string; sql: string; expected: string[] }> = [
  {
    class: 'allowed',
    what: 'new non-unique index',
    sql: 'CREATE INDEX idx_tags_label ON tags(label);',
    expected: ['allowed tags.idx_tags_label'],
  },
  {
    class: 'allowed',
    what: 'new nullable column without default',
    sql: 'ALTER TABLE tags ADD COLUMN color VARCHAR(7);',
    expected: ['allowed tags.color'],
  },
  {
    class: 'allowed',
    what: 'new nullable column with a constant default',
    sql: "ALTER TABLE tags ADD COLUMN color VARCHAR(7) DEFAULT '#000000';",
    expected: ['allowed tags.color'],
  },
  {
    class: 'allowed',
    what: 'comment change',
    sql: "COMMENT ON TABLE tags IS 'Labels people put on notes';",
    expected: ['allowed tags'],
  },
  {
    class: 'needs-rfc',
    what: 'new table',
    sql: 'CREATE TABLE genres (id UUID PRIMARY KEY DEFAULT gen_random_uuid());',
    expected: ['needs-rfc genres'],
  },
  {
    class: 'needs-rfc',
    what: 'new column with a computed default',
    sql: 'ALTER TABLE tags ADD COLUMN seen_at TIMESTAMPTZ DEFAULT NOW();',
    expected: ['needs-rfc tags.seen_at'],
  },
  {
    class: 'needs-rfc',
    what: 'new NOT NULL column',
    sql: "ALTER TABLE tags ADD COLUMN color VARCHAR(7) NOT NULL DEFAULT '#000000';",
    expected: ['needs-rfc tags.color'],
  },
  {
    class: 'needs-rfc',
    what: 'new unique index',
    sql: 'CREATE UNIQUE INDEX uq_tags_label ON tags(label);',
    expected: ['needs-rfc tags.uq_tags_label'],
  },
  {
    class: 'needs-rfc',
    what: 'compatible type change',
    sql: 'ALTER TABLE tags ALTER COLUMN label TYPE VARCHAR(100);',
    expected: ['needs-rfc tags.label'],
  },
  {
    class: 'needs-rfc',
    what: 'new check constraint',
    sql: 'ALTER TABLE tags ADD CONSTRAINT chk_tags_label_length CHECK (length(label) > 0);',
    expected: ['needs-rfc tags.chk_tags_label_length'],
  },
  { class: 'forbidden', what: 'table dropped', sql: 'DROP TABLE tags;', expected: ['forbidden tags'] },
  {
    class: 'forbidden',
    what: 'column dropped',
    sql: 'ALTER TABLE notes DROP COLUMN data;',
    expected: ['forbidden notes.data'],
  },
  {
    class: 'forbidden',
    what: 'incompatible type change',
    sql: 'ALTER TABLE tags ALTER COLUMN label TYPE VARCHAR(20);',
    expected: ['forbidden tags.label'],
  },
  {
    class: 'forbidden',
    what: 'foreign key dropped',
    sql: 'ALTER TABLE notes DROP CONSTRAINT fk_notes_users;',
    expected: ['forbidden notes.fk_notes_users'],
  },
  {
    class: 'forbidden',
    what: 'excluded table added',
    sql: 'CREATE TABLE user_streaks (id UUID PRIMARY KEY DEFAULT gen_random_uuid());',
    expected: ['forbidden user_streaks'],
  },
];

describe('schema diff classes', () => {
  for (const testCase of CASES) {
    test(`${testCase.class}: ${testCase.what}`, async () => {
      assert.deepEqual(await changesFor(testCase.sql), testCase.expected);
    });
  }

  test('forbidden: a change of partitioning strategy', async () => {
    const changes = await changesFor(`
      DROP TABLE tags;
      CREATE TABLE tags (
          id UUID NOT NULL DEFAULT gen_random_uuid(),
          label VARCHAR(50) NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          CONSTRAINT tags_pkey PRIMARY KEY (id, created_at)
      ) PARTITION BY RANGE (created_at);
      CREATE TRIGGER trg_tags_updated_at BEFORE UPDATE ON tags FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
      COMMENT ON TABLE tags IS 'Labels';`);
    assert.ok(changes.includes('forbidden tags'), changes.join('\n'));
  });

  test('forbidden: a shortened retention period; needs an RFC: a longer one', () => {
    const empty: Catalog = { tables: [], enums: [], compositeTypes: [], functions: [], views: [], extensions: [] };
    const retention = (days: number | null) =>
      new Map<string, RetentionFacts>([['notes', { policy: 'fixed_period', maxAgeDays: days }]]);
    const classes = (before: number | null, after: number | null) =>
      diffSchemas(empty, empty, { base: retention(before), head: retention(after) }).map((c) => c.class);
    assert.deepEqual(classes(365, 90), ['forbidden']);
    assert.deepEqual(classes(null, 90), ['forbidden']);
    assert.deepEqual(classes(90, 365), ['needs-rfc']);
    assert.deepEqual(classes(90, 90), []);
  });
});

describe('schema diff review', () => {
  const needsRfc = [{ class: 'needs-rfc' as const, object: 'genres', description: 'new table' }];

  test('forbidden changes fail, whatever RFC is cited', async () => {
    const root = await mkdtemp(join(tmpdir(), 'veza-rfc-'));
    try {
      await mkdir(join(root, 'docs', 'rfc'), { recursive: true });
      await writeFile(join(root, 'docs', 'rfc', '0001-drop.md'), '# RFC');
      const review = reviewChanges(
        [{ class: 'forbidden', object: 'tags', description: 'table dropped' }],
        new Map([['0016_drop.up.sql', '-- RFC: docs/rfc/0001-drop.md\nDROP TABLE tags;']]),
        root,
      );
      assert.deepEqual(review.problems, ['forbidden: tags: table dropped']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('changes that need an RFC pass only when every new migration cites an existing RFC', async () => {
    const root = await mkdtemp(join(tmpdir(), 'veza-rfc-'));
    try {
      await mkdir(join(root, 'docs', 'rfc'), { recursive: true });
      await writeFile(join(root, 'docs', 'rfc', '0001-genres.md'), '# RFC: genres');
      const cite = '-- RFC: docs/rfc/0001-genres.md\nCREATE TABLE genres ();';
      assert.equal(
        reviewChanges(needsRfc, new Map([['0016_genres.up.sql', 'CREATE TABLE genres ();']]), root).problems.length,
        1,
      );
      assert.deepEqual(reviewChanges(needsRfc, new Map([['0016_genres.up.sql', cite]]), root).problems, []);
      assert.match(
        reviewChanges(
          needsRfc,
          new Map([['0016_genres.up.sql', '-- RFC: docs/rfc/0009-missing.md']]),
          root,
        ).problems.join(),
        /does not exist/,
      );
      assert.equal(
        reviewChanges([{ class: 'allowed', object: 'tags.idx', description: 'new index' }], new Map(), root).problems
          .length,
        0,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
