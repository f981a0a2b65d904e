import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { loadTableRegistry } from '../lifecycle/table-registry.ts';
import { readCatalog } from './catalog.ts';
import { checkSchema, loadExceptions } from './check.ts';
import { RULES, type RuleId, type TableLifecycleFacts } from './rules.ts';
import { lifecycleFacts } from './registry-facts.ts';

const database = useMigratedDatabase();
const BASE_SQL = readFileSync(new URL('./fixtures/base.sql', import.meta.url), 'utf8');

const TABLE = `created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(), updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()`;
const maintained = (table: string) =>
  `CREATE TRIGGER trg_${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
   COMMENT ON TABLE ${table} IS 'fixture';`;

const BASE_REGISTRY: Record<string, TableLifecycleFacts> = {
  users: { userFacing: true, personalData: 'identifying' },
  notes: { userFacing: true, personalData: 'linked' },
  tags: { userFacing: false, personalData: 'none' },
};

interface Fixture {
  rule: RuleId;
  sql: string;
  registry?: Record<string, TableLifecycleFacts>;
  expected: string[];
}

/** One change per rule that breaks it, and the single violation the guard must report for it. */
const FIXTURES: Fixture[] = [
  {
    rule: 'table-id',
    sql: `CREATE TABLE genres (name VARCHAR(50) PRIMARY KEY, ${TABLE}); ${maintained('genres')}`,
    expected: ['genres'],
  },
  {
    rule: 'table-timestamps',
    sql: `CREATE TABLE genres (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), created_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
          COMMENT ON TABLE genres IS 'fixture';`,
    expected: ['genres.updated_at'],
  },
  {
    rule: 'updated-at-trigger',
    sql: `DROP TRIGGER trg_tags_updated_at ON tags;`,
    expected: ['tags'],
  },
  {
    rule: 'soft-delete',
    sql: `SELECT 1;`,
    registry: { tags: { userFacing: true, personalData: 'none' } },
    expected: ['tags'],
  },
  {
    rule: 'fk-on-delete',
    sql: `ALTER TABLE notes ADD COLUMN tag_id UUID;
          ALTER TABLE notes ADD CONSTRAINT fk_notes_tags FOREIGN KEY (tag_id) REFERENCES tags(id);
          CREATE INDEX idx_notes_tag_id ON notes(tag_id);`,
    expected: ['notes.fk_notes_tags'],
  },
  {
    rule: 'fk-index',
    sql: `ALTER TABLE notes ADD COLUMN tag_id UUID;
          ALTER TABLE notes ADD CONSTRAINT fk_notes_tags FOREIGN KEY (tag_id) REFERENCES tags(id) ON DELETE SET NULL;`,
    expected: ['notes.fk_notes_tags'],
  },
  {
    rule: 'snake-case',
    sql: `ALTER TABLE tags ADD COLUMN "colorHex" VARCHAR(7);`,
    expected: ['tags.colorHex'],
  },
  {
    rule: 'naming',
    sql: `CREATE INDEX tags_label_index ON tags(label);`,
    expected: ['tags.tags_label_index'],
  },
  {
    rule: 'naming',
    sql: `ALTER TABLE notes DROP CONSTRAINT fk_notes_users;
          ALTER TABLE notes ADD FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;`,
    expected: ['notes.notes_user_id_fkey'],
  },
  {
    rule: 'timestamptz',
    sql: `ALTER TABLE notes ADD COLUMN published_at TIMESTAMP;`,
    expected: ['notes.published_at'],
  },
  {
    rule: 'timestamptz',
    sql: `ALTER TABLE notes ADD COLUMN quiet_from TIMETZ, ADD COLUMN quiet_until TIME;`,
    expected: ['notes.quiet_from'],
  },
  {
    rule: 'enum-size',
    sql: `CREATE TYPE too_many AS ENUM (${Array.from({ length: 21 }, (_, i) => `'v${i}'`).join(', ')});`,
    expected: ['too_many'],
  },
  {
    rule: 'status-text',
    sql: `ALTER TABLE notes ADD COLUMN review_status VARCHAR(20);`,
    expected: ['notes.review_status'],
  },
  {
    rule: 'jsonb-gin',
    sql: `CREATE INDEX idx_notes_data_kind ON notes ((data ->> 'kind'));`,
    expected: ['notes.data'],
  },
  {
    rule: 'jsonb-gin',
    sql: `COMMENT ON COLUMN notes.data IS 'Attributes, queried by the search filters';`,
    expected: ['notes.data'],
  },
  {
    rule: 'ethics-name',
    sql: `CREATE TABLE listening_streaks (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), ${TABLE});
          ${maintained('listening_streaks')}`,
    registry: { listening_streaks: { userFacing: false, personalData: 'none' } },
    expected: ['listening_streaks'],
  },
  {
    rule: 'ethics-name',
    sql: `ALTER TABLE users ADD COLUMN wallet_address VARCHAR(64);`,
    expected: ['users.wallet_address'],
  },
  {
    rule: 'ethics-type',
    sql: `CREATE DOMAIN vector AS real[]; ALTER TABLE tags ADD COLUMN sound_signature vector;`,
    expected: ['tags.sound_signature'],
  },
  {
    rule: 'gdpr-consent',
    sql: `ALTER TABLE users DROP COLUMN marketing_consent_at;`,
    expected: ['users.marketing_consent_at'],
  },
  {
    rule: 'gdpr-registry',
    sql: `CREATE TABLE contacts (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), email VARCHAR(255) NOT NULL, ${TABLE});
          ${maintained('contacts')}`,
    expected: ['contacts'],
  },
  {
    rule: 'gdpr-registry',
    sql: `SELECT 1;`,
    registry: { notes: { userFacing: true, personalData: 'none' } },
    expected: ['notes'],
  },
  {
    rule: 'table-comment',
    sql: `COMMENT ON TABLE tags IS NULL;`,
    expected: ['tags'],
  },
];

