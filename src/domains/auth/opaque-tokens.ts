import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque tokens of the form `<selector>.<verifier>` (ADR 0021): the selector finds the row (the `token`
 * column), the verifier proves possession and is stored only as its SHA-256 (`token_hash`). A database
 * leak yields selectors and hashes, neither of which can be presented back.
 */
export interface OpaqueToken {
  /** What the client holds and sends back; shown once. */
  token: string;
  selector: string;
  /** Hex SHA-256 of the verifier: what is stored. */
  verifierHash: string;
}

const SELECTOR_BYTES = 16;
const VERIFIER_BYTES = 32;
// base64url of 16 and 32 bytes: 22 and 43 characters.
const FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function hashVerifier(verifier: string): string {
  return createHash('sha256').update(verifier, 'utf8').digest('hex');
}

export function newOpaqueToken(): OpaqueToken {
  const selector = randomBytes(SELECTOR_BYTES).toString('base64url');
  const verifier = randomBytes(VERIFIER_BYTES).toString('base64url');
  return { token: `${selector}.${verifier}`, selector, verifierHash: hashVerifier(verifier) };
}

/** Splits a presented token; null when it is not one of ours (no database lookup is worth making). */
export function parseOpaqueToken(presented: string): { selector: string; verifier: string } | null {
  const match = FORMAT.exec(presented);
  if (!match?.[1] || !match[2]) return null;
  return { selector: match[1], verifier: match[2] };
}

/** Constant-time comparison of a presented verifier with the stored hash. */
export function verifierMatches(verifier: string, storedHash: string): boolean {
  const presented = Buffer.from(hashVerifier(verifier), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
