import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { loadTableRegistry, type TableRegistry } from './table-registry.ts';

const database = useMigratedDatabase();

/** Column types a retention clock may have: a point in time (a date for day-partitioned or per-day rows). */
const CLOCK_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone', 'date']);

/**
 * User-facing tables that lack deleted_at, reported rather than fixed here: a profile is hidden through
 * users.deleted_at and deleted by the account anonymisation (migration 0003, spec §19.3).
 */
const KNOWN_USER_FACING_WITHOUT_DELETED_AT = ['user_profiles'];

test('the registry loads and validates', () => {
  const registry = loadTableRegistry();
  assert.ok(Object.keys(registry).length > 0);
  assert.equal(registry.users?.retention.policy, 'until_account_deletion');
});

test('the registry has exactly one entry per table of the migrated schema', async () => {
  const rows = await database.current.sql<{ relname: string }[]>`
    SELECT relname FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
    ORDER BY relname`;
  assert.deepEqual(
    Object.keys(loadTableRegistry()).sort(),
    rows.map((row) => row.relname),
  );
});

test('every table with a column referencing users(id) is registered as holding personal data', async () => {
  const rows = await database.current.sql<{ table: string }[]>`
    SELECT DISTINCT source.relname AS table
    FROM pg_constraint fk
    JOIN pg_class source ON source.oid = fk.conrelid
    WHERE fk.contype = 'f' AND fk.confrelid = 'public.users'::regclass AND NOT source.relispartition
    ORDER BY 1`;
  assert.ok(rows.length > 0);
  const registry = loadTableRegistry();
  const unclassified = rows.map((row) => row.table).filter((table) => registry[table]?.personalData === 'none');
  assert.deepEqual(unclassified, [], 'these tables reference users but are registered with personalData "none"');
});

test('every retention clock is an existing column of its table, of a time type', async () => {
  const rows = await database.current.sql<{ table: string; column: string; type: string }[]>`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND a.attnum > 0 AND NOT a.attisdropped`;
  const types = new Map(rows.map((row) => [`${row.table}.${row.column}`, row.type]));
  const problems = Object.entries(loadTableRegistry()).flatMap(([table, { retention }]) => {
    if (retention.clock === null) return [];
    const type = types.get(`${table}.${retention.clock}`);
    if (type === undefined) return [`${table}.${retention.clock} does not exist`];
    return CLOCK_TYPES.has(type) ? [] : [`${table}.${retention.clock} is ${type}`];
  });
  assert.deepEqual(problems, []);
});

test('user-facing tables have deleted_at, except the known gaps', async () => {
  const rows = await database.current.sql<{ table: string }[]>`
    SELECT c.relname AS table FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND a.attname = 'deleted_at' AND NOT a.attisdropped`;
  const withDeletedAt = new Set(rows.map((row) => row.table));
  const registry = loadTableRegistry();
  const lacking = Object.keys(registry).filter((table) => registry[table]?.userFacing && !withDeletedAt.has(table));
  assert.deepEqual(lacking, KNOWN_USER_FACING_WITHOUT_DELETED_AT);
});

test('personal data is never kept without a bound, except account data and legal holds (§18, §19.2)', () => {
  const registry: TableRegistry = loadTableRegistry();
  const unbounded = Object.entries(registry)
    .filter(([, entry]) => entry.personalData !== 'none' && entry.retention.maxAgeDays === null)
    .filter(([, { retention }]) => !['until_account_deletion', 'follows_parent'].includes(retention.policy))
    .map(([table, { retention }]) => `${table} (${retention.policy})`);
  // Reference data may only point at the admin who last edited it.
  assert.deepEqual(unbounded, ['feature_flags (reference_data)', 'system_configs (reference_data)']);
});

const directory = mkdtempSync(join(tmpdir(), 'veza-table-registry-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const validEntry = () => ({
  userFacing: false,
  personalData: 'identifying',
  retention: {
    policy: 'fixed_period',
    maxAgeDays: 90,
    clock: 'attempted_at',
    action: 'delete',
    spec: "§18.1 Journaux d'activité",
    note: 'Deleted 90 days after attempted_at.',
  },
});

