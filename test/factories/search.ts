import { randomUUID } from 'node:crypto';
import type { Factory } from './insert-row.ts';
import { insertRow, parentId } from './insert-row.ts';
import { authFactories } from './auth.ts';

export const searchFactories = {
  search_queries: async (sql, o = {}) =>
    insertRow(sql, 'search_queries', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      query_text: 'lofi piano',
      filters: sql.json({ entity_types: ['track'] }),
      result_count: 12,
      ...o,
    }),
  search_index: async (sql, o = {}) =>
    insertRow(sql, 'search_index', {
      entity_type: 'track',
      entity_id: randomUUID(),
      owner_id: await parentId(o, 'owner_id', () => authFactories.users(sql)),
      title: 'Café nocturne',
      subtitle: 'Élise Martin',
      body: 'Late-night lo-fi piano with brushed drums.',
      facets: sql.json({ genre: 'lofi', bpm: 72 }),
      ...o,
    }),
  search_terms: async (sql, o = {}) =>
    insertRow(sql, 'search_terms', { term: `nocturne${randomUUID().slice(0, 8)}`, ...o }),
} satisfies Record<string, Factory>;
