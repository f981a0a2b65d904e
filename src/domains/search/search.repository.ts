// Every SQL statement of the search domain (spec §14; ADRs 0087, 0088): matching and ranking over search_index, the
// rebuild, and the searchers' history in search_queries.
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';
import { postListedTo, visibleDespiteBlocks } from '../social/index.ts';

/** The kinds of document search_index holds and the endpoint offers ('room' is indexed by no source yet). */
export const SEARCH_TYPES = ['track', 'user', 'playlist', 'product', 'post', 'group', 'course', 'hashtag'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** The sync functions of migration 0053, one per source, in the order the rebuild runs them. */
const SYNC_FUNCTIONS: Record<SearchType, string> = {
  user: 'search_index_sync_users',
  track: 'search_index_sync_tracks',
  playlist: 'search_index_sync_playlists',
  product: 'search_index_sync_products',
  post: 'search_index_sync_posts',
  group: 'search_index_sync_groups',
  course: 'search_index_sync_courses',
  hashtag: 'search_index_sync_hashtags',
};

// Trigram thresholds (ADR 0088): a whole-title similarity of 0.3 (pg_trgm's default) and a best-word similarity of
// 0.5 — one swapped or missing letter in an 8-letter word scores about 0.55 against the right title.
const TITLE_SIMILARITY = 0.3;
const WORD_SIMILARITY = 0.5;
/** Below this many full-text matches, a query is also matched by trigrams (typos). */
const FUZZY_BELOW = 10;

export interface SearchHit {
  entity_type: SearchType;
  entity_id: string;
  title: string;
  subtitle: string | null;
  facets: unknown;
  published_at: Date | null;
  score: number;
}

/**
 * The tsquery of the words: every word must match, as a prefix of a whole word (autocomplete, 'simple' with accents
 * folded) or as a French or English stem. Words are letters and digits only (search.text.ts), and they travel as
 * bound parameters: nothing typed is ever parsed as tsquery syntax.
 */
function tsqueryOf(words: string[]): RawBuilder<unknown> {
  const perWord = words.map(
    (word) =>
      sql`(to_tsquery('search_simple', ${word} || ':*') || plainto_tsquery('search_french', ${word}) || plainto_tsquery('search_english', ${word}))`,
  );
  return sql`(${sql.join(perWord, sql` && `)})`;
}

export function createSearchRepository(db: Database) {
  return {
    /**
     * One page of documents matching `words`, best first. Listing rules: the document is public and not deleted,
     * its owner's account is live (not deleted, deactivated or banned), neither the viewer nor the owner blocked
     * the other (the social domain's block rule), and a post passes the social domain's listing rule as well.
     * Nothing about the viewer enters the score.
     */
    async search(input: {
      words: string[];
      phrase: string;
      types: readonly SearchType[];
      viewerId: string | undefined;
      limit: number;
      offset: number;
    }): Promise<SearchHit[]> {
      const query = tsqueryOf(input.words);
      const phrase = sql`search_fold(${input.phrase})`;
      const prefixPattern = `${input.phrase.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const listed = sql`si.deleted_at IS NULL
            AND si.visibility = 'public'
            AND si.entity_type = ANY(${input.types}::text[])
            AND (si.owner_id IS NULL OR EXISTS (
                  SELECT FROM users so
                  WHERE so.id = si.owner_id AND so.deleted_at IS NULL AND so.is_active AND NOT so.is_banned))
            AND ${visibleDespiteBlocks(input.viewerId, 'si.owner_id')}
            AND (si.entity_type <> 'post' OR EXISTS (
                  SELECT FROM posts sp WHERE sp.id = si.entity_id AND ${postListedTo(input.viewerId, 'sp')}))`;
      return db.transaction().execute(async (trx) => {
        // Typo matching by trigrams is the expensive path (ADR 0088): it runs only for queries whose words alone
        // find fewer than FUZZY_BELOW documents. The choice is made per query, not per page, so pages agree.
        const { rows: counted } = await sql<{ found: number }>`
          SELECT count(*)::int AS found FROM (
            SELECT FROM search_index si WHERE si.tsv_folded @@ ${query} AND ${listed} LIMIT ${FUZZY_BELOW}) enough`.execute(
          trx,
        );
        const fuzzy = (counted[0]?.found ?? 0) < FUZZY_BELOW;
        if (fuzzy) {
          await sql`SELECT set_config('pg_trgm.similarity_threshold', ${String(TITLE_SIMILARITY)}, true),
                           set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY)}, true)`.execute(
            trx,
          );
        }
        const matches = fuzzy
          ? sql`(si.tsv_folded @@ ${query} OR si.title_folded % ${phrase} OR ${phrase} <% si.title_folded)`
          : sql`si.tsv_folded @@ ${query}`;
        // Trigram closeness of the title only counts where typos are looked for: computed over thousands of full-text
        // matches it would cost more than the match itself, and there the words matched exactly anyway.
        const closeness = fuzzy ? sql`0.5 * word_similarity(${phrase}, si.title_folded)` : sql`0`;
        const result = await sql<SearchHit>`
          SELECT si.entity_type, si.entity_id, si.title, si.subtitle, si.facets, si.published_at,
                 (ts_rank(si.tsv_folded, ${query}, 1)
                  + ${closeness}
                  + CASE WHEN si.title_folded = ${phrase} THEN 1.0
                         WHEN si.title_folded LIKE search_fold(${prefixPattern}) THEN 0.3
                         ELSE 0 END
                  + 0.1 / (1 + extract(epoch FROM now() - coalesce(si.published_at, si.created_at)) / 2592000.0)
                 )::float8 AS score
          FROM search_index si
          WHERE ${matches} AND ${listed}
          ORDER BY score DESC, si.entity_type, si.entity_id
          LIMIT ${input.limit} OFFSET ${input.offset}`.execute(trx);
        return result.rows.map((row) => ({ ...row, score: Number(row.score) }));
      });
    },

    /** Rewrites every document from its source and drops orphans, one source at a time; answers the counts. */
    async rebuild(): Promise<Record<SearchType, number>> {
      return db.transaction().execute(async (trx) => {
        await sql`SET LOCAL statement_timeout = 0`.execute(trx);
        for (const fn of Object.values(SYNC_FUNCTIONS)) {
          await sql`SELECT ${sql.ref(fn)}(NULL::uuid[])`.execute(trx);
        }
        const rows = await trx
          .selectFrom('search_index')
          .select(['entity_type', (eb) => eb.fn.countAll<string>().as('count')])
          .groupBy('entity_type')
          .execute();
        const counts = Object.fromEntries(SEARCH_TYPES.map((type) => [type, 0])) as Record<SearchType, number>;
        for (const row of rows)
          if (row.entity_type in counts) counts[row.entity_type as SearchType] = Number(row.count);
        return counts;
      });
    },

    async recordQuery(row: { userId: string; text: string; filters: Record<string, unknown>; resultCount: number }) {
      await db
        .insertInto('search_queries')
        .values({
          user_id: row.userId,
          query_text: row.text,
          filters: JSON.stringify(row.filters),
          result_count: row.resultCount,
        })
        .execute();
    },

    /** The user's latest searches, one line per distinct text (case and accents folded), newest first. */
    async recentQueries(userId: string, limit: number) {
      const result = await sql<{ query_text: string; filters: unknown; searched_at: Date }>`
        SELECT query_text, filters, searched_at FROM (
          SELECT DISTINCT ON (search_fold(query_text)) query_text, filters, searched_at
          FROM search_queries
          WHERE user_id = ${userId}
          ORDER BY search_fold(query_text), searched_at DESC, id DESC
        ) latest
        ORDER BY searched_at DESC
        LIMIT ${limit}`.execute(db);
      return result.rows;
    },

    async clearQueries(userId: string): Promise<number> {
      const result = await db.deleteFrom('search_queries').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * The most searched texts since `since`, folded, counted by distinct signed-in searchers; a text searched by
     * fewer than `minSearchers` people is left out, so that nothing typed by one person can surface. No user id
     * leaves this query.
     */
    async popularQueries(since: Date, minSearchers: number, limit: number) {
      const result = await sql<{ query: string; searchers: string }>`
        SELECT search_fold(query_text) AS query, count(DISTINCT user_id) AS searchers
        FROM search_queries
        WHERE searched_at >= ${since} AND user_id IS NOT NULL
        GROUP BY search_fold(query_text)
        HAVING count(DISTINCT user_id) >= ${minSearchers}
        ORDER BY searchers DESC, query
        LIMIT ${limit}`.execute(db);
      return result.rows.map((row) => ({ query: row.query, searchers: Number(row.searchers) }));
    },
  };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
