import { sql, type Transaction } from 'kysely';
import type { DB, Json } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

/** Every SQL statement of the auth domain's accounts, tokens, login attempts and second factors. */

export type Executor = Database | Transaction<DB>;

/**
 * Runs `work` in one transaction naming the acting user for the audit trail (ADR 0013): the Kysely
 * counterpart of platform/db/actor.ts's withActor (users and two_factor_configs are audited).
 */
export function inTransaction<T>(
  db: Database,
  actorId: string | null,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (actorId) await actAs(trx, actorId);
    return work(trx);
  });
}

/** Names the acting user for the rest of the transaction, once it is known (ADR 0013). */
export async function actAs(trx: Transaction<DB>, actorId: string): Promise<void> {
  await actorStatement(trx, actorId).execute();
}

/** The statement naming the acting user until the transaction ends (a transaction-local setting); unexecuted. */
export function actorStatement(db: Executor, actorId: string) {
  return db.selectNoFrom(sql<string>`set_config('veza.actor_id', ${actorId}::text, true)`.as('actor_id'));
}

// ---------------------------------------------------------------------------------------------- users

const ACCOUNT_COLUMNS = [
  'id',
  'email',
  'username',
  'password_hash',
  'role',
  'token_version',
  'is_active',
  'is_banned',
  'suspended_until',
  'deleted_at',
  'email_verified_at',
] as const;

export type AccountRow = NonNullable<Awaited<ReturnType<typeof findAccountById>>>;

/** A live (not soft-deleted) account by its lower-case email (idx_users_email_btree); unexecuted. */
export function accountByEmail(db: Executor, email: string) {
  return db.selectFrom('users').select(ACCOUNT_COLUMNS).where('email', '=', email).where('deleted_at', 'is', null);
}

export function findAccountByEmail(db: Executor, email: string) {
  return accountByEmail(db, email).executeTakeFirst();
}

/** The expression uq_users_lower_username indexes: usernames compare without case. */
const lowerUsername = sql<string>`lower(username)`;

/** A live account by its username in any case (uq_users_lower_username, migration 0024); unexecuted. */
export function accountByUsername(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select(ACCOUNT_COLUMNS)
    .where(lowerUsername, '=', username.toLowerCase())
    .where('deleted_at', 'is', null);
}

export function findAccountByUsername(db: Executor, username: string) {
  return accountByUsername(db, username).executeTakeFirst();
}

export function findAccountById(db: Executor, userId: string) {
  return db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', userId).executeTakeFirst();
}

/**
 * Which of an email and a username are already used, by any account, deleted ones included; a username in any
 * case, and also while another account holds it after giving it up (ADR 0031).
 */
export async function takenIdentity(db: Executor, email: string, username: string) {
  const emailRows = await db.selectFrom('users').select('id').where('email', '=', email).limit(1).execute();
  const names = await usernamesInUse(db, [username]);
  return { email: emailRows.length > 0, username: names.size > 0 };
}

/**
 * The candidates (lower-cased) that are some account's username in any case, or a name given up less than the
 * hold ago (ADR 0031). `exceptUserId`'s own row does not count: an account may change the case of its name or
 * take back the one it gave up.
 */
export async function usernamesInUse(
  db: Executor,
  candidates: readonly string[],
  exceptUserId?: string,
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const lowered = [...new Set(candidates.map((name) => name.toLowerCase()))];
  let current = db.selectFrom('users').select(lowerUsername.as('name')).where(lowerUsername, 'in', lowered);
  let held = db
    .selectFrom('users')
    .select(sql<string>`lower(previous_username)`.as('name'))
    .where(sql<string>`lower(previous_username)`, 'in', lowered)
    .where('previous_username_held_until', '>', sql<Date>`NOW()`);
  if (exceptUserId) {
    current = current.where('id', '<>', exceptUserId);
    held = held.where('id', '<>', exceptUserId);
  }
  const rows = await current.unionAll(held).execute();
  return new Set(rows.map((row) => row.name));
}

