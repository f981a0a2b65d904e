// Signed stream links (ADR 0047): for players that cannot send a bearer token (an <audio src>, a cast device, a
// CDN). Whoever holds one plays that track at that quality until it expires, unless the track is deleted
// meanwhile. HMAC-SHA-256 over the track id, the quality and the expiry, under a key derived from the JWT secret
// for this purpose alone, so that neither a token nor a files link (signed-urls.ts) can pass for one.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StreamLink {
  expires: number;
  signature: string;
}

export class StreamLinkSigner {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('veza track stream link v1').digest();
  }

  #mac(trackId: string, quality: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${trackId}\n${quality}\n${expires}`).digest('base64url');
  }

  /** A link valid until `expiresAt` (whole seconds, Unix time). */
  sign(trackId: string, quality: string, expiresAt: Date): StreamLink {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return { expires, signature: this.#mac(trackId, quality, expires) };
  }

  /** True when the signature is ours for this track and quality and `now` is before its expiry. */
  verify(trackId: string, quality: string, link: StreamLink, now: Date): boolean {
    if (!Number.isSafeInteger(link.expires) || link.expires * 1000 <= now.getTime()) return false;
    const expected = Buffer.from(this.#mac(trackId, quality, link.expires));
    const given = Buffer.from(link.signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
