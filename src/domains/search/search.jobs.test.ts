// The typo vocabulary follows the public titles (ADR 0100): the five-minute job adds the words of recent public
// documents and nothing private, the daily job forgets the words no public document holds any more, and a word the
// vocabulary knows corrects a typo while a correctly spelt word is never "corrected" into another.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { searchVocabulary, searchVocabularyPrune, VOCABULARY_LOOKBACK_MS } from './search.jobs.ts';
import { ids, person, row } from './search.test-support.ts';

const testApp = useTestApp();

async function terms(words: string[]): Promise<string[]> {
  const rows = await testApp.current.database.sql<{ term: string }[]>`
    SELECT term FROM search_terms WHERE term = ANY(${words}) ORDER BY term`;
  return rows.map((r) => r.term);
}

test('the vocabulary job adds the words of recent public documents only, and the prune forgets stale ones', async () => {
  const t = testApp.current;
  const { sql } = t.database;
  const owner = await person(t);
  const shown = await row(t, 'tracks', { creator_id: owner.id, title: 'Pangolin doré' });
  await row(t, 'tracks', { creator_id: owner.id, title: 'Kinkajou secret', visibility: 'private' });
  const old = await row(t, 'tracks', { creator_id: owner.id, title: 'Axolotl ancien' });
  // Written long before the run's window: the five-minute run does not look that far back.
  // (replica mode: the updated_at trigger would otherwise set it back to now)
  await sql.begin(async (tx) => {
    await tx`SET LOCAL session_replication_role = replica`;
    await tx`UPDATE search_index SET updated_at = now() - interval '1 hour' WHERE entity_id = ${old}`;
  });
  const run = (job: typeof searchVocabulary) =>
    runJob(job, { db: t.pool.db, dataDir: tmpdir(), triggeredBy: 'manual', now: new Date() });

  const first = await run(searchVocabulary);
  assert.equal(first.status, 'succeeded');
  assert.deepEqual(await terms(['pangolin', 'dore', 'kinkajou', 'secret', 'axolotl', 'ancien']), ['dore', 'pangolin']);
  assert.ok(VOCABULARY_LOOKBACK_MS < 60 * 60_000);

  assert.deepEqual(await ids(t, null, 'pangolni'), [shown], 'a swapped letter is corrected');
  assert.deepEqual(await ids(t, null, 'kinkajuo'), [], 'private words correct nothing');

  // The daily run adds what the short window missed and forgets the words of a retitled track.
  await sql`UPDATE tracks SET title = 'Tatou doré' WHERE id = ${shown}`;
  const daily = await run(searchVocabularyPrune);
  assert.equal(daily.status, 'succeeded');
  assert.deepEqual(await terms(['pangolin', 'dore', 'tatou', 'axolotl', 'ancien', 'kinkajou']), [
    'ancien',
    'axolotl',
    'dore',
    'tatou',
  ]);
  assert.deepEqual(await ids(t, null, 'pangolni'), []);
});

test('a word the vocabulary knows is matched as typed, not replaced by a neighbour', async () => {
  const t = testApp.current;
  const owner = await person(t);
  const cobalt = await row(t, 'tracks', { creator_id: owner.id, title: 'Cobalt' });
  const cobble = await row(t, 'tracks', { creator_id: owner.id, title: 'Cobble' });
  await runJob(searchVocabulary, { db: t.pool.db, dataDir: tmpdir(), triggeredBy: 'manual', now: new Date() });
  assert.deepEqual(await ids(t, null, 'cobalt'), [cobalt]);
  assert.deepEqual(await ids(t, null, 'cobble'), [cobble]);
  // A prefix of a known word is not a typo either: it autocompletes.
  assert.deepEqual(await ids(t, null, 'cobb'), [cobble]);
});