/**
 * Serialises registrations and username changes that want one name (in any case) until the transaction ends:
 * the name's uniqueness spans two columns (username and a held previous_username), which no index covers.
 */
export async function lockUsername(trx: Transaction<DB>, username: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`veza.username:${username.toLowerCase()}`}, 0))`.execute(
    trx,
  );
}

export interface NewAccount {
  email: string;
  username: string;
  passwordHash: string;
  marketingConsent: boolean;
}

/** The account with its data-processing consent (required) and marketing consent, each timestamped (§19.1). */
export function insertAccount(trx: Executor, account: NewAccount) {
  return trx
    .insertInto('users')
    .values({
      email: account.email,
      username: account.username,
      password_hash: account.passwordHash,
      last_password_change_at: sql<Date>`NOW()`,
      data_processing_consent: true,
      data_processing_consent_at: sql<Date>`NOW()`,
      marketing_consent: account.marketingConsent,
      marketing_consent_at: account.marketingConsent ? sql<Date>`NOW()` : null,
    })
    .returning([
      'id',
      'email',
      'username',
      'email_verified_at',
      'data_processing_consent',
      'data_processing_consent_at',
      'marketing_consent',
      'marketing_consent_at',
      'created_at',
    ])
    .executeTakeFirstOrThrow();
}

/**
 * The profile and settings rows every account has (spec §5.1, §5.2), with their defaults, in the
 * registration's transaction. These tables belong to the profiles domain, which owns everything else
 * about them; creating the empty rows with the account is the one write the auth domain makes there.
 */
export async function insertProfileDefaults(trx: Executor, userId: string): Promise<void> {
  await trx.insertInto('user_profiles').values({ user_id: userId }).execute();
  await trx.insertInto('user_settings').values({ user_id: userId }).execute();
}

export async function recordSuccessfulLogin(db: Executor, userId: string, ip: string | null): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({
      last_login_at: sql<Date>`NOW()`,
      login_count: eb('login_count', '+', 1),
      last_login_ip: ip,
    }))
    .where('id', '=', userId)
    .execute();
}

/** Invalidates every access token issued so far (authenticate.ts compares token_version). */
export function bumpTokenVersion(trx: Executor, userId: string) {
  return trx
    .updateTable('users')
    .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
    .where('id', '=', userId)
    .returning(['id', 'token_version', 'role'])
    .executeTakeFirstOrThrow();
}

export async function setPasswordHash(trx: Executor, userId: string, passwordHash: string): Promise<void> {
  await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, last_password_change_at: sql<Date>`NOW()` })
    .where('id', '=', userId)
    .execute();
}

/** Marks the address verified, if it is still the account's address. */
export async function markEmailVerified(trx: Executor, userId: string, email: string): Promise<boolean> {
  const rows = await trx
    .updateTable('users')
    .set({ email_verified_at: sql<Date>`COALESCE(email_verified_at, NOW())` })
    .where('id', '=', userId)
    .where('email', '=', email)
    .returning('id')
    .execute();
  return rows.length > 0;
}

// ----------------------------------------------------------------------------------- password history

export const PASSWORD_HISTORY_DEPTH = 5;

export async function recentPasswordHashes(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PASSWORD_HISTORY_DEPTH)
    .execute();
  return rows.map((row) => row.password_hash);
}

/** Records a new password and keeps only the last five (the table's purpose, spec §4.5). */
export async function addPasswordHistory(trx: Executor, userId: string, passwordHash: string): Promise<void> {
  await trx.insertInto('password_history').values({ user_id: userId, password_hash: passwordHash }).execute();
  await trx
    .deleteFrom('password_history')
    .where('user_id', '=', userId)
    .where(
      'id',
      'not in',
      trx
        .selectFrom('password_history')
        .select('id')
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(PASSWORD_HISTORY_DEPTH),
    )
    .execute();
}

// ------------------------------------------------------------------------- single-use tokens (by mail)

export interface NewOneTimeToken {
  userId: string;
  selector: string;
  verifierHash: string;
  expiresAt: Date;
}

export async function insertEmailVerificationToken(
  trx: Executor,
  token: NewOneTimeToken & { email: string },
): Promise<void> {
  await trx
    .insertInto('email_verification_tokens')
    .values({
      user_id: token.userId,
      token: token.selector,
      token_hash: token.verifierHash,
      email: token.email,
      expires_at: token.expiresAt,
    })
    .execute();
}

export async function countEmailVerificationTokensSince(db: Executor, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('email_verification_tokens')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findEmailVerificationTokenForUpdate(trx: Transaction<DB>, selector: string) {
  return trx
    .selectFrom('email_verification_tokens')
    .select(['id', 'user_id', 'token_hash', 'email', 'verified', 'expires_at'])
    .where('token', '=', selector)
    .forUpdate()
    .executeTakeFirst();
}

export async function markEmailVerificationTokenUsed(trx: Executor, id: string): Promise<void> {
  await trx
    .updateTable('email_verification_tokens')
    .set({ verified: true, verified_at: sql<Date>`NOW()` })
    .where('id', '=', id)
    .execute();
}

export async function insertPasswordResetToken(
  trx: Executor,
  token: NewOneTimeToken & { ip: string | null; userAgent: string | null },
): Promise<void> {
  await trx
    .insertInto('password_reset_tokens')
    .values({
      user_id: token.userId,
      token: token.selector,
      token_hash: token.verifierHash,
      expires_at: token.expiresAt,
      ip_address: token.ip,
      user_agent: token.userAgent,
    })
    .execute();
}

export async function countPasswordResetTokensSince(db: Executor, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('password_reset_tokens')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findPasswordResetToken(db: Executor, selector: string) {
  return db
    .selectFrom('password_reset_tokens')
    .select(['id', 'user_id', 'token_hash', 'used', 'expires_at'])
    .where('token', '=', selector)
    .executeTakeFirst();
}

export function findPasswordResetTokenForUpdate(trx: Transaction<DB>, selector: string) {
  return trx
    .selectFrom('password_reset_tokens')
    .select(['id', 'user_id', 'token_hash', 'used', 'expires_at'])
    .where('token', '=', selector)
    .forUpdate()
    .executeTakeFirst();
}

/** Uses up every reset token of the account still outstanding: one reset ends them all. */
export async function usePasswordResetTokens(trx: Executor, userId: string): Promise<void> {
  await trx
    .updateTable('password_reset_tokens')
    .set({ used: true, used_at: sql<Date>`NOW()` })
    .where('user_id', '=', userId)
    .where('used', '=', false)
    .execute();
}

// ------------------------------------------------------------------------------------ refresh tokens

export type RevocationReason =
  'rotated' | 'reuse_detected' | 'logout' | 'logout_all' | 'revoked_by_user' | 'password_changed' | 'password_reset';

export interface NewRefreshToken {
  id: string;
  familyId: string;
  userId: string;
  selector: string;
  verifierHash: string;
  expiresAt: Date;
  deviceName: string | null;
  deviceType: string | null;
  userAgent: string | null;
  ip: string | null;
}

export async function insertRefreshToken(db: Executor, token: NewRefreshToken): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      id: token.id,
      family_id: token.familyId,
      user_id: token.userId,
      token: token.selector,
      token_hash: token.verifierHash,
      expires_at: token.expiresAt,
      device_name: token.deviceName,
      device_type: token.deviceType,
      user_agent: token.userAgent,
      ip_address: token.ip,
    })
    .execute();
}

export function findRefreshTokenForUpdate(trx: Transaction<DB>, selector: string) {
  return trx
    .selectFrom('refresh_tokens')
    .select([
      'id',
      'family_id',
      'user_id',
      'token_hash',
      'is_revoked',
      'revoked_reason',
      'expires_at',
      'device_name',
      'device_type',
      'user_agent',
      'ip_address',
    ])
    .where('token', '=', selector)
    .forUpdate()
    .executeTakeFirst();
}

export function findRefreshTokenOf(db: Executor, userId: string, selector: string) {
  return db
    .selectFrom('refresh_tokens')
    .select(['id', 'token_hash', 'is_revoked', 'expires_at'])
    .where('token', '=', selector)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function revokeRefreshToken(db: Executor, id: string, reason: RevocationReason): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ is_revoked: true, revoked_at: sql<Date>`NOW()`, revoked_reason: reason, last_used_at: sql<Date>`NOW()` })
    .where('id', '=', id)
    .where('is_revoked', '=', false)
    .execute();
}

/** Keeps the sealed pair answered by the rotation of `tokenId`, for a concurrent refresh of the same token. */
export async function saveRotation(trx: Executor, tokenId: string, sealedPair: string): Promise<void> {
  await trx
    .updateTable('refresh_tokens')
    .set({ rotation_sealed_token: sealedPair })
    .where('id', '=', tokenId)
    .execute();
}

/** The sealed pair of a token rotated less than `graceSeconds` ago (database clock), if it is still kept. */
export async function findRotationWithinGrace(
  trx: Executor,
  tokenId: string,
  graceSeconds: number,
): Promise<string | null> {
  const row = await trx
    .selectFrom('refresh_tokens')
    .select('rotation_sealed_token')
    .where('id', '=', tokenId)
    .where('revoked_reason', '=', 'rotated')
    .where('revoked_at', '>', sql<Date>`NOW() - make_interval(secs => ${graceSeconds})`)
    .executeTakeFirst();
  return row?.rotation_sealed_token ?? null;
}

/** Whether a refresh token is neither revoked nor expired. */
export async function isRefreshTokenLive(trx: Executor, tokenId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('refresh_tokens')
    .select('id')
    .where('id', '=', tokenId)
    .where('is_revoked', '=', false)
    .where('expires_at', '>', sql<Date>`NOW()`)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Erases the sealed pairs of a family's rotations: all of them (`olderThanSeconds` null, the family is being
 * revoked), or those past the grace window, which nothing will replay again.
 */
export async function eraseRotations(
  trx: Executor,
  token: { id: string; family_id: string | null },
  olderThanSeconds: number | null,
): Promise<void> {
  let query = trx
    .updateTable('refresh_tokens')
    .set({ rotation_sealed_token: null })
    .where(token.family_id ? 'family_id' : 'id', '=', token.family_id ?? token.id)
    .where('rotation_sealed_token', 'is not', null);
  if (olderThanSeconds !== null) {
    query = query.where('revoked_at', '<=', sql<Date>`NOW() - make_interval(secs => ${olderThanSeconds})`);
  }
  await query.execute();
}

/** Revokes every still-valid token of a family (tokens from before families: just the token itself). */
export async function revokeRefreshTokenFamily(
  db: Executor,
  token: { id: string; family_id: string | null },
  reason: RevocationReason,
): Promise<number> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ is_revoked: true, revoked_at: sql<Date>`NOW()`, revoked_reason: reason })
    .where(token.family_id ? 'family_id' : 'id', '=', token.family_id ?? token.id)
    .where('is_revoked', '=', false)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes all of a user's refresh tokens, but the one of `keepId` (the device making the change). */
export async function revokeUserRefreshTokens(
  db: Executor,
  userId: string,
  reason: RevocationReason,
  keepId?: string,
): Promise<void> {
  let query = db
    .updateTable('refresh_tokens')
    .set({ is_revoked: true, revoked_at: sql<Date>`NOW()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('is_revoked', '=', false);
  if (keepId) query = query.where('id', '<>', keepId);
  await query.execute();
}

