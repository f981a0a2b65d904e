import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../platform/http/caller.ts';

const ISSUER = 'veza-core';
const AUDIENCE = 'veza-api';
const ROLES: readonly Role[] = ['user', 'creator', 'premium', 'moderator', 'admin'];

export interface AccessClaims {
  userId: string;
  /** users.token_version when the token was issued: bumping it kills every token at once. */
  tokenVersion: number;
  role: Role;
}

/** Short-lived JWT access tokens (HS256, jose): each carries exp and a unique jti, and both are required. */
export class AccessTokens {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#key = new TextEncoder().encode(secret);
    this.#ttlSeconds = ttlSeconds;
  }

  async issue(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.#ttlSeconds * 1000);
    const token = await new SignJWT({ tv: claims.tokenVersion, role: claims.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      // A unique id per token: two logins in the same second must not mint the same bearer string, and a
      // token can be named (logged, denied) on its own.
      .setJti(randomUUID())
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.#key);
    return { token, expiresAt };
  }

  /** The claims of a valid token, or null for an expired, forged or malformed one. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        // jose checks exp only when present: a correctly signed token without one would never expire.
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      });
      const role = payload.role as Role;
      if (typeof payload.sub !== 'string' || typeof payload.tv !== 'number' || !ROLES.includes(role)) return null;
      return { userId: payload.sub, tokenVersion: payload.tv, role };
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}
