// `veza search rebuild` as an operator runs it, on a real database (issue 18 §3, ADR 0087).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../test/factories/index.ts';
import { useTestApp } from '../../test/helpers/app.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';

const testApp = useTestApp();

test('veza search rebuild restores lost and stale documents, drops orphans, and a second run changes nothing', async () => {
  const { sql, url } = testApp.current.database;
  const track = await allFactories.tracks!(sql, { title: 'Hérisson lunaire' });
  const group = await allFactories.groups!(sql, { name: 'Cercle des hérissons' });
  await sql`DELETE FROM search_index WHERE entity_id = ${track.id as string}`;
  await sql`UPDATE search_index SET title = 'stale' WHERE entity_id = ${group.id as string}`;
  await sql`INSERT INTO search_index (entity_type, entity_id, title) VALUES ('course', gen_random_uuid(), 'Orphan')`;

  const first = await runVeza(['search', 'rebuild'], { DATABASE_URL: url });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /track\s+\d+\n/);
  assert.match(first.stdout, /search index rebuilt/);
  const documents = await sql`
    SELECT entity_type, entity_id, title FROM search_index ORDER BY entity_type, entity_id`;
  assert.ok(documents.some((d) => d.entity_id === track.id && d.title === 'Hérisson lunaire'));
  assert.ok(documents.some((d) => d.entity_id === group.id && d.title === 'Cercle des hérissons'));
  assert.ok(!documents.some((d) => d.title === 'Orphan'));

  const [before] = await sql`SELECT max(updated_at) AS at FROM search_index`;
  const second = await runVeza(['search', 'rebuild'], { DATABASE_URL: url });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  const [after] = await sql`SELECT max(updated_at) AS at FROM search_index`;
  assert.deepEqual(after!.at, before!.at);
});
