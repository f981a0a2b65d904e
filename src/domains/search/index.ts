// The search domain (spec §14 Search). Other domains import from this file only.
export { searchModule } from './search.module.ts';
export { searchVocabulary, searchVocabularyPrune } from './search.jobs.ts';
export { createSearchRepository, SEARCH_TYPES, type SearchType } from './search.repository.ts';

/** Tables this domain owns: only its repositories read or write them (migrations 0012, 0053). */
export const searchTables = ['search_queries', 'search_index', 'search_terms'] as const;
