// The typo vocabulary (ADR 0100): search_terms follows the public titles of search_index by a job rather than by a
// trigger, so that no write of a track or a post ever waits on another transaction that introduced the same new word.
// Every five minutes the words of the documents written lately are added; once a day the words no public document
// holds any more are forgotten and every word is added again (what a stopped scheduler missed).
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { createSearchRepository } from './search.repository.ts';

/** How far back the five-minute run looks: three runs, so a late or failed run loses nothing. */
export const VOCABULARY_LOOKBACK_MS = 15 * 60_000;

export const searchVocabulary: JobDefinition = {
  name: 'search.vocabulary',
  description: 'add to the typo vocabulary the words of the public search documents written lately (ADR 0100)',
  defaultSchedule: '*/5 * * * *',
  async run(context) {
    const added = await createSearchRepository(context.db).addVocabulary(
      new Date(context.now.getTime() - VOCABULARY_LOOKBACK_MS),
    );
    context.count('search_terms', added);
    context.log(`search.vocabulary: ${added} new word(s)`);
  },
};

export const searchVocabularyPrune: JobDefinition = {
  name: 'search.vocabulary-prune',
  description: 'forget the vocabulary words no public search document holds any more, and add any missed (ADR 0100)',
  defaultSchedule: '40 3 * * *',
  async run(context) {
    await context.transaction(async (tx) => {
      const repository = createSearchRepository(tx);
      const removed = await repository.pruneVocabulary();
      const added = await repository.addVocabulary(undefined);
      context.count('search_terms', removed + added);
      context.log(`search.vocabulary-prune: ${removed} word(s) forgotten, ${added} added`);
    });
  },
};
