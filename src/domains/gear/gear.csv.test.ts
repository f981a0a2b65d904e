// CSV import/export of one's gear (issue 17 §8, ADR 0079): round trip, per-row errors, the row cap, encodings,
// formula neutralisation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { neutralise, unneutralise } from './gear.csv.ts';
import { as, item, person, SYNTHESIZERS, type Person } from './gear.test-support.ts';

const testApp = useTestApp();

const HEADER =
  'name,category,brand,model,serial_number,purchase_date,purchase_price,currency,purchased_from,condition,status,notes,is_public';

function upload(who: Person, body: string | Buffer, contentType = 'text/csv') {
  return testApp.current.app.inject({
    method: 'POST',
    url: '/v1/me/gear/import',
    headers: { authorization: who.authorization, 'content-type': contentType },
    payload: body,
  });
}

const exported = async (who: Person) => {
  const answer = await as(testApp.current, who)('GET', '/v1/me/gear/export');
  assert.equal(answer.statusCode, 200, answer.body);
  assert.match(String(answer.headers['content-type']), /^text\/csv/);
  return answer.body;
};

test('neutralising is undone exactly by the import', () => {
  for (const cell of [
    "=cmd|' /C calc'!A0",
    '+1',
    '-5 dB pad',
    '@SUM(A1)',
    '\tx',
    '\rx',
    "'=already",
    'plain',
    "'quoted",
    '',
  ])
    assert.equal(unneutralise(neutralise(cell)), cell, JSON.stringify(cell));
  assert.equal(neutralise('=cmd|x'), "'=cmd|x");
  assert.equal(neutralise("'=x"), "''=x");
});

test('export, import into another account, export again: the same file; formulas neutralised', async () => {
  const alice = await person(testApp.current);
  await item(testApp.current, alice, { notes: "=cmd|' /C calc'!A0", brand: '@Risky, "quoted"', is_public: true });
  await item(testApp.current, alice, {
    name: 'Lead synth',
    category_id: SYNTHESIZERS,
    purchase_price: null,
    currency: null,
    serial_number: null,
    notes: 'Two\nlines',
  });
  const first = await exported(alice);
  const lines = first.split('\r\n');
  assert.equal(lines[0], HEADER);
  assert.ok(first.includes("'=cmd|"), 'the formula is neutralised');
  assert.ok(!/(^|,)=cmd/m.test(first), 'no cell starts with =');
  assert.ok(first.includes('"\'@Risky, ""quoted"""'), first);

  const bob = await person(testApp.current);
  const imported = await upload(bob, first);
  assert.equal(imported.statusCode, 200, imported.body);
  assert.deepEqual(imported.json(), { imported: 2 });
  const again = await exported(bob);
  assert.equal(again, first);
  const [stored] = await testApp.current.database.sql`
    SELECT notes FROM equipment WHERE user_id = ${bob.id} AND notes LIKE '=%'`;
  assert.equal(stored?.notes, "=cmd|' /C calc'!A0", 'stored as typed, neutralised only in the file');
});

test('row-level errors name the record, the column and the rule, and nothing is imported', async () => {
  const who = await person(testApp.current);
  const csv = [
    HEADER,
    'Good mic,microphones,,,,2024-01-01,10.00,EUR,,,,,true',
    ',microphones,,,,,,,,,,,',
    'Bad date,microphones,,,,2024-02-30,,,,,,,',
    'No currency,microphones,,,,,10.00,,,,,,',
    'Unknown,spaceships,,,,,,,,,,,maybe',
    'Bad price,microphones,,,,,12.345,EUR,,shiny,,,',
  ].join('\n');
  const answer = await upload(who, csv);
  assert.equal(answer.statusCode, 422, answer.body);
  assert.equal(answer.json().code, 'GEAR_CSV_INVALID');
  const errors = answer.json().errors.map((e: { field: string; rule: string }) => `${e.field} ${e.rule}`);
  for (const expected of [
    'rows[3].name required',
    'rows[4].purchase_date date',
    'rows[5].currency required',
    'rows[6].category exists',
    'rows[6].is_public boolean',
    'rows[7].purchase_price pattern',
    'rows[7].condition enum',
  ])
    assert.ok(errors.includes(expected), `${expected} in ${errors.join('; ')}`);
  const [count] = await testApp.current.database
    .sql`SELECT count(*)::int AS n FROM equipment WHERE user_id = ${who.id}`;
  assert.equal(count?.n, 0);

  const badHeader = await upload(who, 'name,colour\nMic,red');
  assert.equal(badHeader.statusCode, 422);
  assert.deepEqual(
    badHeader.json().errors.map((e: { rule: string }) => e.rule),
    ['column', 'required'],
  );
  const unclosed = await upload(who, `${HEADER}\n"Mic,microphones`);
  assert.equal(unclosed.statusCode, 422);
  assert.equal(unclosed.json().code, 'GEAR_CSV_INVALID');
});

test('100,000 rows are refused quickly, by size (413) or by count (422); 5,000 pass', async () => {
  const who = await person(testApp.current);
  const big = `${HEADER}\n${'Mic,microphones,,,,,,,,,,,\n'.repeat(100_000)}`;
  let began = performance.now();
  const bySize = await upload(who, big);
  assert.equal(bySize.statusCode, 413);
  assert.ok(performance.now() - began < 5_000);
  const tiny = `name,category\n${'a,microphones\n'.repeat(100_000)}`;
  began = performance.now();
  const byCount = await upload(who, tiny);
  assert.equal(byCount.statusCode, 422, byCount.body);
  assert.equal(byCount.json().code, 'GEAR_CSV_TOO_MANY_ROWS');
  assert.ok(performance.now() - began < 5_000, `${performance.now() - began} ms`);
  const cap = await upload(who, `name,category\n${'a,microphones\n'.repeat(5_000)}`);
  assert.equal(cap.statusCode, 200, cap.body);
  assert.equal(cap.json().imported, 5_000);
});

test('UTF-8 with or without BOM is read; UTF-16, Latin-1 and a declared other charset are refused clearly', async () => {
  const who = await person(testApp.current);
  const text = 'name,category,brand\nMicro à lampe,microphones,Schoeps\n';
  const plain = await upload(who, Buffer.from(text, 'utf8'));
  assert.equal(plain.statusCode, 200, plain.body);
  const bom = await upload(who, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
  assert.equal(bom.statusCode, 200, bom.body);
  const names = await testApp.current.database.sql`SELECT name FROM equipment WHERE user_id = ${who.id}`;
  assert.deepEqual(
    names.map((r) => r.name),
    ['Micro à lampe', 'Micro à lampe'],
  );
  const utf16 = await upload(who, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  assert.equal(utf16.statusCode, 415);
  assert.equal(utf16.json().errors[0].rule, 'utf-16');
  const latin1 = await upload(who, Buffer.from(text, 'latin1'));
  assert.equal(latin1.statusCode, 415);
  assert.equal(latin1.json().errors[0].rule, 'utf-8');
  const declared = await upload(who, Buffer.from(text, 'utf8'), 'text/csv; charset=windows-1252');
  assert.equal(declared.statusCode, 415);
  assert.equal(declared.json().code, 'GEAR_CSV_ENCODING');
  const json = await as(testApp.current, who)('POST', '/v1/me/gear/import', { name: 'x' });
  assert.ok(json.statusCode === 415 || json.statusCode === 422, `${json.statusCode}`);
});
