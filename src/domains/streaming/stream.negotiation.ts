// Which audio to send for a stream request (ADR 0047), as pure functions: the quality asked for, the renditions
// the track has, whether the original may go, and the client's Accept header (RFC 9110 §12.5.1).

/** `low` = the 128 kb/s AAC rendition, `high` = 256 kb/s AAC, `original` = the uploaded file. */
export type Quality = 'low' | 'high' | 'original';
export const QUALITIES: readonly Quality[] = ['low', 'high', 'original'];
export const DEFAULT_QUALITY: Quality = 'high';

/** The file_conversions target of each rendition quality (ADR 0041). */
export const RENDITION_OF: Record<Exclude<Quality, 'original'>, { format: string; quality: string }> = {
  low: { format: 'aac', quality: '128k' },
  high: { format: 'aac', quality: '256k' },
};

/** A file the stream could send. */
export interface Candidate {
  quality: Quality;
  fileId: string;
  mimeType: string;
}

/**
 * Candidates in the order they should be tried: the quality asked for first, then the other rendition, then the
 * original when it may go (creator or downloadable track). Asking for `original` means the original or nothing.
 */
export function preferenceOrder(requested: Quality, available: Candidate[], originalAllowed: boolean): Candidate[] {
  const order: Quality[] =
    requested === 'original'
      ? ['original']
      : requested === 'low'
        ? ['low', 'high', 'original']
        : ['high', 'low', 'original'];
  const result: Candidate[] = [];
  for (const quality of order) {
    if (quality === 'original' && !originalAllowed) continue;
    const candidate = available.find((c) => c.quality === quality);
    if (candidate) result.push(candidate);
  }
  return result;
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const match = /^([\w.+-]+|\*)\/([\w.+-]+|\*)$/.exec(range.toLowerCase());
    if (!match) continue;
    let q = 1;
    for (const parameter of parameters) {
      const qMatch = /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(parameter);
      if (qMatch) q = Math.min(1, Number(qMatch[1]));
    }
    ranges.push({ type: match[1] ?? '', subtype: match[2] ?? '', q });
  }
  return ranges;
}

/**
 * How much the Accept header wants this media type (0: not at all), by its most specific matching range.
 * No header, or one this parser cannot read at all, accepts everything (RFC 9110 §12.5.1).
 */
export function acceptance(accept: string | undefined, mimeType: string): number {
  if (accept === undefined || accept.trim() === '') return 1;
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 1;
  const [type = '', subtype = ''] = mimeType.toLowerCase().split(';')[0]?.trim().split('/') ?? [];
  let best: { specificity: number; q: number } | undefined;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 3
        : range.type === type && range.subtype === '*'
          ? 2
          : range.type === '*' && range.subtype === '*'
            ? 1
            : 0;
    if (specificity > 0 && (!best || specificity > best.specificity)) best = { specificity, q: range.q };
  }
  return best?.q ?? 0;
}

/**
 * The candidate to send: the first in preference order the client accepts at its highest q. Undefined when the
 * client accepts none of them (406).
 */
export function negotiate(candidates: Candidate[], accept: string | undefined): Candidate | undefined {
  let chosen: { candidate: Candidate; q: number } | undefined;
  for (const candidate of candidates) {
    const q = acceptance(accept, candidate.mimeType);
    if (q > 0 && (!chosen || q > chosen.q)) chosen = { candidate, q };
  }
  return chosen?.candidate;
}

/**
 * A Subsonic-style request in our terms (for the OpenSubsonic API, ADR 0052): `format=raw` is the original,
 * a `maxBitRate` of 1-128 kb/s the low rendition, anything else (0 or absent: no limit) the high one.
 */
export function qualityForBitRate(maxBitRateKbps: number | undefined, format: string | undefined): Quality {
  if (format === 'raw') return 'original';
  if (maxBitRateKbps !== undefined && maxBitRateKbps > 0 && maxBitRateKbps <= 128) return 'low';
  return 'high';
}