/** Revokes one of the user's live sessions (the family of that token); false when there is none such. */
export async function revokeOwnSession(db: Executor, userId: string, sessionId: string): Promise<boolean> {
  return inTransactionOf(db, async (trx) => {
    const token = await trx
      .selectFrom('refresh_tokens')
      .select(['id', 'family_id'])
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('is_revoked', '=', false)
      .where('expires_at', '>', sql<Date>`NOW()`)
      .forUpdate()
      .executeTakeFirst();
    if (!token) return false;
    await revokeRefreshTokenFamily(trx, token, 'revoked_by_user');
    return true;
  });
}

function inTransactionOf<T>(db: Executor, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<DB>) : db.transaction().execute(work);
}

/** A page of the user's live sessions, newest first (keyset on created_at, id; docs/api.md). */
export function listLiveSessions(db: Executor, userId: string, limit: number, after: Position | null) {
  let query = db
    .selectFrom('refresh_tokens')
    .select([
      'id',
      'device_name',
      'device_type',
      'user_agent',
      'ip_address',
      'created_at',
      'last_used_at',
      'expires_at',
      positionStamp().as(POSITION_STAMP),
    ])
    .where('user_id', '=', userId)
    .where('is_revoked', '=', false)
    .where('expires_at', '>', sql<Date>`NOW()`);
  if (after) query = query.where(beforePosition(after));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

// ------------------------------------------------------------------------------------ login attempts

/** Failure reasons that are guesses and count towards a lockout (ADR 0022). */
export const GUESS_REASONS = ['in_progress', 'invalid_password', 'unknown_account', 'invalid_mfa_code'] as const;
export type FailureReason =
  (typeof GUESS_REASONS)[number] | 'account_locked' | 'account_disabled' | 'mfa_required' | 'reauthentication_failed';

/**
 * Serialises the attempts on one lockout subject (an account, or an identifier naming none: `account:<id>` or
 * `identifier:<key>`) and on one IP address until the transaction ends, so that parallel guesses are counted one
 * after the other and cannot all slip under the threshold. The subject lock is always taken first: no two
 * transactions wait on each other in a cycle.
 */
export async function lockAttemptKeys(trx: Transaction<DB>, subject: string, ip: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`veza.login.${subject}`}, 0))`.execute(trx);
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`veza.login.ip:${ip}`}, 0))`.execute(trx);
}

