import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transactionsClosed } from '../../bench/http.ts';
import { pgbenchCommand, pgbenchScript, withoutComments } from '../../bench/pgbench.ts';
import { WORKLOADS, type Workload } from '../../bench/workloads.ts';
import { queryCompiler } from '../../src/platform/db/pool.ts';

test('a statement keeps its lines; comments go; a literal :name is spelt with chr(58); casts stay', () => {
  assert.equal(
    pgbenchCommand(`select to_char(x, 'HH24:MI') -- at :noon\n  from t /* :x */ where y = $1::uuid and z = 'a::b'`),
    `select to_char(x, ('HH24' || chr(58) || 'MI')) \n  from t   where y = $1::uuid and z = 'a::b'`,
  );
  assert.equal(
    withoutComments(`select '--not a comment' as "a--b" -- gone\n, 2`),
    `select '--not a comment' as "a--b" \n, 2`,
  );
});

test('a :name pgbench would bind, outside a literal, is refused rather than sent', () => {
  assert.throws(() => pgbenchCommand('select a[1:n] from t'), /would take a :name in the SQL/);
  assert.throws(() => pgbenchCommand(`select E'\\x:y'`), /would take a :name in the literal/);
});

test('every workload compiles to a pgbench script, the multi-line home feed included', () => {
  const db = queryCompiler();
  for (const workload of WORKLOADS) {
    // one column per name the statements read: a placeholder pool, enough to compile
    const columns = ['x'];
    const names = new Proxy<Record<string, unknown>>({}, { get: (_, name) => `${String(name)}-value` });
    const script = pgbenchScript(
      db,
      { ...workload, statements: (compiler) => workload.statements(compiler, names) },
      {
        table: 'bench_params.t',
        columns,
        rows: [{}],
      },
    );
    assert.ok(script.text.endsWith(';\n'), workload.name);
    // pgbench substitutes :name everywhere: only its own variables and defines may remain
    const variables = [...script.text.matchAll(/(?<!:):([A-Za-z_]\w*)/g)].map((match) => match[1]);
    const known = new Set(['n', 'i', 'client_id', 'clients', ...Object.keys(script.defines)]);
    assert.deepEqual(
      variables.filter((name) => !known.has(name as string)),
      [],
      `${workload.name}: ${script.text}`,
    );
  }
  const feed = pgbenchScript(db, WORKLOADS.find((w) => w.name === 'social.home_feed_1000') as Workload, {
    table: 'bench_params.t',
    columns: ['follower_id'],
    rows: [{}],
  });
  assert.match(feed.text, /\n/);
  assert.match(feed.text, /chr\(58\)/);
  void db.destroy();
});

test('a captured request whose transaction is cut by its end is told apart', () => {
  const statement = (text: string) => ({ text, values: [] });
  assert.equal(transactionsClosed([statement('begin'), statement('select 1'), statement('commit')]), true);
  assert.equal(transactionsClosed([statement('select 1')]), true);
  assert.equal(transactionsClosed([statement('select 1'), statement('BEGIN')]), false);
  assert.equal(transactionsClosed([statement('COMMIT'), statement('select 1')]), false);
});
