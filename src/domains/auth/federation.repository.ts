import { sql, type Transaction } from 'kysely';
import type { DB, JsonObject } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import { usernamesInUse } from './auth.repository.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

type Executor = Database | Transaction<DB>;

/** Columns of a federated identity a person may see: never the provider's tokens. */
const IDENTITY_COLUMNS = [
  'id',
  'provider',
  'provider_email',
  'provider_username',
  'provider_avatar_url',
  'is_primary',
  'created_at',
  'updated_at',
] as const;

/** What is written of a provider identity at each login or link: tokens already encrypted. */
export interface IdentityWrite {
  provider: string;
  providerUserId: string;
  encryptedAccessToken: string;
  encryptedRefreshToken: string | null;
  tokenExpiresAt: Date | null;
  email: string | null;
  username: string | null;
  avatarUrl: string | null;
  profile: Record<string, unknown>;
}

export interface NewFederatedAccount {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string;
  displayName: string | null;
  marketingConsent: boolean;
}

function identityValues(identity: IdentityWrite) {
  return {
    access_token: identity.encryptedAccessToken,
    refresh_token: identity.encryptedRefreshToken,
    token_expires_at: identity.tokenExpiresAt,
    provider_email: identity.email,
    provider_username: identity.username,
    provider_avatar_url: identity.avatarUrl,
    // The object itself: postgres.js serialises it for the jsonb parameter (a JSON string would be stored as a
    // jsonb string, double-encoded).
    provider_profile_data: identity.profile as JsonObject,
  };
}

export function findIdentity(db: Executor, provider: string, providerUserId: string) {
  return db
    .selectFrom('federated_identities')
    .select(['id', 'user_id'])
    .where('provider', '=', provider)
    .where('provider_user_id', '=', providerUserId)
    .executeTakeFirst();
}

/** Whether any account, deleted or not, holds this (lower-case) email: emails are stored lower-case. */
export async function emailInUse(db: Executor, email: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Which of these usernames are taken, by any account (uq_users_username compares them exactly). */
/** The candidates already used in any case, or held after a change (ADR 0031), as spelled in `candidates`. */
export async function takenUsernames(db: Executor, candidates: string[]): Promise<Set<string>> {
  const inUse = await usernamesInUse(db, candidates);
  return new Set(candidates.filter((candidate) => inUse.has(candidate.toLowerCase())));
}

/** The user row of an account made through a provider: no password, consent given now. */
export async function insertFederatedUser(trx: Transaction<DB>, account: NewFederatedAccount): Promise<void> {
  await trx
    .insertInto('users')
    .values({
      id: account.id,
      email: account.email,
      email_verified_at: account.emailVerified ? sql<Date>`now()` : null,
      username: account.username,
      display_name: account.displayName,
      password_hash: null,
      data_processing_consent: true,
      data_processing_consent_at: sql<Date>`now()`,
      marketing_consent: account.marketingConsent,
      marketing_consent_at: account.marketingConsent ? sql<Date>`now()` : null,
    })
    .execute();
}

export async function insertIdentity(
  trx: Transaction<DB>,
  userId: string,
  identity: IdentityWrite,
  isPrimary: boolean,
): Promise<string> {
  const row = await trx
    .insertInto('federated_identities')
    .values({
      user_id: userId,
      provider: identity.provider,
      provider_user_id: identity.providerUserId,
      is_primary: isPrimary,
      ...identityValues(identity),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Refreshes what the provider said at this login: tokens (encrypted) and profile. */
export async function updateIdentity(trx: Transaction<DB>, identityId: string, identity: IdentityWrite): Promise<void> {
  await trx.updateTable('federated_identities').set(identityValues(identity)).where('id', '=', identityId).execute();
}

export function findOwnIdentity(db: Executor, userId: string, identityId: string) {
  return db
    .selectFrom('federated_identities')
    .select(IDENTITY_COLUMNS)
    .where('id', '=', identityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Whose identity `identityId` is, for the authorization policy to judge (auth.policy.ts). */
export function findIdentityOwner(db: Executor, identityId: string) {
  return db.selectFrom('federated_identities').select('user_id').where('id', '=', identityId).executeTakeFirst();
}

/** One page of a user's identities, newest first (keyset on created_at, id). */
export function listIdentities(db: Executor, userId: string, limit: number, after: Position | null) {
  let query = db
    .selectFrom('federated_identities')
    .select(IDENTITY_COLUMNS)
    .select(positionStamp().as(POSITION_STAMP))
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) query = query.where(beforePosition(after));
  return query.execute();
}

/**
 * Locks the account row (so two concurrent unlinks cannot both pass the last-method check) and tells what ways
 * to log in it has.
 */
export async function lockLoginMethods(trx: Transaction<DB>, userId: string) {
  const account = await trx
    .selectFrom('users')
    .select(sql<boolean>`password_hash IS NOT NULL`.as('has_password'))
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!account) return undefined;
  const { count } = await trx
    .selectFrom('federated_identities')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { hasPassword: account.has_password, identities: Number(count) };
}

export async function deleteIdentity(trx: Transaction<DB>, userId: string, identityId: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('federated_identities')
    .where('id', '=', identityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
