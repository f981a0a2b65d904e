// What a typed query becomes before it reaches SQL (ADR 0088): words of letters and digits only, so that no
// tsquery operator, quote, backslash or null byte typed by someone ever reaches to_tsquery, and a bounded amount of
// it, so that a 10,000-character paste costs what a sentence costs.

/** At most this many words are matched; the rest of a long query is ignored. */
export const MAX_QUERY_WORDS = 8;
/** A word longer than this is cut: no title word is longer, and trigram work grows with length. */
export const MAX_WORD_LENGTH = 40;

export interface PreparedQuery {
  /** The words to match, lower case, accents kept (the text search configurations fold them). */
  words: string[];
  /** The words joined by spaces: compared with search_index.title_folded for typos and exact titles. */
  phrase: string;
  /** What is kept in the searcher's history: the query as typed, without control characters, trimmed, ≤ 500. */
  display: string;
}

// Control characters (null bytes included) and unpaired surrogates are dropped before anything else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const WORD = /[\p{L}\p{N}]+/gu;

/** Splits a typed query into searchable words; an empty `words` means nothing can match (only punctuation). */
export function prepareQuery(typed: string): PreparedQuery {
  const cleaned = typed.toWellFormed().replace(CONTROL, ' ').normalize('NFC');
  const words: string[] = [];
  for (const match of cleaned.toLowerCase().matchAll(WORD)) {
    words.push(match[0].slice(0, MAX_WORD_LENGTH));
    if (words.length === MAX_QUERY_WORDS) break;
  }
  return {
    words,
    phrase: words.join(' '),
    display: cleaned.replace(/\s+/g, ' ').trim().slice(0, 500).trim(),
  };
}
