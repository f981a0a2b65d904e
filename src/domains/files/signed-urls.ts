// Short-lived signed links to a file's content (issue 12 §5): whoever holds one reads the bytes without a
// token until it expires, so a CDN or reverse proxy can cache them and an <audio> element can play them.
// The signature covers the file id and the expiry; HMAC-SHA-256 under a key derived from the JWT secret for
// this purpose alone (ADR 0042).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedLink {
  expires: number;
  signature: string;
}

export class UrlSigner {
  readonly #key: Buffer;

  constructor(secret: string) {
    // Derived, so that a link signature can never be replayed as (or confused with) a token signature.
    this.#key = createHmac('sha256', secret).update('veza files signed url v1').digest();
  }

  #mac(fileId: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${fileId}\n${expires}`).digest('base64url');
  }

  /** A link valid until `expiresAt` (whole seconds, Unix time). */
  sign(fileId: string, expiresAt: Date): SignedLink {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return { expires, signature: this.#mac(fileId, expires) };
  }

  /** True when the signature is ours for this file and `now` is before its expiry. */
  verify(fileId: string, link: SignedLink, now: Date): boolean {
    if (!Number.isSafeInteger(link.expires) || link.expires * 1000 <= now.getTime()) return false;
    const expected = Buffer.from(this.#mac(fileId, link.expires));
    const given = Buffer.from(link.signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
