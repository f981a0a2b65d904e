// What the bytes of an upload really are (issue 12 §3): the type comes from the content's magic numbers, never
// from the client's Content-Type or the name's extension, and each purpose has its own allow-list.
import { fileTypeFromFile } from 'file-type';

export const UPLOAD_PURPOSES = ['track', 'cover', 'avatar', 'product', 'attachment'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

type Family = 'audio' | 'image' | 'archive' | 'document';

/** Every type we accept anywhere, by the MIME type file-type reports, with its family and stored extension. */
const KNOWN_TYPES: Record<string, { family: Family; ext: string }> = {
  'audio/mpeg': { family: 'audio', ext: 'mp3' },
  'audio/wav': { family: 'audio', ext: 'wav' },
  'audio/x-flac': { family: 'audio', ext: 'flac' },
  'audio/flac': { family: 'audio', ext: 'flac' },
  'audio/ogg': { family: 'audio', ext: 'ogg' },
  'audio/opus': { family: 'audio', ext: 'opus' },
  'audio/x-m4a': { family: 'audio', ext: 'm4a' },
  'audio/mp4': { family: 'audio', ext: 'm4a' },
  'audio/aac': { family: 'audio', ext: 'aac' },
  'audio/aiff': { family: 'audio', ext: 'aiff' },
  'image/png': { family: 'image', ext: 'png' },
  'image/jpeg': { family: 'image', ext: 'jpg' },
  'image/webp': { family: 'image', ext: 'webp' },
  'image/gif': { family: 'image', ext: 'gif' },
  'application/zip': { family: 'archive', ext: 'zip' },
  'application/pdf': { family: 'document', ext: 'pdf' },
};

// SVG is deliberately absent: it is script-capable markup, and file-type cannot vouch for it anyway.
const ALLOWED_FAMILIES: Record<UploadPurpose, readonly Family[]> = {
  track: ['audio'],
  cover: ['image'],
  avatar: ['image'],
  // Sample packs and presets ship as archives; previews as audio.
  product: ['audio', 'archive'],
  attachment: ['audio', 'image', 'archive', 'document'],
};

/** Families a file name's extension claims, to catch a PNG named .mp3 even where images are allowed. */
const EXTENSION_FAMILY: Record<string, Family> = {
  mp3: 'audio',
  wav: 'audio',
  wave: 'audio',
  flac: 'audio',
  ogg: 'audio',
  oga: 'audio',
  opus: 'audio',
  m4a: 'audio',
  aac: 'audio',
  aif: 'audio',
  aiff: 'audio',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  webp: 'image',
  gif: 'image',
  zip: 'archive',
  pdf: 'document',
};

export type ContentVerdict =
  { ok: true; mimeType: string; ext: string } | { ok: false; reason: 'not-allowed' | 'mismatch'; detail: string };

/** Decides whether content whose sniffed MIME type is `sniffed` (null: unrecognised) may be kept for a purpose. */
export function judgeContent(sniffed: string | null, purpose: UploadPurpose, displayName: string): ContentVerdict {
  const known = sniffed === null ? undefined : KNOWN_TYPES[sniffed];
  const allowed = ALLOWED_FAMILIES[purpose];
  if (!known || !allowed.includes(known.family)) {
    const what = sniffed === null ? 'an unrecognised type' : sniffed;
    return {
      ok: false,
      reason: 'not-allowed',
      detail: `The content is ${what}; a ${purpose} upload accepts ${allowed.join(' or ')} files`,
    };
  }
  const dot = displayName.lastIndexOf('.');
  const claimed = dot > 0 ? EXTENSION_FAMILY[displayName.slice(dot + 1).toLowerCase()] : undefined;
  if (claimed !== undefined && claimed !== known.family) {
    return {
      ok: false,
      reason: 'mismatch',
      detail: `The name ends in .${displayName.slice(dot + 1)} (${claimed}) but the content is ${sniffed}`,
    };
  }
  return { ok: true, mimeType: sniffed as string, ext: known.ext };
}

export async function sniffFile(path: string): Promise<string | null> {
  return (await fileTypeFromFile(path))?.mime ?? null;
}

const MAX_NAME_LENGTH = 255;

/**
 * The original name, made safe to display and to put in a Content-Disposition: only its last path segment,
 * no control or bidirectional-override characters, no leading dots, at most 255 characters (extension kept).
 * It is never used to build a storage path: stored names are generated.
 */
export function sanitiseFilename(raw: string): string {
  const lastSegment = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (name === '') name = 'file';
  const chars = Array.from(name);
  if (chars.length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? Array.from(name.slice(dot)) : [];
    name = chars.slice(0, MAX_NAME_LENGTH - ext.length).join('') + ext.join('');
  }
  return name;
}
