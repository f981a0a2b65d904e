import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';

/**
 * The JWT signing key: VEZA_JWT_SECRET, required in production. Elsewhere a random key is made once
 * and kept in the data directory (mode 0600), so that sessions survive a restart of a dev server.
 */
export async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  if (config.nodeEnv === 'production') throw new Error('VEZA_JWT_SECRET must be set when NODE_ENV=production');
  const file = join(config.dataDir, 'jwt-secret');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return existing.trim();
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
