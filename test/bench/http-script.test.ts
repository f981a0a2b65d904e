import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scriptOf, withoutColonNames } from '../../bench/http.ts';

test('a captured request becomes a pgbench script: one line per statement, each parameter a variable', () => {
  const script = scriptOf(
    [
      { text: 'select "id" from "users" where "id" = $1', values: ['8f0c6f5e-0000-4000-8000-000000000001'] },
      {
        text: 'select *\n  from "user_profiles"\n  where "user_id" = $1 and "x" = $2 and "y" = $10',
        values: ['u', null],
      },
    ],
    'e0r3',
  );
  assert.equal(
    script.text,
    'select "id" from "users" where "id" = :e0r3s0p1;\n' +
      'select * from "user_profiles" where "user_id" = :e0r3s1p1 and "x" = NULL and "y" = NULL;\n',
  );
  assert.deepEqual(script.defines, { e0r3s0p1: '8f0c6f5e-0000-4000-8000-000000000001', e0r3s1p1: 'u' });
});

test('a literal holding :name is spelt with chr(58), so pgbench does not take it for a variable', () => {
  assert.equal(
    withoutColonNames(`select to_char(x, 'HH24:MI:SS') as s, 'a::b', ':1' from t where y = $1`),
    `select to_char(x, ('HH24' || chr(58) || 'MI' || chr(58) || 'SS')) as s, 'a::b', ':1' from t where y = $1`,
  );
});