/** Builds the fixture in a schema of its own and returns what the guard reports for it. */
async function violationsOf(sql: string, registry: Record<string, TableLifecycleFacts>) {
  const { sql: db } = database.current;
  const schema = `fixture_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await db.unsafe(`CREATE SCHEMA ${schema}`);
  try {
    await db.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL search_path TO ${schema}, pg_catalog`);
      await tx.unsafe(BASE_SQL);
      await tx.unsafe(sql);
    });
    const catalog = await readCatalog(db, schema);
    return checkSchema(catalog, new Map(Object.entries({ ...BASE_REGISTRY, ...registry }))).violations;
  } finally {
    await db.unsafe(`DROP SCHEMA ${schema} CASCADE`);
  }
}

describe('schema guard rules', () => {
  test('the base fixture satisfies every rule', async () => {
    assert.deepEqual(await violationsOf('SELECT 1;', {}), []);
  });

  for (const fixture of FIXTURES) {
    test(`${fixture.rule}: reports exactly ${fixture.expected.join(', ')}`, async () => {
      const violations = await violationsOf(fixture.sql, fixture.registry ?? {});
      assert.deepEqual(
        violations.map((v) => `${v.rule} ${v.object}`),
        fixture.expected.map((object) => `${fixture.rule} ${object}`),
      );
    });
  }

  test('every rule has at least one violating fixture', () => {
    const covered = new Set(FIXTURES.map((fixture) => fixture.rule));
    assert.deepEqual(
      RULES.map((rule) => rule.id).filter((id) => !covered.has(id)),
      [],
    );
  });
});

describe('schema guard on our schema', () => {
  test('the migrated schema passes, with the declared exceptions, none of them stale', async () => {
    const catalog = await readCatalog(database.current.sql);
    const result = checkSchema(catalog, lifecycleFacts(loadTableRegistry()), loadExceptions());
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.staleExceptions, []);
  });

  test('an exception that matches nothing is reported as stale', async () => {
    const catalog = await readCatalog(database.current.sql);
    const result = checkSchema(catalog, lifecycleFacts(loadTableRegistry()), [
      ...loadExceptions(),
      { rule: 'table-comment', object: 'users', reason: 'users has a comment, so this excuses nothing' },
    ]);
    assert.deepEqual(
      result.staleExceptions.map((e) => e.object),
      ['users'],
    );
  });

  test('a malformed exceptions file is refused with the entry and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veza-exceptions-'));
    try {
      const file = join(dir, 'exceptions.json');
      await writeFile(file, JSON.stringify([{ rule: 'table-id', object: 'users' }]));
      assert.throws(() => loadExceptions(file), /entry 0: reason must say why/);
      await writeFile(file, JSON.stringify([{ rule: 'no-such-rule', object: 'users', reason: 'because it is fine' }]));
      assert.throws(() => loadExceptions(file), /entry 0: rule must be one of/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
