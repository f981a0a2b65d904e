import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config/config.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored value this application could not decrypt: unknown key id, wrong purpose, or tampered. */
export class DecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt: ${reason}`);
    this.name = 'DecryptionError';
  }
}

/**
 * Authenticated encryption of secrets at rest (AES-256-GCM, ADR 0023). A sealed value is
 * `v1:<key id>:<iv>:<ciphertext and tag>` (base64url), so every key ever listed can still open what it
 * sealed after a newer key takes over: rotation is adding a key, re-sealing is optional.
 *
 * `purpose` is bound as additional authenticated data: a value sealed for one column (or one kind of
 * challenge) fails to open as another, so a ciphertext cannot be moved where it does not belong.
 */
export class SecretBox {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    const current = keys.at(-1);
    if (!current) throw new Error('SecretBox needs at least one key');
    for (const key of keys) {
      if (key.key.length !== 32) throw new Error(`encryption key ${key.id} is not 32 bytes`);
      if (key.id.includes(':')) throw new Error(`encryption key id ${key.id} contains ':'`);
    }
    this.#keys = new Map(keys.map((key) => [key.id, key.key]));
    this.#current = current;
  }

  /** Id of the key new values are sealed with (the newest). */
  get currentKeyId(): string {
    return this.#current.id;
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.#current.id, iv.toString('base64url'), body.toString('base64url')].join(':');
  }

  open(sealed: string, purpose: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError('not a v1 sealed value');
    const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
    const key = this.#keys.get(keyId);
    if (!key) throw new DecryptionError(`key ${keyId} is not configured`);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new DecryptionError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new DecryptionError('authentication failed');
    }
  }

  /** Whether a sealed value was made with an older key (and should be re-sealed when next written). */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.#current.id;
  }
}
