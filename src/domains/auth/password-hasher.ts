import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt with a configurable work factor (VEZA_BCRYPT_COST). */
export class PasswordHasher {
  readonly #cost: number;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: number) {
    this.#cost = cost;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.#cost);
  }

  /**
   * Whether `password` matches `hash`. Without a hash (no such account, or a federated-only one), a
   * comparison against a throw-away hash of the same cost is made anyway, so that the answer takes as long
   * as for an account that exists (ADR 0022).
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash) {
      this.#dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), this.#cost);
      await bcrypt.compare(password, await this.#dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
