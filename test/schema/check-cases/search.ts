import type { CheckCase } from './check-case.ts';

export const searchCheckCases: CheckCase[] = [
  { table: 'search_queries', constraint: 'chk_search_queries_query_text_not_blank', bad: { query_text: '   ' } },
  { table: 'search_queries', constraint: 'chk_search_queries_filters_object', bad: { filters: ['track'] } },
  { table: 'search_queries', constraint: 'chk_search_queries_result_count_non_negative', bad: { result_count: -1 } },
  { table: 'search_index', constraint: 'chk_search_index_entity_type_valid', bad: { entity_type: 'album' } },
  { table: 'search_index', constraint: 'chk_search_index_facets_object', bad: { facets: 'jazz' } },
  { table: 'search_terms', constraint: 'chk_search_terms_term_word', bad: { term: 'ab' } },
  { table: 'search_terms', constraint: 'chk_search_terms_term_word', bad: { term: 'Café' } },
  { table: 'search_terms', constraint: 'chk_search_terms_term_word', bad: { term: 'two words' } },
];
