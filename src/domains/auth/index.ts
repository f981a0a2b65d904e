// The auth domain (spec §4 Auth & Security). Other domains import from this file only.

export { AccessTokens, type AccessClaims } from './access-tokens.ts';
export { createAuthenticator } from './authenticate.ts';
export {
  isSuspended,
  lockAccountForSanction,
  lockAdministrators,
  otherUsableAdmins,
  reportableAccount,
  sanctionAccount,
} from './account-sanctions.ts';
export { findAccountState, findAccountStateByUsername, mailAddressOf } from './account-state.repository.ts';
export { PasswordHasher } from './password-hasher.ts';
export {
  SessionService,
  type DeviceInfo,
  type IssuedSession,
  type SessionServiceDependencies,
} from './session.service.ts';
export { federationModule } from './federation.module.ts';
export { authModule } from './auth.module.ts';
export { registerLinkPages } from './link-pages.ts';

/** Tables this domain owns: only its repositories read or write them (migration 0002). */
export const authTables = [
  'users',
  'refresh_tokens',
  'password_reset_tokens',
  'email_verification_tokens',
  'password_history',
  'two_factor_configs',
  'federated_identities',
  'login_attempts',
] as const;
