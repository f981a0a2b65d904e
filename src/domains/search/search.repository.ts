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

/** Query words shorter than this match whole words only: a prefix of one or two letters matches half the vocabulary. */
const MIN_PREFIX_LENGTH = 3;
/** Query words shorter than this are never corrected: one changed letter in three makes another word. */
const MIN_CORRECTED_LENGTH = 4;
/** At most this many vocabulary words stand in for one unknown query word (ADR 0100). */
const CORRECTIONS_PER_WORD = 3;
/**
 * The farthest a correction may be (pg_trgm distance, 1 - similarity): 0.75 lets in a swap of two letters in a
 * six-letter word ("theroy" is 0.73 from "theory"), which pg_trgm's default threshold of 0.3 similarity would not.
 */
const MAX_CORRECTION_DISTANCE = 0.75;

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
 * The tsquery of the words: every word must match, as a French or English stem, as a whole word ('simple' with
 * accents folded) or, from three letters, as a prefix of one (autocomplete), or as one of the vocabulary words that
 * correct it when it is a typo. Words are letters and digits only (search.text.ts), and they and their corrections
 * travel as bound parameters: nothing typed is ever parsed as tsquery syntax.
 */
function tsqueryOf(words: string[], corrections: string[][]): RawBuilder<unknown> {
  const perWord = words.map((word, index) => {
    const simple =
      word.length >= MIN_PREFIX_LENGTH
        ? sql`to_tsquery('search_simple', ${word} || ':*')`
        : sql`plainto_tsquery('search_simple', ${word})`;
    const alternatives = [
      simple,
      sql`plainto_tsquery('search_french', ${word})`,
      sql`plainto_tsquery('search_english', ${word})`,
      ...(corrections[index] ?? []).map((term) => sql`plainto_tsquery('search_simple', ${term})`),
    ];
    return sql`(${sql.join(alternatives, sql` || `)})`;
  });
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
      const corrections = await correctionsOf(db, input.words);
      const query = tsqueryOf(input.words, corrections);
      // A corrected query matches every document holding any of the stand-ins: the title closest to what was typed
      // goes first. Computed only over the documents the words matched, never over the whole index.
      const closeness = corrections.some((terms) => terms.length > 0)
        ? sql`0.5 * word_similarity(${phrase}, si.title_folded)`
        : sql`0`;
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
        WHERE si.tsv_folded @@ ${query} AND ${listed}
        ORDER BY score DESC, si.entity_type, si.entity_id
        LIMIT ${input.limit} OFFSET ${input.offset}`.execute(db);
      return result.rows.map((row) => ({ ...row, score: Number(row.score) }));
    },

    /**
     * Adds to the vocabulary the words of the public documents written since `since` (every document when
     * undefined); answers how many words were new. Sorted, so that two runs never wait on each other in a cycle.
     */
    async addVocabulary(since: Date | undefined): Promise<number> {
      const result = await sql`
        INSERT INTO search_terms (term)
        SELECT DISTINCT word
        FROM search_index si, unnest(search_terms_of(si.title, si.subtitle)) AS word
        WHERE si.deleted_at IS NULL AND si.visibility = 'public'
          AND (${since ?? null}::timestamptz IS NULL OR si.updated_at >= ${since ?? null}::timestamptz)
        ORDER BY word
        ON CONFLICT (term) DO NOTHING`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    /**
     * Forgets the words no public document holds any more (a renamed title, an erased account's name); answers how
     * many. A word is kept while any public document's vector holds it, its body included.
     */
    async pruneVocabulary(): Promise<number> {
      const result = await sql`
        DELETE FROM search_terms st
        WHERE NOT EXISTS (
          SELECT FROM search_index si
          WHERE si.tsv_folded @@ plainto_tsquery('search_simple', st.term)
            AND si.deleted_at IS NULL AND si.visibility = 'public')`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    /** Rewrites every document from its source and drops orphans, one source at a time; answers the counts. */
    async rebuild(): Promise<Record<SearchType, number>> {
      return db.transaction().execute(async (trx) => {
        await sql`SET LOCAL statement_timeout = 0`.execute(trx);
        for (const fn of Object.values(SYNC_FUNCTIONS)) {
          await sql`SELECT ${sql.ref(fn)}(NULL::uuid[])`.execute(trx);
        }
        await sql`DELETE FROM search_terms`.execute(trx);
        await sql`
          INSERT INTO search_terms (term)
          SELECT DISTINCT word
          FROM search_index si, unnest(search_terms_of(si.title, si.subtitle)) AS word
          WHERE si.deleted_at IS NULL AND si.visibility = 'public'
          ORDER BY word`.execute(trx);
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

/**
 * For each query word, the vocabulary words that stand in for it when it is a typo (ADR 0100): a word of at least
 * MIN_CORRECTED_LENGTH letters that is no vocabulary word (nor, from MIN_PREFIX_LENGTH letters, the start of one) gets
 * the CORRECTIONS_PER_WORD closest by trigram distance, within MAX_CORRECTION_DISTANCE. Known words get none: a
 * correctly spelt query matches exactly what it says.
 */
async function correctionsOf(db: Database, words: string[]): Promise<string[][]> {
  const candidates = words.map((word, index) => ({ word, index })).filter((w) => w.word.length >= MIN_CORRECTED_LENGTH);
  if (candidates.length === 0) return words.map(() => []);
  const { rows } = await sql<{ index: number; terms: string[] }>`
    SELECT q.index, coalesce(c.terms, '{}') AS terms
    FROM unnest(${candidates.map((c) => c.word)}::text[], ${candidates.map((c) => c.index)}::int[]) AS q(word, index)
    CROSS JOIN LATERAL (SELECT search_fold(q.word) AS folded) f
    LEFT JOIN LATERAL (
      SELECT array_agg(term ORDER BY distance, term) AS terms FROM (
        SELECT term, term <-> f.folded AS distance
        FROM search_terms
        ORDER BY term <-> f.folded
        LIMIT ${CORRECTIONS_PER_WORD}) closest
      WHERE distance <= ${MAX_CORRECTION_DISTANCE}
    ) c ON NOT EXISTS (
      -- The word itself or a word it starts: a range of the byte-ordered unique index.
      SELECT FROM search_terms known
      WHERE known.term >= f.folded AND known.term < f.folded || chr(1114111))`.execute(db);
  const corrections: string[][] = words.map(() => []);
  for (const row of rows) corrections[row.index] = row.terms;
  return corrections;
}