export interface FailureCount {
  failures: number;
  latest: Date | null;
}

/**
 * Guesses recorded under any of `identifiers` (an account's email and username, or one identifier naming no
 * account) since `since`, and since the last success under any of them: a success starts the count again.
 */
export async function countIdentifierFailures(
  db: Executor,
  identifiers: readonly string[],
  since: Date,
): Promise<FailureCount> {
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<string>().as('failures'), eb.fn.max('attempted_at').as('latest')])
    .where('identifier', 'in', identifiers)
    .where('attempted_at', '>', since)
    .where('success', '=', false)
    .where('failure_reason', 'in', GUESS_REASONS)
    .where(
      'attempted_at',
      '>',
      sql<Date>`COALESCE((
        SELECT MAX(attempted_at) FROM login_attempts
        WHERE identifier IN (${sql.join([...identifiers])}) AND success AND attempted_at > ${since}
      ), '-infinity'::timestamptz)`,
    )
    .executeTakeFirstOrThrow();
  return { failures: Number(row.failures), latest: row.latest ?? null };
}

/** Guesses from an IP address since `since` (successes do not reset it: one may own an account and still guess). */
export async function countIpFailures(db: Executor, ip: string, since: Date): Promise<FailureCount> {
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<string>().as('failures'), eb.fn.max('attempted_at').as('latest')])
    .where('ip_address', '=', ip)
    .where('attempted_at', '>', since)
    .where('success', '=', false)
    .where('failure_reason', 'in', GUESS_REASONS)
    .executeTakeFirstOrThrow();
  return { failures: Number(row.failures), latest: row.latest ?? null };
}

