// What the server reads in a post's or a comment's text (issue 15 §3-4; ADR 0062, 0063): `#hashtags` and
// `@mentions`. Pure functions: the grammar is tested as a table of cases (posts.text.test.ts).

/** At most this many distinct hashtags in one post: more is a 422 (issue 15 "500 hashtags in a post"). */
export const MAX_HASHTAGS_PER_POST = 30;
/** hashtags.tag and hashtags.slug are VARCHAR(100). */
export const MAX_HASHTAG_LENGTH = 100;
/** At most this many accounts are notified of one text's mentions; further names stay plain text. */
export const MAX_MENTIONS = 20;

/**
 * A hashtag: `#` not preceded by a letter, digit, `_`, `#` or `&` (so `a#b`, `##x` and `&#123;` are not tags),
 * then letters (with their combining marks), digits and `_`, containing at least one letter (`#1` is not a tag).
 */
const HASHTAG = /(?<![\p{L}\p{M}\p{N}_#&])#([\p{L}\p{M}\p{N}_]+)/gu;
const HAS_LETTER = /\p{L}/u;

/** Mentions: `@` then a username (users.username: 3 to 30 letters, digits, underscores), not inside a word. */
const MENTION = /(?<![\w@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])/g;

/**
 * The matching key of a hashtag (ADR 0063): Unicode NFKD, combining marks removed, lower case, then NFC — so
 * `#Café`, `#CAFE` and `#cafe` are one tag, and full-width or ligature forms fold to their plain letters.
 * Returns '' for text that is no tag at all.
 */
export function hashtagSlug(tag: string): string {
  const folded = tag
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}_]/gu, '');
  return HAS_LETTER.test(folded) ? folded : '';
}

export interface ParsedHashtag {
  /** As first written in this text, without the `#`. */
  tag: string;
  slug: string;
}

export interface HashtagParse {
  tags: ParsedHashtag[];
  /** A `#word` longer than MAX_HASHTAG_LENGTH, if any (the caller refuses the text). */
  tooLong: string | undefined;
}

/** The distinct hashtags of a text, by slug, in order of first appearance. */
export function parseHashtags(text: string): HashtagParse {
  const bySlug = new Map<string, ParsedHashtag>();
  let tooLong: string | undefined;
  for (const match of text.matchAll(HASHTAG)) {
    const tag = match[1] ?? '';
    if (!HAS_LETTER.test(tag)) continue;
    if (tag.length > MAX_HASHTAG_LENGTH) {
      tooLong ??= tag;
      continue;
    }
    const slug = hashtagSlug(tag);
    if (slug === '' || slug.length > MAX_HASHTAG_LENGTH || bySlug.has(slug)) continue;
    bySlug.set(slug, { tag, slug });
  }
  return { tags: [...bySlug.values()], tooLong };
}

/** The distinct usernames a text mentions, lower-cased, at most MAX_MENTIONS. */
export function mentionedUsernames(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((m) => (m[1] ?? '').toLowerCase()))].slice(0, MAX_MENTIONS);
}
