// Signing a Subsonic player in (issue 13 §6, ADR 0051): `u` with an app password (`p`, plain or `enc:`-hex, or the
// token `t` = md5(password + `s`)), or an OpenSubsonic `apiKey` alone. The account password is never accepted here.
// Every failure is a Subsonic error code; none says whether the username exists.
import { createHash, timingSafeEqual } from 'node:crypto';
import { DecryptionError, type SecretBox } from '../../../platform/crypto/index.ts';
import type { Caller } from '../../../platform/http/caller.ts';
import { isSuspended } from '../../auth/index.ts';
import type { CredentialsRepository, SubsonicAccount } from './credentials.repository.ts';
import { APP_PASSWORD_PURPOSE, apiKeyHash } from './credentials.service.ts';
import { SubsonicCode, SubsonicError } from './subsonic.format.ts';

/** The authentication parameters of a request, as sent (any may be absent). */
export interface SubsonicCredentialsParams {
  u?: string | undefined;
  p?: string | undefined;
  t?: string | undefined;
  s?: string | undefined;
  apiKey?: string | undefined;
}

const WRONG = () => new SubsonicError(SubsonicCode.wrongCredentials, 'Wrong username or password');

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
/** Constant-time equality of two texts of any length (their SHA-256 are compared). */
const sameText = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** `p` as the client sent it: clear text, or `enc:` and the UTF-8 bytes in hex. Undefined when malformed. */
export function decodedPassword(p: string): string | undefined {
  if (!p.startsWith('enc:')) return p;
  const hex = p.slice(4);
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex').toString('utf8');
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const mayUse = (account: SubsonicAccount | undefined): account is SubsonicAccount =>
  account !== undefined &&
  account.is_active &&
  !account.is_banned &&
  account.deleted_at === null &&
  !isSuspended(account);

export interface SubsonicAuthDeps {
  repository: CredentialsRepository;
  box: () => Promise<SecretBox>;
}

export class SubsonicAuthenticator {
  readonly #deps: SubsonicAuthDeps;

  constructor(deps: SubsonicAuthDeps) {
    this.#deps = deps;
  }

  async authenticate(params: SubsonicCredentialsParams): Promise<Caller> {
    const { u, p, t, s, apiKey } = params;
    if (apiKey !== undefined) {
      // OpenSubsonic apiKeyAuthentication: the key alone; any other credential with it is a conflict (error 43).
      if (u !== undefined || p !== undefined || t !== undefined || s !== undefined)
        throw new SubsonicError(SubsonicCode.conflictingMechanisms, 'apiKey goes alone: drop u, p, t and s');
      return this.#byApiKey(apiKey);
    }
    if (u === undefined) throw new SubsonicError(SubsonicCode.missingParameter, 'Required parameter is missing: u');
    if (p !== undefined && (t !== undefined || s !== undefined))
      throw new SubsonicError(SubsonicCode.conflictingMechanisms, 'Send either p, or t and s, not both');
    if (p === undefined && (t === undefined || s === undefined))
      throw new SubsonicError(SubsonicCode.missingParameter, 'Required parameter is missing: p, or t and s');

    const account = await this.#deps.repository.accountByUsername(u);
    if (!mayUse(account)) throw WRONG();
    const matches = this.#matcher(p, t, s);
    if (!matches) throw WRONG();
    const box = await this.#deps.box();
    for (const credential of await this.#deps.repository.appPasswordsOf(account.id)) {
      if (credential.sealed_password === null) continue;
      let password: string;
      try {
        password = box.open(credential.sealed_password, APP_PASSWORD_PURPOSE);
      } catch (error) {
        // A key taken out of VEZA_ENCRYPTION_KEYS leaves its passwords unusable, not the sign-in broken.
        if (error instanceof DecryptionError) continue;
        throw error;
      }
      if (matches(password)) {
        await this.#deps.repository.touch(credential.id);
        return { userId: account.id, role: account.role };
      }
    }
    throw WRONG();
  }

  /** A test of one app password against what the request proves, or undefined when the proof is malformed. */
  #matcher(p: string | undefined, t: string | undefined, s: string | undefined) {
    if (p !== undefined) {
      const clear = decodedPassword(p);
      if (clear === undefined) return undefined;
      return (password: string) => sameText(password, clear);
    }
    const token = (t ?? '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(token) || !s) return undefined;
    return (password: string) => sameText(md5(password + s), token);
  }

  async #byApiKey(apiKey: string): Promise<Caller> {
    const found = await this.#deps.repository.apiKeyByHash(apiKeyHash(apiKey));
    if (!found || !mayUse(found)) throw new SubsonicError(SubsonicCode.invalidApiKey, 'Invalid API key');
    await this.#deps.repository.touch(found.credential_id);
    return { userId: found.id, role: found.role };
  }
}
