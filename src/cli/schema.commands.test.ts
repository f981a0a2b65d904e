import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';
import { RULES } from '../schema-guard/rules.ts';

const database = useMigratedDatabase();
const veza = (args: string[]) => runVeza(args, { DATABASE_URL: database.current.url });

describe('veza schema check', () => {
  test('passes on our schema, and --rules lists every rule', async () => {
    const passed = await veza(['schema', 'check']);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /schema check: \d+ tables pass 17 rules/);
    const rules = await veza(['schema', 'check', '--rules']);
    for (const rule of RULES) assert.match(rules.stdout, new RegExp(`^${rule.id} `, 'm'));
  });

  test('fails with a non-zero exit, naming the rule and the object, when a database breaks a rule', async () => {
    const { sql } = database.current;
    await sql.unsafe(`
      CREATE TABLE listening_streaks (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
      CREATE TRIGGER trg_listening_streaks_updated_at BEFORE UPDATE ON listening_streaks
          FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
      COMMENT ON TABLE listening_streaks IS 'days in a row a person listened';`);
    const failed = await veza(['schema', 'check', '--current']);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^ethics-name\s+listening_streaks: is a structure excluded by spec §17$/m);
    assert.match(failed.stdout, /schema check: 1 problem\(s\)/);
  });
});