let written = 0;
function loadWritten(content: unknown): TableRegistry {
  const path = join(directory, `registry-${(written += 1)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return loadTableRegistry(path);
}

type Change = (entry: Record<string, unknown>, retention: Record<string, unknown>) => unknown;

/** A registry of a valid `badges` entry and a `login_attempts` entry changed by `change`. */
function withEntry(change: Change): unknown {
  const { retention, ...rest } = validEntry();
  const entry: Record<string, unknown> = { ...rest, retention: { ...retention } };
  change(entry, entry.retention as Record<string, unknown>);
  const badges = {
    userFacing: false,
    personalData: 'none',
    retention: {
      policy: 'reference_data',
      maxAgeDays: null,
      clock: null,
      action: 'keep',
      spec: 'catalogue',
      note: 'Kept.',
    },
  };
  return { badges, login_attempts: entry };
}

test('a valid temporary registry loads', () => {
  const registry = loadWritten(withEntry(() => {}));
  assert.equal(registry.login_attempts?.retention.maxAgeDays, 90);
});

const malformed: [string, Change, string, RegExp][] = [
  ['an unknown entry field', (e) => (e.owner = 'auth'), 'owner', /unknown field/],
  ['an unknown retention field', (_, r) => (r.partition = true), 'retention.partition', /unknown field/],
  ['a missing field', (e) => delete e.personalData, 'personalData', /missing/],
  ['a missing retention field', (_, r) => delete r.note, 'retention.note', /missing/],
  ['a non-boolean userFacing', (e) => (e.userFacing = 'yes'), 'userFacing', /true or false/],
  ['an unknown personal data class', (e) => (e.personalData = 'sensitive'), 'personalData', /must be one of/],
  ['an unknown policy', (_, r) => (r.policy = 'forever'), 'retention.policy', /must be one of/],
  ['an unknown action', (_, r) => (r.action = 'shred'), 'retention.action', /must be one of/],
  [
    'an action the policy does not allow',
    (_, r) => (r.action = 'cascade'),
    'retention.action',
    /for policy "fixed_period"/,
  ],
  ['a fixed period without maxAgeDays', (_, r) => (r.maxAgeDays = null), 'retention.maxAgeDays', /must be set/],
  ['a negative maxAgeDays', (_, r) => (r.maxAgeDays = -1), 'retention.maxAgeDays', /positive whole number/],
  ['a fractional maxAgeDays', (_, r) => (r.maxAgeDays = 1.5), 'retention.maxAgeDays', /positive whole number/],
  ['maxAgeDays as a string', (_, r) => (r.maxAgeDays = '90'), 'retention.maxAgeDays', /positive whole number/],
  [
    'a limit on a policy without one',
    (_, r) => Object.assign(r, { policy: 'follows_parent', action: 'cascade' }),
    'retention.maxAgeDays',
    /must be null/,
  ],
  ['a limit without a clock', (_, r) => (r.clock = null), 'retention.clock', /must name the column/],
  [
    'a clock without a limit',
    (_, r) => Object.assign(r, { policy: 'follows_parent', action: 'cascade', maxAgeDays: null }),
    'retention.clock',
    /must be null when maxAgeDays is null/,
  ],
  ['a clock that is not a column name', (_, r) => (r.clock = 'NOW()'), 'retention.clock', /column name/],
  [
    'a messages purge measured from another column',
    (_, r) => Object.assign(r, { policy: 'until_deleted_by_user', maxAgeDays: 30 }),
    'retention.clock',
    /must be "deleted_at"/,
  ],
  [
    'a legal hold shorter than 7 years',
    (_, r) => Object.assign(r, { policy: 'legal_hold', maxAgeDays: 365, action: 'keep' }),
    'retention.maxAgeDays',
    /at least 2557/,
  ],
  [
    'identifying data kept as reference data',
    (_, r) => Object.assign(r, { policy: 'reference_data', maxAgeDays: null, clock: null, action: 'keep' }),
    'personalData',
    /cannot hold identifying/,
  ],
  ['a blank spec', (_, r) => (r.spec = '  '), 'retention.spec', /non-empty string/],
  ['a retention that is not an object', (e) => (e.retention = 'delete'), 'retention', /must be an object/],
];

for (const [what, change, field, problem] of malformed) {
  test(`a registry with ${what} is rejected, naming the table and the field`, () => {
    assert.throws(
      () => loadWritten(withEntry(change)),
      (error: Error) => {
        assert.match(error.message, /table "login_attempts"/);
        assert.ok(error.message.includes(`field "${field}"`), error.message);
        assert.match(error.message, problem);
        return true;
      },
    );
  });
}

test('a registry out of alphabetical order, not an object or not JSON is rejected', () => {
  const { badges, login_attempts } = withEntry(() => {}) as Record<string, unknown>;
  assert.throws(
    () => loadWritten({ login_attempts, badges }),
    /table "badges", field "\(name\)": is out of alphabetical order/,
  );
  assert.throws(() => loadWritten({ Badges: badges }), /table "Badges", field "\(name\)"/);
  assert.throws(() => loadWritten({ badges: [] }), /table "badges", field "\(entry\)": must be an object/);
  assert.throws(() => loadWritten([]), /must hold an object keyed by table name/);
  assert.throws(() => loadWritten('{"badges": '), /not valid JSON/);
  assert.throws(() => loadTableRegistry(join(directory, 'missing.json')), /cannot read the table registry/);
});