export interface AttemptRef {
  id: string;
  /** The partition key, as text: a Date would lose its microseconds and match nothing. */
  attempted_at: string;
}

export function insertLoginAttempt(
  db: Executor,
  attempt: {
    identifier: string;
    success: boolean;
    failureReason: FailureReason | null;
    ip: string;
    userAgent: string | null;
  },
): Promise<AttemptRef> {
  return db
    .insertInto('login_attempts')
    .values({
      identifier: attempt.identifier,
      success: attempt.success,
      failure_reason: attempt.failureReason,
      ip_address: attempt.ip,
      user_agent: attempt.userAgent,
    })
    .returning(['id', sql<string>`attempted_at::text`.as('attempted_at')])
    .executeTakeFirstOrThrow();
}

export async function finishLoginAttempt(
  db: Executor,
  attempt: AttemptRef,
  success: boolean,
  failureReason: FailureReason | null,
): Promise<void> {
  await db
    .updateTable('login_attempts')
    .set({ success, failure_reason: failureReason })
    .where('id', '=', attempt.id)
    // Cast through text: typed timestamptz, the driver would turn the parameter into a Date and lose the µs.
    .where('attempted_at', '=', sql<Date>`${attempt.attempted_at}::text::timestamptz`)
    .execute();
}

// -------------------------------------------------------------------------------------- two factors

