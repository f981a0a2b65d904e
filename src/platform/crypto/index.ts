// Authenticated encryption of secrets at rest (ADR 0023).
export { DecryptionError, SecretBox } from './secret-box.ts';
export { createSecretBox, resolveEncryptionKeys } from './keys.ts';
