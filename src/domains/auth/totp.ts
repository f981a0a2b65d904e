import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { StoredBackupCode } from './auth.repository.ts';

/** TOTP as authenticator apps expect it (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), through otplib. */
export const TOTP_ISSUER = 'Veza';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, accountLabel: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountLabel, secret });
}

/**
 * The RFC 6238 time step a code belongs to when it is a code of the current step, or of the one before or
 * after (clock drift of up to 30 s either way); null otherwise. Callers refuse a step at or before the last
 * one they accepted, so that a code seen once (over a shoulder, in a phishing proxy) cannot be used again.
 */
export async function totpCodeStep(secret: string, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = await verify({ secret, token: code, epochTolerance: 30 });
    // The TOTP strategy's answer carries the matched step (the HOTP one, never used here, does not).
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

export async function totpCodeIsValid(secret: string, code: string): Promise<boolean> {
  return (await totpCodeStep(secret, code)) !== null;
}

// Backup codes: 12 characters of a 32-letter alphabet without look-alikes (60 bits), shown as xxxx-xxxx-xxxx.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const BACKUP_CODE_COUNT = 10;
export const BACKUP_CODE = /^[a-z2-9]{4}-?[a-z2-9]{4}-?[a-z2-9]{4}$/i;

function normaliseBackupCode(code: string): string {
  return code.toLowerCase().replaceAll('-', '');
}

/**
 * Backup codes are stored as SHA-256 of the normalised code (ADR 0023): each carries 60 random bits, so
 * a slow hash adds nothing an attacker holding the hashes would notice, and checking ten of them at
 * login stays instantaneous.
 */
export function hashBackupCode(code: string): string {
  return createHash('sha256').update(normaliseBackupCode(code)).digest('hex');
}

export function newBackupCodes(): { codes: string[]; stored: StoredBackupCode[] } {
  const codes: string[] = [];
  for (let i = 0; i < BACKUP_CODE_COUNT; i += 1) {
    const bytes = randomBytes(12);
    const letters = [...bytes].map((byte) => ALPHABET[byte % 32] ?? 'a').join('');
    codes.push(`${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8, 12)}`);
  }
  return { codes, stored: codes.map((code) => ({ hash: hashBackupCode(code), used_at: null })) };
}