export interface StoredBackupCode {
  /** Hex SHA-256 of the normalised code. */
  hash: string;
  used_at: string | null;
}

export function findTwoFactor(db: Executor, userId: string) {
  return db
    .selectFrom('two_factor_configs')
    .select(['id', 'totp_secret', 'totp_enabled', 'totp_enabled_at', 'backup_codes'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function findTwoFactorForUpdate(trx: Transaction<DB>, userId: string) {
  return trx
    .selectFrom('two_factor_configs')
    .select(['id', 'totp_secret', 'totp_enabled', 'backup_codes', 'totp_last_used_step', 'mfa_tokens_spent_through'])
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

/** Stores a new, not yet confirmed TOTP secret (sealed), replacing an unconfirmed one. */
export async function savePendingTotpSecret(trx: Executor, userId: string, sealedSecret: string): Promise<void> {
  await trx
    .insertInto('two_factor_configs')
    .values({ user_id: userId, totp_secret: sealedSecret, totp_enabled: false })
    .onConflict((oc) =>
      oc.constraint('uq_two_factor_configs_user_id').doUpdateSet({
        totp_secret: sealedSecret,
        totp_enabled: false,
        totp_enabled_at: null,
        backup_codes: null,
        // Steps of a new secret's codes are unrelated to the old one's.
        totp_last_used_step: null,
      }),
    )
    .execute();
}

export async function enableTotp(
  trx: Executor,
  userId: string,
  backupCodes: StoredBackupCode[],
  confirmedStep: number,
): Promise<void> {
  await trx
    .updateTable('two_factor_configs')
    .set({
      totp_enabled: true,
      totp_enabled_at: sql<Date>`NOW()`,
      backup_codes: jsonb(backupCodes),
      totp_last_used_step: confirmedStep,
    })
    .where('user_id', '=', userId)
    .execute();
}

export async function saveBackupCodes(trx: Executor, userId: string, backupCodes: StoredBackupCode[]): Promise<void> {
  await trx
    .updateTable('two_factor_configs')
    .set({ backup_codes: jsonb(backupCodes) })
    .where('user_id', '=', userId)
    .execute();
}

/** Records an accepted TOTP step; refuses (false) a step not after the last one, even under a race. */
export async function recordTotpStep(trx: Executor, userId: string, step: number): Promise<boolean> {
  const updated = await trx
    .updateTable('two_factor_configs')
    .set({ totp_last_used_step: step })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_used_step', 'is', null), eb('totp_last_used_step', '<', String(step))]))
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/** Spends every login challenge issued up to `issuedAt` (never moves the mark back). */
export async function spendMfaChallengesThrough(trx: Executor, userId: string, issuedAt: Date): Promise<void> {
  await trx
    .updateTable('two_factor_configs')
    .set({ mfa_tokens_spent_through: sql<Date>`GREATEST(mfa_tokens_spent_through, ${issuedAt})` })
    .where('user_id', '=', userId)
    .execute();
}

export async function disableTotp(trx: Executor, userId: string): Promise<void> {
  await trx
    .updateTable('two_factor_configs')
    .set({ totp_enabled: false, totp_enabled_at: null, totp_secret: null, backup_codes: null })
    .where('user_id', '=', userId)
    .execute();
}

/** Through text: a parameter typed jsonb would be JSON-encoded a second time by the driver. */
function jsonb(value: unknown) {
  return sql<Json>`${JSON.stringify(value)}::text::jsonb`;
}
