import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, EncryptionKey } from '../config/config.ts';
import { SecretBox } from './secret-box.ts';

const DEV_KEY_FILE = 'encryption-keys.json';

/**
 * The keys of secrets at rest: VEZA_ENCRYPTION_KEYS, required in production. Elsewhere one key is made
 * once and kept in the data directory (mode 0600), like the JWT secret, so that what a development
 * server encrypted stays readable after a restart.
 */
export async function resolveEncryptionKeys(config: Config): Promise<EncryptionKey[]> {
  if (config.encryption.keys) return config.encryption.keys;
  if (config.nodeEnv === 'production') throw new Error('VEZA_ENCRYPTION_KEYS must be set when NODE_ENV=production');
  const file = join(config.dataDir, DEV_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx': two processes starting together keep the one key the first wrote.
    await writeFile(file, JSON.stringify({ dev1: key.toString('base64') }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const written = (error as NodeJS.ErrnoException).code === 'EEXIST' ? await readKeyFile(file) : undefined;
    if (written) return written;
    throw error;
  }
  return [{ id: 'dev1', key }];
}

async function readKeyFile(file: string): Promise<EncryptionKey[] | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: delete it to generate a new key (what it encrypted becomes unreadable)`);
  }
  const keys = Object.entries(parsed as Record<string, string>).map(([id, key]) => ({
    id,
    key: Buffer.from(key, 'base64'),
  }));
  if (keys.length === 0 || keys.some((key) => key.key.length !== 32)) throw new Error(`${file} holds no valid key`);
  return keys;
}

export async function createSecretBox(config: Config): Promise<SecretBox> {
  return new SecretBox(await resolveEncryptionKeys(config));
}
