// HTTP semantics of file delivery, as pure functions over headers and a file's facts (RFC 9110 §13-14): which
// byte range to send, whether a conditional request is answered 304, the entity tag, how the type is presented.
// No I/O here, so every branch is tested as a table (delivery.http.test.ts).

/** An inclusive byte range, as the storage's `get` takes it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The answer to a Range header for a representation of `size` bytes:
 * - `full`: send everything with 200 (no Range, one this server ignores, or a multi-range request: ADR 0042's
 *   single-range policy, RFC 9110 §14.2 lets a server ignore Range);
 * - `partial`: send one range with 206;
 * - `unsatisfiable`: 416 with `Content-Range: bytes *\/size`.
 */
export type RangeAnswer = { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function answerRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  // Another unit, or no unit at all: RFC 9110 §14.2 says ignore the header.
  if (!match?.[1]) return { kind: 'full' };
  const specs = match[1]
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (specs.length !== 1) return { kind: 'full' };
  const parsed = SPEC.exec(specs[0] ?? '');
  if (!parsed) return { kind: 'full' };
  const [, first = '', last = ''] = parsed;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // A suffix: the last N bytes. "-0" asks for nothing, which no range of a non-empty file satisfies.
    const length = Number(last);
    if (!Number.isSafeInteger(length) || length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  // "9-2" is not a range at all (ignored); "size-" is one that misses the file (416).
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/** What conditional requests compare against: bytes never change once stored, so both validators are strong. */
export interface Validators {
  etag: string;
  lastModified: Date;
}

/** The strong entity tag of stored bytes: their SHA-256 when known, else the file's id and size. */
export function fileEntityTag(file: { id: string; file_hash: string | null; file_size: number | string }): string {
  return file.file_hash ? `"${file.file_hash}"` : `"${file.id}-${String(file.file_size)}"`;
}

function listedTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}

/** If-None-Match on a GET or HEAD (weak comparison, RFC 9110 §13.1.2): true when the answer is 304. */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, v: Validators) {
  if (ifNoneMatch !== undefined) {
    const weakless = (tag: string) => tag.replace(/^W\//, '');
    return listedTags(ifNoneMatch).some((tag) => tag === '*' || weakless(tag) === v.etag);
  }
  // If-Modified-Since counts only without If-None-Match (§13.1.3), at the resolution of an HTTP date.
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(v.lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * If-Range (RFC 9110 §13.1.5): the range is honoured only when the client's validator still names these bytes
 * (a strong tag equal to ours, or exactly our Last-Modified); otherwise the whole file goes with 200.
 */
export function rangeStillValid(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Math.floor(v.lastModified.getTime() / 1000) * 1000;
}

/**
 * Types a browser may render inline from our origin. Everything else (HTML, SVG, XML, PDF, archives, unknown
 * types) goes as an attachment, so that uploaded markup can never run as a page of ours (issue 12 §5).
 */
export function servedInline(mimeType: string): boolean {
  if (mimeType === 'image/svg+xml') return false;
  return /^(audio|video)\//.test(mimeType) || /^image\/(png|jpeg|gif|webp|avif)$/.test(mimeType);
}

/** Content-Disposition with the display name, ASCII fallback plus RFC 8187 UTF-8 form. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_').slice(0, 200) || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
