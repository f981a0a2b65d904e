import type { SecretBox } from '../../platform/crypto/index.ts';
import type { ProviderIdentity } from './federation.client.ts';

/** What the server must remember between the redirect to the provider and the callback (ADR 0025). */
export interface LoginState {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Set when a logged-in user started the flow to link this provider to their account. */
  link: { userId: string; tokenVersion: number } | null;
}

/** A provider identity waiting for its person's consent to become an account. */
export interface PendingRegistration {
  provider: string;
  identity: ProviderIdentity;
  /** The provider's tokens, encrypted on their own: the sealed document is not stored, but they will be. */
  tokens: { accessToken: string; refreshToken: string | null; expiresAt: string | null };
  suggestedUsername: string;
}

/** Bound to the ciphertext as additional authenticated data: one kind of document cannot pass for another. */
type Purpose = 'oidc.login_state' | 'oidc.registration';

interface Envelope<T> {
  expiresAt: number;
  content: T;
}

/**
 * Seals a document for `ttlSeconds` with the application's secret box (AES-256-GCM, key from
 * VEZA_ENCRYPTION_KEYS): what the browser or the client holds between two requests can be neither read nor
 * forged. The result is base64url, safe in a cookie or in JSON.
 */
function seal<T>(box: SecretBox, purpose: Purpose, content: T, ttlSeconds: number): string {
  const envelope: Envelope<T> = { expiresAt: Date.now() + ttlSeconds * 1000, content };
  return Buffer.from(box.seal(JSON.stringify(envelope), purpose), 'utf8').toString('base64url');
}

/** The content of a sealed document of this purpose that has not expired, or null. */
function open<T>(box: SecretBox, purpose: Purpose, sealed: string): T | null {
  if (!/^[A-Za-z0-9_-]{1,12000}$/.test(sealed)) return null;
  let envelope: Envelope<T>;
  try {
    envelope = JSON.parse(box.open(Buffer.from(sealed, 'base64url').toString('utf8'), purpose)) as Envelope<T>;
  } catch {
    return null;
  }
  if (typeof envelope?.expiresAt !== 'number' || envelope.expiresAt <= Date.now()) return null;
  return envelope.content;
}

export const LOGIN_STATE_TTL_SECONDS = 600;
export const REGISTRATION_TTL_SECONDS = 900;

export const sealLoginState = (box: SecretBox, state: LoginState) =>
  seal(box, 'oidc.login_state', state, LOGIN_STATE_TTL_SECONDS);
export const openLoginState = (box: SecretBox, sealed: string) => open<LoginState>(box, 'oidc.login_state', sealed);
export const sealRegistration = (box: SecretBox, registration: PendingRegistration) =>
  seal(box, 'oidc.registration', registration, REGISTRATION_TTL_SECONDS);
export const openRegistration = (box: SecretBox, sealed: string) =>
  open<PendingRegistration>(box, 'oidc.registration', sealed);

/**
 * The cookie holding the sealed login state. The `__Host-` prefix makes browsers refuse it unless it is Secure,
 * host-only and for Path=/, so a sibling subdomain cannot plant its own state in the browser (login CSRF).
 */
export const LOGIN_STATE_COOKIE = '__Host-veza_oidc_state';

/**
 * HttpOnly (no script reads it), Secure, SameSite=Lax: sent on the provider's top-level redirect back to us,
 * not on cross-site subrequests. It expires with the state it holds.
 */
export function loginStateCookie(sealed: string): string {
  return `${LOGIN_STATE_COOKIE}=${sealed}; Path=/; Max-Age=${LOGIN_STATE_TTL_SECONDS}; HttpOnly; Secure; SameSite=Lax`;
}

/** Clears the login state: a state serves one callback. */
export function clearedLoginStateCookie(): string {
  return `${LOGIN_STATE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
}

/** The value of one cookie of a Cookie header (its first occurrence), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}
