// Search rules (issue 18 §1-4; ADRs 0087, 0088): what a query matches, how results page, what is remembered of
// it and for whom.
import { ApiError } from '../../platform/http/problem.ts';
import { SearchProblems } from './search.errors.ts';
import { SEARCH_TYPES, type SearchRepository, type SearchType } from './search.repository.ts';
import type { SearchQuery } from './search.schemas.ts';
import { prepareQuery } from './search.text.ts';

/** Ranked results page by position; deeper than this, a searcher is better served by a more precise query. */
export const MAX_SEARCH_OFFSET = 500;
/** Popular searches: a text counts once at least this many distinct people searched it (ADR 0088). */
export const POPULAR_MIN_SEARCHERS = 5;
const POPULAR_WINDOW_MS = 7 * 24 * 3600 * 1000;

// A ranked list has no stable key to resume after (recency moves scores), so the cursor is the position of the
// next page, wrapped so that clients treat it as opaque.
function encodeOffset(offset: number): string {
  return Buffer.from(`search:${offset}`).toString('base64url');
}

function decodeOffset(cursor: string): number {
  const match = /^search:(\d{1,4})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(offset) || offset <= 0 || offset > MAX_SEARCH_OFFSET) {
    throw new ApiError(SearchProblems.cursorInvalid);
  }
  return offset;
}

export interface SearchServiceDeps {
  repository: SearchRepository;
  historyEnabledOf: (userId: string) => Promise<boolean>;
  setHistoryEnabled: (userId: string, value: boolean) => Promise<void>;
  now?: () => Date;
}

export class SearchService {
  readonly #deps: SearchServiceDeps;

  constructor(deps: SearchServiceDeps) {
    this.#deps = deps;
  }

  /**
   * One page of results for `viewerId` (undefined: anonymous). A query without a single letter or digit matches
   * nothing and is not remembered. The first page of a signed-in searcher's query is kept in their history unless
   * they turned it off.
   */
  async search(viewerId: string | undefined, query: SearchQuery) {
    const offset = query.cursor === undefined ? 0 : decodeOffset(query.cursor);
    const prepared = prepareQuery(query.q);
    if (prepared.words.length === 0) return { items: [], next_cursor: null };
    const types: readonly SearchType[] = query.type ? [query.type] : SEARCH_TYPES;
    const hits = await this.#deps.repository.search({
      words: prepared.words,
      phrase: prepared.phrase,
      types,
      viewerId,
      limit: query.limit + 1,
      offset,
    });
    const kept = hits.slice(0, query.limit);
    const nextOffset = offset + query.limit;
    if (viewerId !== undefined && offset === 0 && prepared.display !== '') {
      if (await this.#deps.historyEnabledOf(viewerId)) {
        await this.#deps.repository.recordQuery({
          userId: viewerId,
          text: prepared.display,
          filters: query.type ? { entity_types: [query.type] } : {},
          resultCount: kept.length,
        });
      }
    }
    return {
      items: kept.map((hit) => ({
        type: hit.entity_type,
        id: hit.entity_id,
        title: hit.title,
        subtitle: hit.subtitle,
        facets: (hit.facets ?? {}) as Record<string, string | number | boolean>,
        published_at: hit.published_at?.toISOString() ?? null,
      })),
      next_cursor: hits.length > query.limit && nextOffset <= MAX_SEARCH_OFFSET ? encodeOffset(nextOffset) : null,
    };
  }

  async history(userId: string, limit: number) {
    const [recording, rows] = await Promise.all([
      this.#deps.historyEnabledOf(userId),
      this.#deps.repository.recentQueries(userId, limit),
    ]);
    return {
      recording,
      items: rows.map((row) => ({
        query: row.query_text,
        type: typeFilterOf(row.filters),
        searched_at: row.searched_at.toISOString(),
      })),
    };
  }

  async clearHistory(userId: string): Promise<void> {
    await this.#deps.repository.clearQueries(userId);
  }

  async setRecording(userId: string, recording: boolean) {
    await this.#deps.setHistoryEnabled(userId, recording);
    return { recording };
  }

  async popular(limit: number) {
    const now = this.#deps.now?.() ?? new Date();
    const items = await this.#deps.repository.popularQueries(
      new Date(now.getTime() - POPULAR_WINDOW_MS),
      POPULAR_MIN_SEARCHERS,
      limit,
    );
    return { items };
  }
}

/** The single type filter recorded with a search, if it was one of ours. */
function typeFilterOf(filters: unknown): SearchType | null {
  const types = (filters as { entity_types?: unknown } | null)?.entity_types;
  if (!Array.isArray(types) || types.length !== 1) return null;
  const [type] = types as unknown[];
  return (SEARCH_TYPES as readonly unknown[]).includes(type) ? (type as SearchType) : null;
}
