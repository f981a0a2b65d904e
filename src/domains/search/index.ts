// The search domain (spec §14 Search). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0012). */
export const searchTables = ['search_queries', 'search_index'] as const;
