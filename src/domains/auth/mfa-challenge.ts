import { DecryptionError, type SecretBox } from '../../platform/crypto/index.ts';

/** What the password step proved, carried to the second-factor step. */
export interface MfaChallenge {
  userId: string;
  /** users.token_version at the password step: a logout-all or password change in between voids it. */
  tokenVersion: number;
  /** The identifier as used for the lockout, so that second-factor guesses count against it. */
  identifier: string;
  deviceName: string | null;
  deviceType: 'mobile' | 'desktop' | 'tablet' | null;
  /** Epoch milliseconds; completing the login spends every challenge of the account issued up to then. */
  issuedAt: number;
  expiresAt: number;
}

const PURPOSE = 'veza:auth:mfa-challenge';
export const MFA_CHALLENGE_TTL_SECONDS = 300;

/**
 * The `mfa_token` of a login awaiting its second factor: the challenge sealed with the application's
 * encryption keys (AES-256-GCM, ADR 0023), so it is tamper-proof, opaque to the client, needs no table,
 * and is valid on every instance sharing the keys. It alone grants nothing: a code must come with it, and
 * it completes one login at most (two_factor_configs.mfa_tokens_spent_through records the spent ones).
 */
export class MfaChallenges {
  readonly #box: SecretBox;

  constructor(box: SecretBox) {
    this.#box = box;
  }

  issue(challenge: Omit<MfaChallenge, 'issuedAt' | 'expiresAt'>): { token: string; expiresIn: number } {
    const issuedAt = Date.now();
    const expiresAt = issuedAt + MFA_CHALLENGE_TTL_SECONDS * 1000;
    return {
      token: this.#box.seal(JSON.stringify({ ...challenge, issuedAt, expiresAt }), PURPOSE),
      expiresIn: MFA_CHALLENGE_TTL_SECONDS,
    };
  }

  /** The challenge, or null when the token is forged, altered, sealed for something else or expired. */
  open(token: string): MfaChallenge | null {
    let challenge: MfaChallenge;
    try {
      challenge = JSON.parse(this.#box.open(token, PURPOSE)) as MfaChallenge;
    } catch (error) {
      if (error instanceof DecryptionError || error instanceof SyntaxError) return null;
      throw error;
    }
    // A challenge sealed before issuedAt existed could never be spent: it is refused like an expired one.
    if (typeof challenge.issuedAt !== 'number') return null;
    return challenge.expiresAt > Date.now() ? challenge : null;
  }
}
